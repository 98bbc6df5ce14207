"""The graphql-cop checks and the security baseline, each asserting the hardened answer."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from asgi_lifespan import LifespanManager
from tortoise.context import TortoiseContext
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin, Subprotocol

from bench.statements import StatementLog
from demo.seed import SEED_GROUP_SLUG, seed_if_empty
from models import Member
from models.sql import fetch
from server import GROUP_PAGE_QUERY, create_app
from settings import Settings, SettingsError
from tests.conftest import TEST_SECRET_KEY, settings_for
from tests.helpers import client_for
from tests.servers import free_port
from tests.web.helpers import JSON, app_client, only_error

PROJECT_DIR = Path(__file__).resolve().parents[2]
APP_ORIGIN = "https://app.example.org"
FOREIGN_ORIGIN = "https://evil.example.com"
PRODUCTION = {"production": True, "introspection": False}
SIGN_UP = "mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token } }"
SAM = {"name": "Sam", "email": "sam@example.org", "password": "portland-maine-2023"}
NODE_BOMB = """
query Everything {
  groups(first: 100) {
    nodes { articles(first: 100) { nodes { comments(first: 100) { nodes { body } } } } }
  }
}
"""
# Whatever an error says, it must not show the server's insides.
LEAKS = re.compile(
    r"Traceback|File \"|\.py\b|site-packages|/work/|/usr/|\b(SELECT|FROM|INSERT|UPDATE)\b"
    r"|(?i:sqlite|asyncpg|tortoise|relation \"|no such table)"
)


async def post(query: str, **settings: Any) -> httpx.Response:
    """POST one query to an app configured by `settings`, with no database."""
    async with app_client(**settings) as http:
        return await http.post("/graphql", json={"query": query})


# JSON-array batching


async def test_json_array_batching_is_refused_and_runs_nothing(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    batch = [{"query": SIGN_UP, "variables": {"input": SAM}}] * 2

    response = await client.post("/graphql", json=batch)

    error = only_error(response, 400, "BAD_REQUEST")
    assert error["message"] == "Batching is not supported: send one operation."
    assert await Member.all().count() == 0


# Alias overloading


def aliased(count: int, field: str = "__typename") -> str:
    return " ".join(f"a{index}: {field}" for index in range(count))


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(f"query Aliases {{ {aliased(100)} }}", id="plain"),
        pytest.param(
            f"query Aliases {{ ...A }} fragment A on Query {{ {aliased(100)} }}", id="fragment"
        ),
        pytest.param(f"query Aliases {{ ... on Query {{ {aliased(100)} }} }}", id="inline"),
        pytest.param(
            "query Aliases { ...A ...B } "
            f"fragment A on Query {{ {aliased(50)} }} fragment B on Query {{ ...C }} "
            f"fragment C on Query {{ ... on Query {{ {aliased(50)} }} }}",
            id="split-across-fragments",
        ),
        pytest.param(
            f'query Aliases {{ group(slug: "x") {{ {aliased(100, "name")} }} }}', id="nested"
        ),
    ],
)
async def test_alias_overloading_is_refused(query: str) -> None:
    error = only_error(await post(query), 200, "ALIAS_LIMIT_EXCEEDED")

    assert error["message"] == "The query uses 100 aliases; the limit is 15."
    assert (error["extensions"]["measured"], error["extensions"]["limit"]) == (100, 15)


async def test_alias_batching_of_a_mutation_is_refused_and_runs_nothing(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    calls = " ".join(f"a{index}: signUp(input: $input) {{ token }}" for index in range(100))
    mutation = f"mutation SignUps($input: SignUpInput!) {{ {calls} }}"

    response = await client.post("/graphql", json={"query": mutation, "variables": {"input": SAM}})

    only_error(response, 200, "ALIAS_LIMIT_EXCEEDED")
    assert await Member.all().count() == 0


@pytest.mark.parametrize(
    ("query", "code"),
    [
        pytest.param(
            f"query Aliases {{ __schema {{ {aliased(100, 'types { name }')} }} }}",
            "ALIAS_LIMIT_EXCEEDED",
            id="aliases",
        ),
        pytest.param(
            "query Directives { __schema { queryType { "
            + "name @include(if: true) " * 60
            + "} } }",
            "DIRECTIVE_LIMIT_EXCEEDED",
            id="directives",
        ),
    ],
)
async def test_introspection_hides_no_aliases_or_directives(query: str, code: str) -> None:
    only_error(await post(query), 200, code)


# Circular fragments


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param(
            "query Loop { ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
            "Cannot spread fragment 'A' within itself via 'B'.",
            id="two",
        ),
        pytest.param(
            "query Loop { ...A } fragment A on Query { __typename ...A }",
            "Cannot spread fragment 'A' within itself.",
            id="self",
        ),
        pytest.param(
            'query Loop { group(slug: "x") { ...G } } '
            "fragment G on Group { pinnedArticles { ...A } } "
            "fragment A on Article { group { ...G } }",
            "Cannot spread fragment 'G' within itself via 'A'.",
            id="through-fields",
        ),
    ],
)
async def test_circular_fragments_are_a_validation_error(query: str, message: str) -> None:
    async with asyncio.timeout(5):
        response = await post(query)

    error = only_error(response, 200, "GRAPHQL_VALIDATION_FAILED")
    assert error["message"] == message


# Deep nesting


def nested(depth: int) -> str:
    """A selection `depth` fields deep: group, pinnedArticles, group, ... then a leaf."""
    fields = ['group(slug: "x")'] + ["pinnedArticles", "group"] * depth
    leaf = "name" if depth % 2 == 0 else "title"
    chain = fields[: depth - 1]
    return " { ".join([*chain, leaf]) + " }" * (depth - 1)


def nested_in_fragments(depth: int) -> str:
    types = ["Query"] + ["Group", "Article"] * depth
    fields = nested(depth).split(" { ")
    fragments = [
        f"fragment F{level} on {types[level]} {{ {fields[level]} {{ ...F{level + 1} }} }}"
        for level in range(depth - 1)
    ]
    leaf = f"fragment F{depth - 1} on {types[depth - 1]} {{ {fields[-1].split(' ')[0]} }}"
    return "query Deep { ...F0 } " + " ".join([*fragments, leaf])


def nested_in_inline_fragments(depth: int) -> str:
    fields = nested(depth).split(" { ")
    types = ["Group", "Article"] * depth
    inline = [f"{field} {{ ... on {types[level]}" for level, field in enumerate(fields[:-1])]
    leaf = fields[-1].split(" ")[0]
    return "query Deep { " + " { ".join([*inline, leaf]) + " }" * (2 * (depth - 1)) + " }"


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(f"query Deep {{ {nested(11)} }}", id="fields"),
        pytest.param(nested_in_fragments(11), id="fragments"),
        pytest.param(nested_in_inline_fragments(11), id="inline-fragments"),
        pytest.param(f"query __schema {{ {nested(11)} }}", id="operation-named-__schema"),
        pytest.param(f"query Deep {{ __schema: {nested(11)} }}", id="aliased-__schema"),
        pytest.param(
            f"query Deep {{ __typename ... on Query {{ {nested(11)} }} }}", id="beside-__typename"
        ),
    ],
)
async def test_deep_nesting_is_refused(query: str) -> None:
    error = only_error(await post(query), 200, "DEPTH_LIMIT_EXCEEDED")

    assert error["message"] == "The query is 11 levels deep; the limit is 10."


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(f"query Deep {{ {nested(10)} }}", id="fields"),
        pytest.param(nested_in_fragments(10), id="fragments"),
        pytest.param(nested_in_inline_fragments(10), id="inline-fragments"),
    ],
)
async def test_nesting_up_to_the_limit_runs(
    db: TortoiseContext, client: httpx.AsyncClient, query: str
) -> None:
    response = await client.post("/graphql", json={"query": query})

    assert response.json() == {
        "data": {"group": None},
        "extensions": {"cost": {"requested": 0, "limit": 10_000}},
    }


async def test_deep_introspection_is_refused() -> None:
    chain = 'query Deep { __type(name: "Group") { ' + "fields { type { " * 4 + "name"
    query = chain + " } }" * 4 + " } }"

    error = only_error(await post(query), 200, "GRAPHQL_VALIDATION_FAILED")

    assert error["message"] == "Maximum introspection depth exceeded"


# Field duplication and directive overloading


async def test_field_duplication_past_the_token_limit_is_refused() -> None:
    query = "query Duplicates { " + "__typename " * 2000 + "}"

    error = only_error(await post(query), 200, "TOKEN_LIMIT_EXCEEDED")

    assert (
        error["message"]
        == "The document has more than 2,000 tokens, the limit (it was not read further)."
    )


@pytest.mark.parametrize("repeats", [11, 500, 1000])
async def test_a_field_repeated_is_refused_before_validation(repeats: int) -> None:
    # graphql-cop's probe repeats __typename 500 times: fewer tokens than MAX_TOKENS, but
    # the check that repeated fields can be merged costs the square of their number.
    query = "query Duplicates { " + "__typename " * repeats + "}"

    error = only_error(await post(query), 200, "FIELD_REPEAT_LIMIT_EXCEEDED")

    assert error["message"] == (
        f"The query asks for one field {repeats} times in one selection; the limit is 10."
    )


async def test_ten_repeats_of_a_field_are_allowed() -> None:
    response = await post("query Repeats { " + "__typename " * 10 + "}")

    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize(
    ("query", "measured"),
    [
        pytest.param(
            "query Directives { __typename " + "@skip(if: false) " * 100 + "}", 100, id="skip"
        ),
        pytest.param("query Directives { __typename " + "@aa" * 100 + " }", 100, id="unknown"),
        pytest.param(
            "query Directives { ...F } fragment F on Query { "
            + "__typename @include(if: true) " * 60
            + "}",
            60,
            id="in-a-fragment",
        ),
        pytest.param(
            "query Directives @aa { ... on Query @aa { __typename " + "@aa" * 49 + " } }",
            51,
            id="on-operation-and-fragment",
        ),
    ],
)
async def test_directive_overloading_is_refused(query: str, measured: int) -> None:
    error = only_error(await post(query), 200, "DIRECTIVE_LIMIT_EXCEEDED")

    assert error["message"] == f"The query uses {measured} directives; the limit is 50."


# Introspection and suggestions


async def test_graphql_cop_introspection_probe_is_refused_in_production() -> None:
    query = "query cop { __schema { types { name fields { name } } } }"

    error = only_error(await post(query, **PRODUCTION), 200, "INTROSPECTION_DISABLED")

    assert error["message"] == "Introspection is disabled on this server."


async def test_graphql_cop_suggestion_probe_gets_no_suggestion_in_production() -> None:
    response = await post("query cop { __schema { directive } }", **PRODUCTION)

    messages = {error["message"] for error in response.json()["errors"]}
    assert messages == {
        "Cannot query field 'directive' on type '__Schema'.",
        "Introspection is disabled on this server.",
    }


# Cross-site request forgery


async def test_a_mutation_over_get_is_405_and_changes_nothing(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    response = await client.get(
        "/graphql",
        params={"query": SIGN_UP, "variables": orjson.dumps({"input": SAM}).decode()},
        headers={"origin": FOREIGN_ORIGIN},
    )

    only_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "POST"
    assert await Member.all().count() == 0


async def test_a_cross_site_form_post_is_415_and_changes_nothing(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    inline = SIGN_UP.replace("($input: SignUpInput!)", "").replace(
        "$input", '{name: "Sam", email: "sam@example.org", password: "portland-maine-2023"}'
    )

    response = await client.post(
        "/graphql", data={"query": inline}, headers={"origin": FOREIGN_ORIGIN}
    )

    only_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert "access-control-allow-origin" not in response.headers
    assert await Member.all().count() == 0


# No trace or debug leak

BAD_REQUESTS = [
    pytest.param("POST", {"content": b'{"query": '}, 400, id="malformed-json"),
    pytest.param("POST", {"json": {"query": "query Broken { group("}}, 200, id="parse"),
    pytest.param("POST", {"json": {"query": "query Unknown { nope }"}}, 200, id="validation"),
    pytest.param(
        "POST",
        {"json": {"query": "query G($slug: String!) { group(slug: $slug) { name } }"}},
        200,
        id="missing-variable",
    ),
    pytest.param(
        "POST",
        {"json": {"query": "query A { __typename }", "operationName": "B"}},
        200,
        id="operation-name",
    ),
    pytest.param("POST", {"content": b"{" * (Settings().max_body_bytes + 1)}, 413, id="too-large"),
    pytest.param("GET", {"params": {"query": SIGN_UP}}, 405, id="get-mutation"),
    pytest.param("TRACE", {}, 405, id="trace"),
    pytest.param("PUT", {"json": {"query": "query A { __typename }"}}, 405, id="put"),
]


@pytest.mark.parametrize(("method", "request_kwargs", "status"), BAD_REQUESTS)
@pytest.mark.parametrize("production", [True, False], ids=["production", "development"])
async def test_no_error_shows_a_trace_a_path_or_sql(
    method: str, request_kwargs: dict[str, Any], status: int, production: bool
) -> None:
    headers = {"content-type": JSON, "cookie": "session=secret"}
    async with app_client(production=production) as http:
        response = await http.request(method, "/graphql", headers=headers, **request_kwargs)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == JSON
    errors = response.json()["errors"]
    assert all("code" in error["extensions"] for error in errors), errors
    assert not LEAKS.search(response.text), response.text
    assert "secret" not in response.text


async def test_responses_carry_no_tracing_or_debug_extensions() -> None:
    response = await post("query cop { __typename }", **PRODUCTION)

    assert response.json() == {
        "data": {"__typename": "Query"},
        "extensions": {"cost": {"requested": 0, "limit": 10_000}},
    }


async def test_trace_is_405_allowing_get_and_post() -> None:
    async with app_client(**PRODUCTION) as http:
        response = await http.request("TRACE", "/graphql", headers={"x-probe": "echo-me"})

    only_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET, POST"
    assert "echo-me" not in response.text


@pytest.mark.own_database
async def test_a_database_failure_shows_no_sql_in_production(
    database_url: str, db: TortoiseContext
) -> None:
    await seed_if_empty()
    await fetch("ALTER TABLE comments RENAME TO comments_gone")

    async with client_for(create_app(settings_for(database_url, **PRODUCTION))) as http:
        response = await http.post(
            "/graphql", json={"query": GROUP_PAGE_QUERY, "variables": {"slug": SEED_GROUP_SLUG}}
        )

    assert response.status_code == 200
    errors = response.json()["errors"]
    assert {error["extensions"]["code"] for error in errors} == {"INTERNAL_SERVER_ERROR"}
    for error in errors:
        assert not LEAKS.search(error["message"]), error
        assert "comments" not in error["message"]


# CORS


async def preflight(origin: str, cors_origins: tuple[str, ...]) -> httpx.Response:
    async with app_client(cors_origins=cors_origins) as http:
        return await http.options(
            "/graphql",
            headers={
                "origin": origin,
                "access-control-request-method": "POST",
                "access-control-request-headers": "authorization, content-type",
            },
        )


async def test_a_preflight_from_an_allowed_origin_may_post_with_a_token() -> None:
    response = await preflight(APP_ORIGIN, (APP_ORIGIN,))

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"].split(", ")
    allowed_headers = response.headers["access-control-allow-headers"].lower().split(", ")
    assert {"authorization", "content-type"} <= set(allowed_headers)
    assert "access-control-allow-credentials" not in response.headers


@pytest.mark.parametrize(
    ("origin", "cors_origins"),
    [
        (FOREIGN_ORIGIN, (APP_ORIGIN,)),
        ("https://app.example.org.evil.example.com", (APP_ORIGIN,)),
        ("http://app.example.org", (APP_ORIGIN,)),
        ("null", (APP_ORIGIN,)),
        (APP_ORIGIN, ()),
    ],
    ids=["foreign", "suffixed", "http", "null", "production-default"],
)
async def test_a_preflight_from_another_origin_is_not_allowed(
    origin: str, cors_origins: tuple[str, ...]
) -> None:
    response = await preflight(origin, cors_origins)

    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_a_request_from_another_origin_gets_no_allow_origin() -> None:
    async with app_client(cors_origins=(APP_ORIGIN,)) as http:
        foreign = await http.post(
            "/graphql", json={"query": "query A { __typename }"}, headers={"origin": FOREIGN_ORIGIN}
        )
        allowed = await http.post(
            "/graphql", json={"query": "query A { __typename }"}, headers={"origin": APP_ORIGIN}
        )

    assert "access-control-allow-origin" not in foreign.headers
    assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "origin" in allowed.headers["vary"].lower()


@pytest.mark.parametrize("origin", [APP_ORIGIN, FOREIGN_ORIGIN])
@pytest.mark.parametrize("method", ["OPTIONS", "POST", "GET"])
async def test_credentials_are_never_allowed_with_any_origin(origin: str, method: str) -> None:
    headers = {"origin": origin, "access-control-request-method": "POST", "cookie": "a=b"}
    async with app_client(cors_origins=(APP_ORIGIN,)) as http:
        response = await http.request(
            method, "/graphql", params={"query": "query A { __typename }"}, headers=headers
        )

    assert response.headers.get("access-control-allow-origin") in (None, APP_ORIGIN)
    assert response.headers.get("access-control-allow-credentials") is None


BROWSER_SDK_HEADERS = [
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
    "apollographql-client-name",
    "apollographql-client-version",
    "x-request-id",
    "apollo-require-preflight",
]


async def preflight_with(headers: str) -> httpx.Response:
    async with app_client(cors_origins=(APP_ORIGIN,)) as http:
        return await http.options(
            "/graphql",
            headers={
                "origin": APP_ORIGIN,
                "access-control-request-method": "POST",
                "access-control-request-headers": headers,
            },
        )


@pytest.mark.parametrize("header", BROWSER_SDK_HEADERS)
async def test_a_preflight_with_a_tracing_or_client_name_header_is_allowed(header: str) -> None:
    response = await preflight_with(f"content-type, authorization, {header}")

    assert response.status_code == 200, response.text
    assert header in response.headers["access-control-allow-headers"].lower().split(", ")


async def test_a_preflight_with_every_browser_sdk_header_at_once_is_allowed() -> None:
    response = await preflight_with(", ".join(["content-type", *BROWSER_SDK_HEADERS]))

    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN


async def test_a_preflight_with_an_unknown_header_is_refused() -> None:
    response = await preflight_with("content-type, x-made-up-header")

    assert response.status_code == 400
    assert "Disallowed CORS headers" in response.text


async def test_scripts_may_read_retry_after_on_a_rate_limited_answer(
    db: TortoiseContext, settings: Settings
) -> None:
    query = "query Groups { groups(first: 5) { totalCount } }"  # costs 5: the budget is gone
    limited = replace(
        settings, cors_origins=(APP_ORIGIN,), rate_limits=True, rate_limit_query_cost=1
    )
    async with client_for(create_app(limited)) as http:
        for _ in range(2):
            response = await http.post(
                "/graphql", json={"query": query}, headers={"origin": APP_ORIGIN}
            )

    assert response.status_code == 429, response.text
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert response.headers["access-control-expose-headers"].lower() == "retry-after"
    assert int(response.headers["retry-after"]) >= 1


async def test_production_without_origins_warns_at_start(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(settings_for("sqlite://:memory:", **PRODUCTION, cors_origins=()))
    with caplog.at_level(logging.WARNING, logger="groupql"):
        async with LifespanManager(app):
            pass

    assert any("CORS_ORIGINS is empty" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "overrides",
    [{"cors_origins": ()}, {**PRODUCTION, "cors_origins": (APP_ORIGIN,)}],
    ids=["development", "production-with-an-origin"],
)
async def test_no_origin_warning_otherwise(
    caplog: pytest.LogCaptureFixture, overrides: dict[str, Any]
) -> None:
    app = create_app(settings_for("sqlite://:memory:", **overrides))
    with caplog.at_level(logging.WARNING, logger="groupql"):
        async with LifespanManager(app):
            pass

    assert not any("CORS_ORIGINS" in record.getMessage() for record in caplog.records)


def test_a_wildcard_origin_is_refused_by_the_settings() -> None:
    with pytest.raises(SettingsError, match="CORS_ORIGINS must list origins"):
        Settings.from_env({"CORS_ORIGINS": "*"})


# Huge lists: the node limit


async def test_the_node_limit_refuses_before_any_sql(
    db: TortoiseContext, client: httpx.AsyncClient, statements: StatementLog
) -> None:
    response = await client.post("/graphql", json={"query": NODE_BOMB})

    error = only_error(response, 200, "NODE_LIMIT_EXCEEDED")
    assert (error["extensions"]["measured"], error["extensions"]["limit"]) == (1_010_100, 10_000)
    assert error["message"].startswith("The query asks for up to 1,010,100 nodes; the limit is")
    assert statements.statements == []


# Cross-site WebSocket hijacking


@pytest.fixture
def websocket_server(database_url: str) -> Iterator[str]:
    """`uvicorn server:app` in its own process, allowing one origin: its `host:port`."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "CORS_ORIGINS": APP_ORIGIN,
    }
    command = [sys.executable, "-m", "uvicorn", "server:app", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode()
        assert "Traceback" not in output, output


async def started(address: str) -> None:
    async with httpx.AsyncClient(base_url=f"http://{address}") as http:
        for _ in range(100):
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    pytest.fail(f"uvicorn did not start on {address}")


async def test_a_websocket_from_an_allowed_origin_is_accepted(websocket_server: str) -> None:
    await started(websocket_server)

    async with connect(
        f"ws://{websocket_server}/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        origin=Origin(APP_ORIGIN),
    ) as socket_:
        assert socket_.subprotocol == "graphql-transport-ws"
        await socket_.send(orjson.dumps({"type": "connection_init"}).decode())
        assert orjson.loads(await socket_.recv()) == {"type": "connection_ack"}
        query = {"query": "query Typename { __typename }"}
        await socket_.send(
            orjson.dumps({"id": "1", "type": "subscribe", "payload": query}).decode()
        )
        answer = orjson.loads(await socket_.recv())

    assert (answer["id"], answer["type"]) == ("1", "next")
    assert answer["payload"]["data"] == {"__typename": "Query"}


async def test_a_websocket_from_the_servers_own_origin_is_accepted(
    websocket_server: str,
) -> None:
    """The app at `/` and GraphiQL subscribe from the server's own origin, in no CORS list."""
    await started(websocket_server)

    async with connect(
        f"ws://{websocket_server}/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        origin=Origin(f"http://{websocket_server}"),
    ) as socket_:
        await socket_.send(orjson.dumps({"type": "connection_init"}).decode())
        assert orjson.loads(await socket_.recv()) == {"type": "connection_ack"}


@pytest.mark.parametrize(
    "origin",
    [FOREIGN_ORIGIN, "https://app.example.org.evil.example.com", "null", "http://127.0.0.1:1"],
)
async def test_a_websocket_from_a_foreign_origin_is_refused(
    websocket_server: str, origin: str
) -> None:
    await started(websocket_server)

    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            f"ws://{websocket_server}/graphql",
            subprotocols=[Subprotocol("graphql-transport-ws")],
            origin=Origin(origin),
        ):
            pass

    assert refused.value.response.status_code == 403
