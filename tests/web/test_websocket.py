"""graphql-transport-ws runs every operation through the engine, as HTTP does: the same
answers, refusals with the same codes, the same viewer, deadline, budgets and log line."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from demo.seed import SEED_GROUP_SLUG, seed_if_empty
from engine.persisted import sha256
from models import Article, Member
from schema import loaders as request_loaders
from server import GROUP_PAGE_QUERY, create_app
from settings import Settings
from tests import factories
from tests.conftest import Clock
from tests.schema.core.test_rate_limits import FRAGMENTED_SIGN_INS, guesses
from tests.web.helpers import log_lines, nested
from tests.web.servers import GraphQLWebSocketClient, graphql_ws, serving

VIEWS = "query Views($id: ID!) { node(id: $id) { ... on Article { views } } }"
RECORD_VIEW = """
mutation RecordView($input: RecordArticleViewInput!) {
  recordArticleView(input: $input) { counted article { views } }
}
"""
VIEWER = "query Viewer { viewer { name } }"


@pytest.fixture
async def address(db: TortoiseContext, settings: Settings, clock: Clock) -> AsyncIterator[str]:
    async with serving(create_app(settings, clock=clock)) as served:
        yield served


async def only_message(client: GraphQLWebSocketClient, query: str, **kw: Any) -> dict[str, Any]:
    """The `next` of an operation that executed (checking `complete` follows), or its
    `error`."""
    first, *rest = await client.execute(query, **kw)
    if first["type"] == "next":
        assert [message["type"] for message in rest] == ["complete"]
    else:
        assert rest == []
    return first


async def test_a_query_answers_next_then_complete_as_http_answers_it(
    address: str, client: httpx.AsyncClient
) -> None:
    await seed_if_empty()
    variables = {"slug": SEED_GROUP_SLUG}
    over_http = (
        await client.post("/graphql", json={"query": GROUP_PAGE_QUERY, "variables": variables})
    ).json()

    async with graphql_ws(address) as ws:
        answered = await ws.execute(GROUP_PAGE_QUERY, variables)

    assert [message["type"] for message in answered] == ["next", "complete"]
    assert answered[0]["payload"] == over_http
    assert over_http["data"]["group"]["memberCount"] == 169


REFUSALS = [
    ("query Broken {", "GRAPHQL_PARSE_FAILED"),
    ("query Nope { nope }", "GRAPHQL_VALIDATION_FAILED"),
    ("query Deep { " + nested(12) + " }", "DEPTH_LIMIT_EXCEEDED"),
    (
        "query Many { " + " ".join(f"a{n}: __typename" for n in range(16)) + " }",
        "ALIAS_LIMIT_EXCEEDED",
    ),
    ("query Long { " + "__typename " * 2100 + "}", "TOKEN_LIMIT_EXCEEDED"),
    (
        "query Everything { groups(first: 100) { nodes { articles(first: 100) { nodes { "
        "comments(first: 100) { nodes { body } } } } } } }",
        "NODE_LIMIT_EXCEEDED",
    ),
]


@pytest.mark.parametrize(("query", "code"), REFUSALS, ids=[code for _, code in REFUSALS])
async def test_a_refusal_answers_an_error_with_the_code_http_gives(
    address: str, client: httpx.AsyncClient, query: str, code: str, caplog: pytest.LogCaptureFixture
) -> None:
    over_http = (await client.post("/graphql", json={"query": query})).json()

    with caplog.at_level(logging.WARNING):
        async with graphql_ws(address) as ws:
            message = await only_message(ws, query)
            after = await only_message(ws, "query Typename { __typename }", identifier="2")

    assert message["type"] == "error"
    assert message["payload"] == over_http["errors"]
    assert message["payload"][0]["extensions"]["code"] == code
    assert after["payload"]["data"] == {"__typename": "Query"}  # the connection goes on
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_the_legacy_graphql_ws_subprotocol_is_refused_at_the_handshake(address: str) -> None:
    for offered in ([Subprotocol("graphql-ws")], None):
        with pytest.raises(InvalidStatus) as refused:
            async with connect(f"ws://{address}/graphql", subprotocols=offered):
                pass
        assert refused.value.response.status_code == 403


async def test_a_token_in_connection_init_signs_the_connection_in(address: str) -> None:
    token = await factories.token(await factories.member("Dana Whitfield"))

    async with graphql_ws(address, {"Authorization": f"Bearer {token}"}) as ws:
        signed_in = await only_message(ws, VIEWER)
    async with graphql_ws(address) as ws:
        anonymous = await only_message(ws, VIEWER)

    assert signed_in["payload"]["data"] == {"viewer": {"name": "Dana Whitfield"}}
    assert anonymous["payload"]["data"] == {"viewer": None}


async def closed_with(ws: GraphQLWebSocketClient) -> tuple[int | None, str | None]:
    with pytest.raises(ConnectionClosed) as closed:
        await ws.receive()
    return closed.value.rcvd.code if closed.value.rcvd else None, (
        closed.value.rcvd.reason if closed.value.rcvd else None
    )


async def test_a_bogus_token_closes_the_connection_with_4403(address: str) -> None:
    async with graphql_ws(address, init=False) as ws:
        await ws.send({"type": "connection_init", "payload": {"Authorization": "Bearer bogus"}})

        assert await closed_with(ws) == (4403, "Forbidden")


@pytest.mark.parametrize(
    ("messages", "closed"),
    [
        (
            [{"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }"}}],
            (4401, "Unauthorized"),
        ),
        (
            [{"type": "connection_init"}, {"type": "connection_init"}],
            (4429, "Too many initialisation requests"),
        ),
        (
            [{"type": "connection_init"}, {"type": "nonsense"}],
            (4400, "Unexpected message of type nonsense"),
        ),
        (
            [{"type": "connection_init"}, {"id": "1", "type": "subscribe"}],
            (4400, "Invalid message received"),
        ),
    ],
)
async def test_protocol_violations_close_with_the_protocols_codes(
    address: str, messages: list[dict[str, Any]], closed: tuple[int, str]
) -> None:
    async with graphql_ws(address, init=False) as ws:
        for message in messages:
            await ws.send(message)
            if message["type"] == "connection_init" and message is messages[0]:
                assert await ws.receive() == {"type": "connection_ack"}

        assert await closed_with(ws) == closed


async def test_an_identifier_in_use_closes_with_4409(
    address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stalled = asyncio.Event()

    def slow_loader(*args: Any) -> Any:
        stalled.set()
        return never_loaded()

    monkeypatch.setattr(request_loaders, "group_by_slug_loader", slow_loader)
    async with graphql_ws(address) as ws:
        subscribe = {
            "id": "1",
            "type": "subscribe",
            "payload": {"query": 'query G { group(slug: "x") { name } }'},
        }
        await ws.send(subscribe)
        await asyncio.wait_for(stalled.wait(), 5)
        await ws.send(subscribe)

        assert await closed_with(ws) == (4409, "Subscriber for 1 already exists")


async def test_ping_is_answered_with_pong(address: str) -> None:
    async with graphql_ws(address) as ws:
        await ws.send({"type": "ping"})

        assert await ws.receive() == {"type": "pong"}


def never_loaded() -> Any:
    from strawberry.dataloader import DataLoader

    async def load(keys: list[Any]) -> list[Any]:
        await asyncio.sleep(60)
        return [None for _ in keys]

    return DataLoader(load_fn=load)


async def test_an_operation_past_the_deadline_answers_timeout(
    db: TortoiseContext, settings: Settings, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(request_loaders, "group_by_slug_loader", lambda *args: never_loaded())
    impatient = dataclasses.replace(settings, request_timeout_seconds=0.5)
    async with serving(create_app(impatient, clock=clock)) as address, graphql_ws(address) as ws:
        started = asyncio.get_running_loop().time()
        message = await only_message(ws, 'query G { group(slug: "x") { name } }')
        elapsed = asyncio.get_running_loop().time() - started

    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "TIMEOUT"
    assert 0.5 <= elapsed < 3


async def test_every_operation_reads_fresh_data(address: str, client: httpx.AsyncClient) -> None:
    await seed_if_empty()
    article = await Article.get(title="Managing Hand Tremors in MS")
    variables = {"id": factories.global_id(article)}
    view = {"input": {"articleId": factories.global_id(article), "viewerKey": "fresh"}}

    async with graphql_ws(address) as ws:
        before = await only_message(ws, VIEWS, variables=variables)
        await client.post("/graphql", json={"query": RECORD_VIEW, "variables": view})
        after = await only_message(ws, VIEWS, variables=variables, identifier="2")

    assert before["payload"]["data"] == {"node": {"views": 299}}
    assert after["payload"]["data"] == {"node": {"views": 300}}


async def test_every_operation_writes_a_log_line(
    address: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="groupql.requests"):
        async with graphql_ws(address) as ws:
            await only_message(ws, "query Typename { __typename }")
            await only_message(ws, "query Nope { nope }", identifier="2")

    lines = log_lines(caplog)
    assert [(line["transport"], line["operation"], line["status"]) for line in lines] == [
        ("ws", "Typename", 200),
        ("ws", "Nope", 200),
    ]


async def test_calls_inside_fragments_spend_budgets_over_websocket_too(
    db: TortoiseContext, settings: Settings, clock: Clock
) -> None:
    await seed_if_empty()
    limited = dataclasses.replace(
        settings, rate_limits=True, rate_limit_sign_in=3, secret_key=secrets.token_hex(16)
    )
    async with serving(create_app(limited, clock=clock)) as address, graphql_ws(address) as ws:
        first = await only_message(ws, FRAGMENTED_SIGN_INS, variables=guesses(0))
        second = await only_message(ws, FRAGMENTED_SIGN_INS, variables=guesses(1), identifier="2")

    assert first["type"] == "next"
    assert first["payload"]["data"]["a"] == {"token": None}
    assert second["type"] == "error"
    assert second["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert await Member.filter(name__startswith="Bot").count() == 1


async def test_an_operation_by_its_persisted_hash(address: str) -> None:
    """graphql-ws clients may send `extensions.persistedQuery`: resolved as over HTTP."""
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(VIEWER)}}
    async with graphql_ws(address) as ws:
        not_found = await ws.execute(None, {}, "1", extensions)
        sent = await ws.execute(VIEWER, {}, "2", extensions)
        by_hash = await ws.execute(None, {}, "3", extensions)
        bad = {"persistedQuery": {"version": 1, "sha256Hash": "nope"}}
        await ws.send({"id": "4", "type": "subscribe", "payload": {"extensions": bad}})
        with pytest.raises(ConnectionClosed) as closed:
            await ws.receive()

    [refused] = not_found
    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert sent[0]["payload"] == by_hash[0]["payload"]
    assert by_hash[0]["payload"]["data"] == {"viewer": None}
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400
