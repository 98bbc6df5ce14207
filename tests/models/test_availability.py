"""A database that cannot answer now is a 503 with Retry-After and SERVICE_UNAVAILABLE, over
HTTP and WebSocket, signed in or not: busy (SQLite locked, every pooled connection taken),
connections refused (the server stopped) and lost in the middle of a request."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext
from tortoise.exceptions import DBConnectionError, OperationalError

from models import Membership
from models.availability import PoolTimeoutError, unavailable
from models.config import migrate, tortoise_config
from schema.group import membership
from server import create_app
from settings import Settings
from tests import factories
from tests.conftest import Clock, settings_for
from tests.helpers import client_for
from tests.servers import PostgresCluster, postgres_cluster
from tests.web.helpers import only_error
from tests.web.servers import graphql_ws, serving
from tests.web.test_timeouts import held_connection

RECORD_VIEW = """
mutation RecordView($input: RecordArticleViewInput!) {
  recordArticleView(input: $input) { counted }
}
"""
JOIN = "mutation Join($input: GroupInput!) { joinGroup(input: $input) { errors { code } } }"
VIEWER = "query Viewer { viewer { name } }"
GROUPS = "query Groups { groups { totalCount } }"
UNAVAILABLE_MESSAGE = "The database cannot be reached right now: try again in 2 s."


def caused(kind: type[Exception], cause: Exception) -> Exception:
    """`kind` raised from `cause`, as Tortoise wraps the drivers' errors."""
    try:
        raise kind(cause) from cause
    except kind as error:
        return error


@pytest.mark.parametrize(
    "error",
    [
        PoolTimeoutError("no database connection was free within 5 s"),
        ConnectionRefusedError(111, "Connect call failed"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        caused(OperationalError, sqlite3.OperationalError("database is locked")),
        DBConnectionError("can't connect"),
    ],
)
def test_what_says_the_database_cannot_answer_now(error: Exception) -> None:
    assert unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        TimeoutError(),  # the request's own deadline: a TIMEOUT, not a 503
        asyncpg.UndefinedTableError('relation "comments" does not exist'),
        caused(OperationalError, sqlite3.OperationalError("no such table: comments")),
        FileNotFoundError("groupql.sqlite3"),
        ValueError("a bug"),
    ],
)
def test_what_is_a_fault_of_the_request_or_the_code(error: Exception) -> None:
    assert not unavailable(error)


def assert_unavailable(response: httpx.Response) -> None:
    error = only_error(response, 503, "SERVICE_UNAVAILABLE")
    assert response.headers["retry-after"] == "2"
    assert error["message"] == UNAVAILABLE_MESSAGE
    assert error["extensions"]["retryAfter"] == 2


def assert_unavailable_over_ws(messages: list[dict[str, Any]]) -> None:
    [message] = messages
    assert message["type"] == "error", message
    [error] = message["payload"]
    assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE", "retryAfter": 2}
    assert error["message"] == UNAVAILABLE_MESSAGE


# Busy: SQLite locked by another process's write; PostgreSQL with every pooled connection
# taken for longer than DB_POOL_TIMEOUT_SECONDS.


@dataclasses.dataclass
class Busy:
    settings: Settings
    article_id: str
    token: str


@pytest.fixture
async def busy(database_url: str) -> AsyncIterator[Busy]:
    """A database, with an article and a signed-in member, that is busy inside the block:
    on SQLite a write lock held by another connection (and a 0.1 s busy timeout); on
    PostgreSQL, a pool of one connection held by a transaction (waits of 0.5 s)."""
    sqlite_file = database_url.removeprefix("sqlite://")
    if database_url.startswith("sqlite"):
        settings = settings_for(f"{database_url}?busy_timeout=100")
    else:
        settings = settings_for(database_url, db_pool_size=1, db_pool_timeout_seconds=0.5)
    EXECUTOR_CACHE.clear()  # see the `db` fixture
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(settings))
        group = await factories.group()
        article = await factories.article(group, await factories.member("Dana Whitfield"))
        token = await factories.token(await factories.member(), now=Clock().now)
        if database_url.startswith("postgres"):
            async with held_connection():
                yield Busy(settings, factories.global_id(article), token)
        else:
            with write_locked(sqlite_file):
                yield Busy(settings, factories.global_id(article), token)


@contextmanager
def write_locked(path: str) -> Iterator[None]:
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_a_busy_database_answers_a_signed_in_write_with_a_503_at_once(busy: Busy) -> None:
    variables = {"input": {"articleId": busy.article_id, "viewerKey": "tab-1"}}
    async with client_for(create_app(busy.settings, clock=Clock())) as http:
        started = time.monotonic()
        response = await http.post(
            "/graphql",
            json={"query": RECORD_VIEW, "variables": variables},
            headers=factories.bearer(busy.token),
        )
        elapsed = time.monotonic() - started

    assert_unavailable(response)
    assert elapsed < busy.settings.request_timeout_seconds / 2  # not the deadline's TIMEOUT


async def test_a_busy_database_answers_over_websocket_with_an_error_carrying_the_code(
    busy: Busy,
) -> None:
    variables = {"input": {"articleId": busy.article_id, "viewerKey": "tab-1"}}
    app = create_app(busy.settings, clock=Clock())
    async with serving(app) as address, graphql_ws(address) as ws:
        messages = await ws.execute(RECORD_VIEW, variables)

    assert_unavailable_over_ws(messages)


# A PostgreSQL server of this test's own: stopped (connections refused), and connections
# killed in the middle of a request.


@pytest.fixture
async def cluster() -> AsyncIterator[tuple[PostgresCluster, Settings]]:
    with postgres_cluster() as running:
        settings = settings_for(running.url)
        await migrate(tortoise_config(settings))
        EXECUTOR_CACHE.clear()
        async with TortoiseContext() as context:
            await context.init(config=tortoise_config(settings))
            yield running, settings


async def test_a_stopped_server_is_a_503_over_http_and_websocket_until_it_is_back(
    cluster: tuple[PostgresCluster, Settings],
) -> None:
    server, settings = cluster
    token = await factories.token(await factories.member(), now=Clock().now)
    app = create_app(settings, clock=Clock())
    async with client_for(app) as http, serving(app) as address:
        before = await http.post(
            "/graphql", json={"query": VIEWER}, headers=factories.bearer(token)
        )
        server.stop()
        signed_in = await http.post(
            "/graphql", json={"query": VIEWER}, headers=factories.bearer(token)
        )
        anonymous = await http.post("/graphql", json={"query": GROUPS})
        async with graphql_ws(address) as ws:
            over_ws = await ws.execute(GROUPS)
        server.start()
        after = await http.post("/graphql", json={"query": VIEWER}, headers=factories.bearer(token))

    assert before.json()["data"] == {"viewer": {"name": "Sam Harrison"}}
    assert_unavailable(signed_in)
    assert_unavailable(anonymous)
    assert_unavailable_over_ws(over_ws)
    assert after.json()["data"] == {"viewer": {"name": "Sam Harrison"}}


async def test_a_connection_lost_in_the_middle_of_a_write_is_a_503_and_nothing_is_kept(
    cluster: tuple[PostgresCluster, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, settings = cluster
    group = await factories.group()
    token = await factories.token(await factories.member(), now=Clock().now)
    written = asyncio.Event()
    killed = asyncio.Event()
    count_members = membership.count_members

    async def after_the_connection_is_killed(group_id: int, delta: int) -> None:
        written.set()  # the membership row is written, in the transaction
        await killed.wait()
        await count_members(group_id, delta)

    monkeypatch.setattr(membership, "count_members", after_the_connection_is_killed)
    async with client_for(create_app(settings, clock=Clock())) as http:
        joining = asyncio.create_task(
            http.post(
                "/graphql",
                json={
                    "query": JOIN,
                    "variables": {"input": {"groupId": factories.global_id(group)}},
                },
                headers=factories.bearer(token),
            )
        )
        await written.wait()
        await terminate_every_session(server.url)
        killed.set()
        response = await joining

    assert_unavailable(response)
    assert await Membership.filter(group_id=group.id).count() == 0


async def terminate_every_session(url: str) -> None:
    admin = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
    finally:
        await admin.close()
