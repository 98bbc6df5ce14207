from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from tortoise.context import TortoiseContext

from demo.seed import SEED_GROUP_SLUG, seed_if_empty
from models.config import tortoise_config
from models.sql import fetch
from server import GROUP_PAGE_QUERY, create_app
from tests.conftest import TEST_SECRET_KEY, settings_for
from tests.helpers import client_for
from tests.servers import Served, uvicorn, wait_until_ready

PROJECT_DIR = Path(__file__).resolve().parent.parent
SLUG = {"slug": SEED_GROUP_SLUG}


@pytest.fixture
async def app_client() -> AsyncIterator[httpx.AsyncClient]:
    """The app with no database behind it: for what must answer before touching one."""
    async with client_for(create_app(settings_for("sqlite://:memory:"))) as http:
        yield http


def graphql_error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == code
    message: str = error["message"]
    assert "Traceback" not in message
    return message


async def test_healthz_answers_without_a_database(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_answers_ready_when_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")

    assert (response.status_code, response.json()["status"]) == (200, "ready")


async def test_readyz_answers_503_when_the_database_does_not() -> None:
    settings = settings_for("postgres://postgres@127.0.0.1:9/nothing-listens-here")
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(settings))
        async with client_for(create_app(settings)) as http:
            response = await http.get("/readyz")

    assert (response.status_code, response.json()["status"]) == (503, "unavailable")


async def test_malformed_json_is_a_400_graphql_error(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post(
        "/graphql", content=b'{"query": ', headers={"content-type": "application/json"}
    )

    assert "JSON" in graphql_error(response, 400, "BAD_REQUEST")


async def test_a_body_without_a_query_is_a_400_graphql_error(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post("/graphql", json={"variables": {}})

    assert "query" in graphql_error(response, 400, "BAD_REQUEST")


async def test_a_form_body_is_refused(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post("/graphql", data={"query": "{ __typename }"})

    assert "application/json" in graphql_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


async def test_a_megabyte_query_is_refused_before_parsing(app_client: httpx.AsyncClient) -> None:
    query = "query Big { " + "__typename " * 100_000 + "}"

    response = await app_client.post("/graphql", json={"query": query})

    assert "262144 bytes" in graphql_error(response, 413, "REQUEST_TOO_LARGE")


async def test_a_chunked_body_over_the_limit_is_refused(app_client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "query Big { '
        for _ in range(300):
            yield b"__typename " * 100
        yield b'}"}'

    response = await app_client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )

    graphql_error(response, 413, "REQUEST_TOO_LARGE")


async def test_queries_work_over_get(client: httpx.AsyncClient) -> None:
    await seed_if_empty()

    response = await client.get(
        "/graphql",
        params={"query": GROUP_PAGE_QUERY, "variables": '{"slug": "muscle-weakness-ms"}'},
    )

    assert response.status_code == 200
    assert response.json()["data"]["group"]["memberCount"] == 169


async def test_mutations_are_refused_over_get(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get(
        "/graphql",
        params={"query": 'mutation M { recordArticleView(input: {articleId: "x"}) { counted } }'},
    )

    assert "POST" in graphql_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "POST"


async def test_variables_of_the_wrong_type_are_named(client: httpx.AsyncClient) -> None:
    body = (
        await client.post("/graphql", json={"query": GROUP_PAGE_QUERY, "variables": {"slug": 5}})
    ).json()

    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "$slug" in error["message"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("query Broken { group(slug: ", "GRAPHQL_PARSE_FAILED"),
        ('query Unknown { group(slug: "x") { nope } }', "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_parse_and_validation_errors_have_codes(
    app_client: httpx.AsyncClient, query: str, code: str
) -> None:
    body = (await app_client.post("/graphql", json={"query": query})).json()

    assert [error["extensions"]["code"] for error in body["errors"]] == [code]


async def test_graphiql_opens_on_the_group_page_query(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    html = response.text
    assert "query GroupPage($slug: String!)" in html
    assert 'id="graphiql-config"' in html
    assert SEED_GROUP_SLUG in html


@pytest.mark.own_database
async def test_an_unexpected_failure_is_coded_logged_and_not_a_500(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    await seed_if_empty()
    await fetch("ALTER TABLE comments RENAME TO comments_gone")

    with caplog.at_level(logging.ERROR, logger="groupql.errors"):
        response = await client.post(
            "/graphql", json={"query": GROUP_PAGE_QUERY, "variables": SLUG}
        )

    assert response.status_code == 200
    body = response.json()
    codes = {error["extensions"]["code"] for error in body["errors"]}
    assert codes == {"INTERNAL_SERVER_ERROR"}
    error_id = body["errors"][0]["extensions"]["errorId"]
    assert any(error_id in record.getMessage() and record.exc_info for record in caplog.records)
    assert all("Traceback" not in error["message"] for error in body["errors"])


@pytest.fixture
def uvicorn_server(database_url: str) -> Iterator[Served]:
    """`uvicorn server:app` in its own process, the way operators run it."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET_KEY}
    env.pop("LOG_LEVEL", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "seed"], cwd=PROJECT_DIR, env=env, check=True, capture_output=True)
    with uvicorn(env, "--no-access-log") as served:
        yield served
        output = served.stop()
    # uvicorn finishes its requests and the lifespan, then re-raises the signal.
    assert served.process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output, output
    assert "Traceback" not in output, output


async def test_uvicorn_serves_the_group_page_and_logs_it(uvicorn_server: Served) -> None:
    async with httpx.AsyncClient(base_url=uvicorn_server.url) as http:
        await wait_until_ready(http)
        response = await http.post("/graphql", json={"query": GROUP_PAGE_QUERY, "variables": SLUG})

    assert response.status_code == 200
    assert response.json()["data"]["group"]["memberCount"] == 169
    # `uvicorn server:app` configures only uvicorn's loggers: ours must still be heard, as
    # one JSON object a line, and with --no-access-log once per request.
    output = uvicorn_server.stop()
    lines = [orjson.loads(line) for line in output.splitlines() if line.startswith("{")]
    [line] = [line for line in lines if line["logger"] == "groupql.requests"]
    assert (line["operation"], line["status"], line["path"]) == ("GroupPage", 200, "/graphql")
    assert "POST /graphql HTTP/1.1" not in output


@pytest.fixture
def seeded(database_url: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET_KEY}
    subprocess.run([sys.executable, "manage.py", "seed"], cwd=PROJECT_DIR, env=env, check=True)
    return database_url


async def test_workers_without_secret_key_share_the_development_key(
    seeded: str, tmp_path: Path
) -> None:
    """With SECRET_KEY unset, every worker reads the key of the checkout (SECRET_KEY_FILE):
    one viewer sending the same key to both workers counts once."""
    key_file = tmp_path / ".secret_key"
    env = {**os.environ, "DATABASE_URL": seeded, "SECRET_KEY_FILE": str(key_file)}
    for name in ("SECRET_KEY", "GROUPQL_ENV", "LOG_LEVEL"):
        env.pop(name, None)
    env["RATE_LIMITS"] = "off"
    view = {
        "query": "mutation V($input: RecordArticleViewInput!) { recordArticleView(input: $input) "
        "{ counted } }",
        "variables": {"input": {"articleId": "QXJ0aWNsZToz", "viewerKey": "one-tab"}},
    }
    with uvicorn(env, "--workers", "2") as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as http:
            await wait_until_ready(http, seconds=30)
            answers = await asyncio.gather(*(http.post("/graphql", json=view) for _ in range(40)))
        output = served.stop()

    counted = [answer.json()["data"]["recordArticleView"]["counted"] for answer in answers]
    assert sum(counted) == 1
    warnings = [line for line in output.splitlines() if "SECRET_KEY is not set" in line]
    assert len(warnings) == 2, output  # one per worker, naming the same file
    assert all(str(key_file) in line for line in warnings)
    assert len(key_file.read_text().strip()) == 64
