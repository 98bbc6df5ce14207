"""A request that runs too long is stopped, and what it started is rolled back; the deadline
holds from the token lookup to the answer, whatever the database does."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
import pytest
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from models import Membership
from models.config import migrate, tortoise_config
from models.sql import fetch
from schema.group import membership
from server import create_app
from settings import Settings
from tests import factories
from tests.conftest import TEST_SECRET_KEY, Clock, settings_for
from tests.helpers import client_for
from tests.servers import postgres_cluster, uvicorn, wait_until_ready
from tests.web.test_health import SLACK_SECONDS

JOIN = """
mutation Join($input: GroupInput!) { joinGroup(input: $input) { errors { code } } }
"""
GROUPS = "query Groups { groups { totalCount } }"
VIEWER = "query Viewer { viewer { name } }"


async def test_a_mutation_past_the_timeout_is_stopped_and_rolled_back(
    db: TortoiseContext, settings: Settings, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = await factories.group()
    sam = await factories.member()
    token = await factories.token(sam)
    slow = dataclasses.replace(settings, request_timeout_seconds=0.5)

    async def stuck(group_id: int, delta: int) -> None:  # after the membership row is written
        await asyncio.sleep(30)

    monkeypatch.setattr(membership, "count_members", stuck)
    async with client_for(create_app(slow, clock=clock)) as http:
        response = await http.post(
            "/graphql",
            json={"query": JOIN, "variables": {"input": {"groupId": factories.global_id(group)}}},
            headers=factories.bearer(token),
        )

    assert response.status_code == 504
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "TIMEOUT"
    assert "0.5 s" in error["message"]
    assert await Membership.filter(group_id=group.id).count() == 0


@pytest.fixture
async def one_connection(settings: Settings) -> AsyncIterator[Settings]:
    """Tortoise with a pool of one connection (SQLite has one anyway)."""
    narrow = dataclasses.replace(settings, db_pool_size=1, request_timeout_seconds=1)
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(narrow))
        await fetch("SELECT 1 AS warm")
        yield narrow


@asynccontextmanager
async def held_connection() -> AsyncIterator[None]:
    """A transaction holds a pooled connection (SQLite: the connection) inside the block."""
    held = asyncio.Event()
    release = asyncio.Event()

    async def hold_a_connection() -> None:
        async with in_transaction():
            await fetch("SELECT 1 AS held")
            held.set()
            await release.wait()

    holder = asyncio.create_task(hold_a_connection())
    await held.wait()
    try:
        yield
    finally:
        release.set()
        await holder


async def test_an_exhausted_pool_makes_requests_wait_at_most_the_timeout(
    one_connection: Settings, clock: Clock
) -> None:
    async with client_for(create_app(one_connection, clock=clock)) as http:
        async with held_connection():
            started = asyncio.get_running_loop().time()
            waited = await http.post("/graphql", json={"query": GROUPS})
            elapsed = asyncio.get_running_loop().time() - started
            alive = await http.get("/healthz")
        after = await http.post("/graphql", json={"query": GROUPS})

    assert waited.status_code == 504
    assert waited.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert 1.0 <= elapsed < 3.0
    assert alive.status_code == 200
    assert after.status_code == 200
    assert after.json()["data"] == {"groups": {"totalCount": 0}}


async def test_signed_in_requests_answer_within_the_deadline_while_postgres_is_frozen() -> None:
    """A PostgreSQL cluster of this test's own, SIGSTOPped under a real uvicorn: the token
    lookup, the wait for a connection and the query all hang. Every request still answers
    by its deadline (TIMEOUT, or SERVICE_UNAVAILABLE once the pool's wait gives up first),
    and the server answers again once the database is back."""
    with postgres_cluster() as cluster:
        settings = settings_for(cluster.url)
        await migrate(tortoise_config(settings))
        async with TortoiseContext() as context:
            await context.init(config=tortoise_config(settings))
            token = await factories.token(await factories.member(), now=datetime.now(UTC))
        env = {
            **os.environ,
            "DATABASE_URL": cluster.url,
            "SECRET_KEY": TEST_SECRET_KEY,
            "REQUEST_TIMEOUT_SECONDS": "2",
            "DB_POOL_SIZE": "2",
        }
        signed_in = factories.bearer(token)
        with uvicorn(env) as served:
            async with httpx.AsyncClient(base_url=served.url, timeout=30) as http:
                await wait_until_ready(http)
                before = await http.post("/graphql", json={"query": VIEWER}, headers=signed_in)
                cluster.freeze()
                try:
                    timed = await asyncio.gather(
                        *(timed_post(http, VIEWER, signed_in) for _ in range(4)),
                        timed_post(http, GROUPS, {}),
                    )
                finally:
                    cluster.resume()
                await wait_until_ready(http, seconds=15)
                after = await http.post("/graphql", json={"query": VIEWER}, headers=signed_in)
            output = served.stop()

    assert before.json()["data"] == {"viewer": {"name": "Sam Harrison"}}
    codes = [code for _, code, _ in timed]
    assert {status for status, _, _ in timed} <= {503, 504}, (timed, output)
    assert set(codes) <= {"TIMEOUT", "SERVICE_UNAVAILABLE"}, timed
    assert all(seconds < 2 + SLACK_SECONDS for _, _, seconds in timed), (timed, output)
    assert after.json()["data"] == {"viewer": {"name": "Sam Harrison"}}


async def timed_post(
    http: httpx.AsyncClient, query: str, headers: dict[str, str]
) -> tuple[int, str, float]:
    started = time.monotonic()
    response = await http.post("/graphql", json={"query": query}, headers=headers)
    [error] = response.json()["errors"]
    return response.status_code, error["extensions"]["code"], time.monotonic() - started
