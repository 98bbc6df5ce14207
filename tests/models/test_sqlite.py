"""Several processes on one SQLite file: WAL, a busy timeout, and write locks taken up front."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tortoise.context import TortoiseContext
from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from demo.seed import seed_if_empty
from models.config import SQLITE_BUSY_TIMEOUT_MS, migrate, tortoise_config
from models.sql import fetch, fetch_one
from schema.core import ids
from tests.conftest import TEST_SECRET_KEY, settings_for
from tests.servers import uvicorn, wait_until_ready

RECORD_VIEW = """
mutation RecordView($input: RecordArticleViewInput!) {
  recordArticleView(input: $input) { counted reason article { views } }
}
"""
ARTICLE_VIEWS = "query Views($id: ID!) { node(id: $id) { ... on Article { views } } }"
VIEWS = 400


@pytest.fixture
async def sqlite_file(tmp_path: Path) -> AsyncIterator[TortoiseContext]:
    config = tortoise_config(settings_for(f"sqlite://{tmp_path}/file.sqlite3"))
    await migrate(config)
    async with TortoiseContext() as context:
        await context.init(config=config)
        yield context


async def test_the_file_is_in_wal_mode_with_a_busy_timeout(sqlite_file: TortoiseContext) -> None:
    journal = await fetch_one("PRAGMA journal_mode")
    timeout = await fetch_one("PRAGMA busy_timeout")

    assert journal is not None
    assert timeout is not None
    assert list(journal.values()) == ["wal"]
    assert list(timeout.values()) == [SQLITE_BUSY_TIMEOUT_MS]


async def test_a_transaction_takes_the_write_lock_when_it_begins(
    sqlite_file: TortoiseContext, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "file.sqlite3", isolation_level=None)
    async with in_transaction():
        await fetch("SELECT 1 AS one")
        try:
            other.execute("PRAGMA busy_timeout = 0")
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


async def test_a_transaction_that_cannot_get_the_lock_fails_and_frees_the_connection(
    tmp_path: Path,
) -> None:
    """Past the busy timeout, BEGIN fails with a clear error; the process goes on working."""
    path = tmp_path / "locked.sqlite3"
    url = f"sqlite://{path}?busy_timeout=100"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode = WAL")
    other.execute("CREATE TABLE t (n INTEGER)")
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(settings_for(url)))
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(OperationalError, match="locked"):
            async with in_transaction():
                await fetch("INSERT INTO t (n) VALUES (1)")
        other.execute("ROLLBACK")
        other.close()

        async with asyncio.timeout(5):  # it hung forever when BEGIN failed
            async with in_transaction():
                await fetch("INSERT INTO t (n) VALUES (2)")
            rows = await fetch("SELECT n FROM t")

    assert rows == [{"n": 2}]


async def test_two_workers_on_one_file_count_every_one_of_400_concurrent_views(
    tmp_path: Path,
) -> None:
    url = f"sqlite://{tmp_path}/workers.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "RATE_LIMITS": "off",
        "LOG_LEVEL": "WARNING",
    }
    config = tortoise_config(settings_for(url))
    await migrate(config)
    async with TortoiseContext() as context:
        await context.init(config=config)
        await seed_if_empty()
    article_id = ids.encode("Article", 3)  # the seed's third article, 364 views
    limits = httpx.Limits(max_connections=VIEWS)
    with uvicorn(env, "--workers", "2") as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=60, limits=limits) as http:
            await wait_until_ready(http, seconds=30)
            answers = await asyncio.gather(
                *(
                    http.post(
                        "/graphql",
                        json={
                            "query": RECORD_VIEW,
                            "variables": {
                                "input": {"articleId": article_id, "viewerKey": f"viewer-{n}"}
                            },
                        },
                    )
                    for n in range(VIEWS)
                )
            )
            total = await http.post(
                "/graphql", json={"query": ARTICLE_VIEWS, "variables": {"id": article_id}}
            )
        output = served.stop()

    assert [answer.status_code for answer in answers] == [200] * VIEWS
    bodies = [answer.json() for answer in answers]
    assert [body.get("errors") for body in bodies] == [None] * VIEWS
    payloads = [body["data"]["recordArticleView"] for body in bodies]
    assert all(payload["counted"] for payload in payloads)
    assert sorted(payload["article"]["views"] for payload in payloads) == list(
        range(365, 365 + VIEWS)
    )
    assert total.json()["data"]["node"]["views"] == 364 + VIEWS
    assert output.count("Started server process") == 2, output
    assert "locked" not in output, output
