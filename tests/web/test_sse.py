"""GraphQL over Server-Sent Events ("distinct connections" mode of graphql-sse), over a real
uvicorn: queries, mutations and subscriptions as `next` events then `complete`, refusals as a
`next` with the errors HTTP gives, and subscriptions that end when the client goes."""

from __future__ import annotations

import dataclasses
import logging
import os
import secrets
import signal
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from tortoise.context import TortoiseContext
from websockets.exceptions import ConnectionClosed

from engine.persisted import sha256
from models import Article, GroupPrivacy
from server import create_app
from settings import Settings
from tests import factories
from tests.conftest import TEST_SECRET_KEY, Clock
from tests.factories import global_id
from tests.servers import uvicorn, wait_until_ready
from tests.web.helpers import log_lines, nested
from tests.web.servers import (
    ServerSentEvents,
    event_stream,
    graphql_ws,
    serving_live,
    until,
)
from web import sse

ARTICLE_CHANGED = """
subscription ArticleChanged($ids: [ID!]!) { articleChanged(ids: $ids) { id title views } }
"""
COMMENT_ADDED = """
subscription CommentAdded($articleId: ID!) { commentAdded(articleId: $articleId) { body } }
"""
VIEWS = "query Views($id: ID!) { node(id: $id) { ... on Article { views } } }"
RECORD_VIEW = """
mutation RecordView($input: RecordArticleViewInput!) {
  recordArticleView(input: $input) { counted article { views } }
}
"""
WAIT = 10.0


@pytest.fixture
def fast(settings: Settings) -> Settings:
    return dataclasses.replace(settings, live_interval_ms=50)


@pytest.fixture
def app(db: TortoiseContext, fast: Settings, clock: Clock) -> Starlette:
    return create_app(fast, clock=clock)


@pytest.fixture
async def address(app: Starlette) -> AsyncIterator[str]:
    async with serving_live(app) as served:
        yield served


@pytest.fixture
async def article(db: TortoiseContext) -> Article:
    author = await factories.member("Dana Whitfield")
    return await factories.article(await factories.group(), author, views=299)


def view_of(article: Article, viewer_key: str) -> dict[str, Any]:
    return {"query": RECORD_VIEW, "variables": {"input": view_input(article, viewer_key)}}


def view_input(article: Article, viewer_key: str) -> dict[str, Any]:
    return {"articleId": global_id(article), "viewerKey": viewer_key}


def assert_event_stream(events: ServerSentEvents) -> None:
    response = events.response
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"


async def http_post(address: str, body: dict[str, Any], **kw: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=f"http://{address}") as http:
        answer: dict[str, Any] = (await http.post("/graphql", json=body, **kw)).json()
        return answer


async def test_a_query_is_one_next_then_complete_as_http_answers_it(
    address: str, article: Article
) -> None:
    body = {"query": VIEWS, "variables": {"id": global_id(article)}}
    async with event_stream(address, body) as events:
        assert_event_stream(events)
        answered = await events.until_complete()

    assert answered == [("next", await http_post(address, body)), ("complete", None)]
    assert answered[0][1]["data"] == {"node": {"views": 299}}


async def test_a_query_over_get_for_eventsource(address: str, article: Article) -> None:
    params = {"query": VIEWS, "variables": orjson.dumps({"id": global_id(article)}).decode()}
    async with event_stream(address, params=params) as events:
        assert_event_stream(events)
        answered = await events.until_complete()

    assert answered[0] == ("next", {"data": {"node": {"views": 299}}, **cost(answered[0][1])})
    assert answered[1] == ("complete", None)


def cost(result: dict[str, Any]) -> dict[str, Any]:
    return {"extensions": result["extensions"]}


async def test_a_mutation_is_one_next_and_is_kept(address: str, article: Article) -> None:
    async with event_stream(address, view_of(article, "reader-1")) as events:
        answered = await events.until_complete()

    assert answered[0][1]["data"] == {
        "recordArticleView": {"counted": True, "article": {"views": 300}}
    }
    assert (await Article.get(id=article.id)).views == 300


REFUSALS = [
    ({"query": "query Broken {"}, "GRAPHQL_PARSE_FAILED"),
    ({"query": "query Nope { nope }"}, "GRAPHQL_VALIDATION_FAILED"),
    ({"query": "subscription Nope { nope }"}, "GRAPHQL_VALIDATION_FAILED"),
    ({"query": "query Deep { " + nested(12) + " }"}, "DEPTH_LIMIT_EXCEEDED"),
    ({"query": VIEWS, "variables": {"id": [3]}}, "BAD_USER_INPUT"),
    ({"query": VIEWS, "operationName": "Missing"}, "BAD_REQUEST"),
    ({"query": ARTICLE_CHANGED, "variables": {"ids": ["QXJ0aWNsZTo5OTk"]}}, "NOT_FOUND"),
    ({"query": ARTICLE_CHANGED, "variables": {"ids": []}}, "BAD_USER_INPUT"),
    ({"variables": {}}, "BAD_REQUEST"),
]


@pytest.mark.parametrize(
    ("body", "code"), REFUSALS, ids=[f"{n}-{code}" for n, (_, code) in enumerate(REFUSALS)]
)
async def test_a_refusal_is_a_next_with_the_errors_http_gives(
    address: str, body: dict[str, Any], code: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        async with event_stream(address, body) as events:
            assert_event_stream(events)
            (kind, result), complete = await events.until_complete()

    assert (kind, complete) == ("next", ("complete", None))
    assert "data" not in result or result["data"] is None
    assert [error["extensions"]["code"] for error in result["errors"]] == [code]
    if "subscription" not in body.get("query", ""):
        assert result["errors"] == (await http_post(address, body))["errors"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_request_errors_before_graphql_are_events_too(address: str) -> None:
    async with httpx.AsyncClient(base_url=f"http://{address}") as http:
        answers = [
            await http.post(
                "/graphql",
                content=content,
                headers={"accept": "text/event-stream", "content-type": content_type},
            )
            for content, content_type in [
                (b"{not json", "application/json"),
                (b"query=x", "application/x-www-form-urlencoded"),
                (b'{"query": "' + b" " * 300_000 + b'"}', "application/json"),
            ]
        ]
        mutation_over_get = await http.get(
            "/graphql",
            params={"query": RECORD_VIEW, "variables": "{}"},
            headers={"accept": "text/event-stream"},
        )

    codes = []
    for response in [*answers, mutation_over_get]:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        next_block, complete_block, _ = response.text.split("\n\n")
        assert complete_block == "event: complete\ndata:"
        kind, data = next_block.split("\n")
        assert kind == "event: next"
        codes.append(orjson.loads(data.removeprefix("data: "))["errors"][0]["extensions"]["code"])
    assert codes == [
        "BAD_REQUEST",
        "UNSUPPORTED_MEDIA_TYPE",
        "REQUEST_TOO_LARGE",
        "METHOD_NOT_ALLOWED",
    ]


async def test_a_subscription_sends_the_current_state_then_each_change(
    address: str, article: Article
) -> None:
    body = {"query": ARTICLE_CHANGED, "variables": {"ids": [global_id(article)]}}
    async with event_stream(address, body) as events:
        assert_event_stream(events)
        first = await events.receive()
        await http_post(address, view_of(article, "reader-1"))
        second = await events.receive()

    changed = {"id": global_id(article), "title": "Managing Hand Tremors in MS"}
    assert first == ("next", {"data": {"articleChanged": {**changed, "views": 299}}})
    assert second == ("next", {"data": {"articleChanged": {**changed, "views": 300}}})


async def test_a_subscription_over_get_for_eventsource(
    app: Starlette, address: str, article: Article
) -> None:
    params = {
        "query": COMMENT_ADDED,
        "variables": orjson.dumps({"articleId": global_id(article)}).decode(),
    }
    sam = await factories.member("Sam Harrison")
    await factories.join(await article.group, sam)
    token = await factories.token(sam)
    add_comment = """
    mutation AddComment($input: AddCommentInput!) { addComment(input: $input) { errors { code } } }
    """
    async with event_stream(address, params=params) as events:
        assert_event_stream(events)
        await subscriptions(app, 1)
        added = await http_post(
            address,
            {
                "query": add_comment,
                "variables": {"input": {"articleId": global_id(article), "body": "Maine!"}},
            },
            headers=factories.bearer(token),
        )
        assert added["data"] == {"addComment": {"errors": []}}, added
        received = await events.receive()

    assert received == ("next", {"data": {"commentAdded": {"body": "Maine!"}}})


async def subscriptions(app: Starlette, count: int) -> None:
    """Until the app's hub holds `count` subscriptions (a stream of comments sends nothing
    when it starts: tests wait for this instead)."""
    hub = app.state.live.hub
    await until(lambda: sum(len(held) for held in hub.by_connection.values()) == count)


async def test_the_subscription_ends_when_the_client_goes(
    app: Starlette, address: str, article: Article
) -> None:
    body = {"query": ARTICLE_CHANGED, "variables": {"ids": [global_id(article)]}}
    async with event_stream(address, body) as events:
        await events.receive()
        await subscriptions(app, 1)
        assert app.state.live.hub.cohorts

    await subscriptions(app, 0)
    assert app.state.live.hub.cohorts == {}
    await until(lambda: not app.state.addresses.open)


async def test_comments_keep_an_idle_stream_open(
    address: str, article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sse, "KEEP_ALIVE_SECONDS", 0.1)
    body = {"query": COMMENT_ADDED, "variables": {"articleId": global_id(article)}}
    async with event_stream(address, body) as events:
        received = [await events.receive(comments=True) for _ in range(3)]

    assert received == [(":", ""), (":", ""), (":", "")]


async def test_event_streams_count_with_websockets_per_address(
    db: TortoiseContext, fast: Settings, clock: Clock, article: Article
) -> None:
    one_each = dataclasses.replace(fast, live_max_connections_per_address=1)
    body = {"query": ARTICLE_CHANGED, "variables": {"ids": [global_id(article)]}}
    app = create_app(one_each, clock=clock)
    async with serving_live(app) as address:
        async with event_stream(address, body) as events:
            await events.receive()
            async with event_stream(address, body) as second:
                (_, refused), _ = await second.until_complete()
            async with graphql_ws(address, init=False) as ws:
                with pytest.raises(ConnectionClosed) as closed:
                    await ws.receive()
        await until(lambda: not app.state.addresses.open)
        async with graphql_ws(address):  # the stream is closed: a socket may open
            pass

    assert refused["errors"][0]["extensions"]["code"] == "TOO_MANY_CONNECTIONS"
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1013


async def test_the_authorization_header_signs_the_subscription_in(
    address: str, db: TortoiseContext
) -> None:
    reader = await factories.member("Reader")
    private = await factories.group("private", GroupPrivacy.PRIVATE)
    await factories.join(private, reader)
    hidden = await factories.article(private, reader)
    body = {"query": ARTICLE_CHANGED, "variables": {"ids": [global_id(hidden)]}}
    token = await factories.token(reader)

    async with event_stream(address, body, headers=factories.bearer(token)) as events:
        signed_in = await events.receive()
    async with event_stream(address, body) as events:
        (_, anonymous), _ = await events.until_complete()
    async with event_stream(address, body, headers={"authorization": "Bearer bogus"}) as events:
        (_, bogus), _ = await events.until_complete()

    assert signed_in[1]["data"]["articleChanged"]["id"] == global_id(hidden)
    assert anonymous["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert bogus["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_subscription_spends_the_query_budget(
    db: TortoiseContext, fast: Settings, clock: Clock, article: Article
) -> None:
    limited = dataclasses.replace(
        fast, rate_limits=True, rate_limit_query_cost=2, secret_key=secrets.token_hex(16)
    )
    body = {"query": ARTICLE_CHANGED, "variables": {"ids": [global_id(article)]}}
    async with serving_live(create_app(limited, clock=clock)) as address:
        answers = []
        for _ in range(3):
            async with event_stream(address, body) as events:
                answers.append(await events.receive())

    assert [kind for kind, _ in answers] == ["next", "next", "next"]
    assert "data" in answers[0][1]
    assert answers[2][1]["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert answers[2][1]["errors"][0]["extensions"]["retryAfter"] >= 1


async def test_cors_is_the_same_as_over_http(
    db: TortoiseContext, fast: Settings, clock: Clock, article: Article
) -> None:
    allowed = dataclasses.replace(fast, cors_origins=("https://app.example.org",))
    body = {"query": ARTICLE_CHANGED, "variables": {"ids": [global_id(article)]}}
    async with serving_live(create_app(allowed, clock=clock)) as address:
        headers = {}
        for origin in ("https://app.example.org", "https://evil.example.com"):
            async with event_stream(address, body, headers={"origin": origin}) as events:
                await events.receive()
                headers[origin] = events.response.headers.get("access-control-allow-origin")
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            preflight = {
                origin: await http.options(
                    "/graphql",
                    headers={
                        "origin": origin,
                        "access-control-request-method": "POST",
                        "access-control-request-headers": "authorization, content-type",
                    },
                )
                for origin in ("https://app.example.org", "https://evil.example.com")
            }

    assert headers == {
        "https://app.example.org": "https://app.example.org",
        "https://evil.example.com": None,
    }
    assert preflight["https://app.example.org"].status_code == 200
    assert preflight["https://evil.example.com"].status_code == 400


async def test_every_operation_writes_a_log_line(
    address: str, article: Article, caplog: pytest.LogCaptureFixture
) -> None:
    subscription = {
        "query": ARTICLE_CHANGED,
        "variables": {"ids": [global_id(article)]},
        "operationName": "ArticleChanged",
    }
    with caplog.at_level(logging.INFO, logger="groupql.requests"):
        for body in (
            {"query": VIEWS, "variables": {"id": global_id(article)}},
            view_of(article, "reader-1"),
            subscription,
            {"query": "query Nope { nope }"},
        ):
            async with event_stream(address, body) as events:
                await events.receive()

    lines = log_lines(caplog)
    assert [(line["transport"], line["operation"], line["status"]) for line in lines] == [
        ("sse", "Views", 200),
        ("sse", "RecordView", 200),
        ("sse", "ArticleChanged", 200),
        ("sse", "Nope", 200),
    ]


async def test_the_server_stopping_ends_its_streams_without_complete(
    database_url: str, article: Article
) -> None:
    """uvicorn waits for every open response before it stops: SIGTERM ends the streams
    (without `complete`, so that clients reconnect), and the server exits."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET_KEY}
    env.update({"LOG_LEVEL": "WARNING", "PRUNE_INTERVAL_SECONDS": "0"})
    body = {"query": ARTICLE_CHANGED, "variables": {"ids": [global_id(article)]}}
    with uvicorn(env) as served:
        async with httpx.AsyncClient(base_url=served.url) as http:
            await wait_until_ready(http)
        address = served.url.removeprefix("http://")
        async with event_stream(address, body) as events:
            first = await events.receive()
            served.process.send_signal(signal.SIGTERM)
            with pytest.raises(EOFError):
                await events.receive()
        served.process.wait(timeout=10)
        output = served.stop()

    assert first[0] == "next"
    assert served.process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output, output


async def test_a_subscription_by_its_persisted_hash(address: str, article: Article) -> None:
    """Not found, then sent with its query (and kept), then by its hash alone."""
    variables = {"ids": [global_id(article)]}
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(ARTICLE_CHANGED)}}
    answers = []
    for body in (
        {"extensions": extensions, "variables": variables},
        {"query": ARTICLE_CHANGED, "extensions": extensions, "variables": variables},
        {"extensions": extensions, "variables": variables},
    ):
        async with event_stream(address, body) as events:
            answers.append(await events.receive())

    not_found, *found = answers
    assert not_found[1]["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert [answer[1]["data"]["articleChanged"]["views"] for answer in found] == [299, 299]
