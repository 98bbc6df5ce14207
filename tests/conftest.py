"""Every test that touches the database runs twice: on SQLite and on PostgreSQL.

Each test gets its own database, copied from a template that the migrations
built once per session (so the tests exercise the migrations, not
`generate_schemas`). PostgreSQL comes from TEST_DATABASE_URL: without it those
runs are skipped; with it, a server that does not answer fails them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext

from bench.statements import StatementLog, statement_log
from models.config import migrate, tortoise_config
from server import create_app
from settings import Settings
from tests.helpers import client_for

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_SECRET_KEY = "test-secret-key"


def pytest_report_header() -> list[str]:
    execution = "planned" if GRAPHQL_PLANS.graphql_plans else "graphql-core's executor"
    if POSTGRES_URL:
        databases = f"databases: SQLite and PostgreSQL ({urlsplit(POSTGRES_URL).netloc})"
    else:
        databases = (
            "databases: SQLite only (set TEST_DATABASE_URL to run every test on PostgreSQL too)"
        )
    return [databases, f"execution: {execution} (GRAPHQL_PLANS)"]


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def admin(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


# CI runs the whole suite twice: with planned execution (the default) and without.
GRAPHQL_PLANS = Settings.from_env({"GRAPHQL_PLANS": os.environ.get("GRAPHQL_PLANS", "")})


def settings_for(url: str, **overrides: Any) -> Settings:
    """Settings for tests: rate limits off unless a test turns them on; planned execution
    as GRAPHQL_PLANS says."""
    values: dict[str, Any] = {
        "database_url": url,
        "secret_key": TEST_SECRET_KEY,
        "rate_limits": False,
        "graphql_plans": GRAPHQL_PLANS.graphql_plans,
    }
    return Settings(**(values | overrides))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(migrate(tortoise_config(settings_for(f"sqlite://{path}"))))
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must test PostgreSQL: set TEST_DATABASE_URL")
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL runs skipped")
    name = f"groupql_template_{uuid.uuid4().hex[:12]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        asyncio.run(migrate(tortoise_config(settings_for(with_database(POSTGRES_URL, name)))))
        yield name
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_database(postgres_template: str) -> Iterator[str]:
    """One migrated database, emptied before each test that uses it (see `database_url`)."""
    name = f"groupql_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    try:
        yield with_database(POSTGRES_URL, name)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def empty(url: str) -> None:
    """Every table emptied and every id sequence back at 1: as good as a new database."""
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT LIKE '%migration%'"
        )
        names = ", ".join(f'"{row["tablename"]}"' for row in tables)
        await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for this test alone.

    SQLite: a copy of the migrated template file. PostgreSQL: the session's
    database, emptied (creating one per test costs half a second); a test marked
    `own_database`, which changes the schema itself, gets a new one instead.
    """
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite://{path}"
        return
    if request.node.get_closest_marker("own_database") is None:
        url = request.getfixturevalue("postgres_database")
        asyncio.run(empty(url))
        yield url
        return
    template = request.getfixturevalue("postgres_template")
    name = f"groupql_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield with_database(POSTGRES_URL, name)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def twin_databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two migrated, empty databases for this test alone (to run the same operations on
    both and compare)."""
    if request.param == "sqlite":
        paths = [tmp_path / "one.sqlite3", tmp_path / "two.sqlite3"]
        for path in paths:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite://{paths[0]}", f"sqlite://{paths[1]}"
        return
    template = request.getfixturevalue("postgres_template")
    names = [f"groupql_test_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    for name in names:
        asyncio.run(admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield with_database(POSTGRES_URL, names[0]), with_database(POSTGRES_URL, names[1])
    finally:
        for name in names:
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, for tests of the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path}/upgrade.sqlite3"
        return
    if not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL runs skipped")
    name = f"groupql_upgrade_{uuid.uuid4().hex[:12]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield with_database(POSTGRES_URL, name)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for(database_url)


@pytest.fixture
def fast(settings: Settings) -> Settings:
    """The test's settings with live events flushed every 50 ms (subscription tests)."""
    return dataclasses.replace(settings, live_interval_ms=50)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[TortoiseContext]:
    """Tortoise, connected to this test's database for the duration of the test."""
    # Tortoise caches each model's INSERT statement by connection name, not by
    # dialect: after a SQLite test, a PostgreSQL test would get `?` placeholders.
    # One process only ever serves one database, so only the tests must clear it.
    EXECUTOR_CACHE.clear()
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(settings))
        yield context


@dataclass
class Clock:
    """The server's clock in tests: moves only when a test moves it."""

    now: datetime = field(default_factory=lambda: datetime(2024, 3, 1, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client(
    db: TortoiseContext, settings: Settings, clock: Clock
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the app, served in-process on this test's database."""
    async with client_for(create_app(settings, clock=clock)) as http:
        yield http


@pytest.fixture
def statements() -> Iterator[StatementLog]:
    """The SQL statements Tortoise sends during the test (as `make bench` counts them)."""
    with statement_log() as log:
        yield log
