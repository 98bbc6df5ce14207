"""A request that runs too long is stopped, and what it started is rolled back."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from models import Membership
from models.config import tortoise_config
from models.sql import fetch
from schema.group import membership
from server import create_app
from settings import Settings
from tests import factories
from tests.conftest import Clock
from tests.helpers import client_for

JOIN = """
mutation Join($input: GroupInput!) { joinGroup(input: $input) { errors { code } } }
"""
GROUPS = "query Groups { groups { totalCount } }"


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


async def test_an_exhausted_pool_makes_requests_wait_at_most_the_timeout(
    one_connection: Settings, clock: Clock
) -> None:
    held = asyncio.Event()
    release = asyncio.Event()

    async def hold_the_only_connection() -> None:
        async with in_transaction():
            await fetch("SELECT 1 AS held")
            held.set()
            await release.wait()

    holder = asyncio.create_task(hold_the_only_connection())
    await held.wait()
    async with client_for(create_app(one_connection, clock=clock)) as http:
        started = asyncio.get_running_loop().time()
        waited = await http.post("/graphql", json={"query": GROUPS})
        elapsed = asyncio.get_running_loop().time() - started
        alive = await http.get("/healthz")
        release.set()
        await holder
        after = await http.post("/graphql", json={"query": GROUPS})

    assert waited.status_code == 504
    assert waited.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert 1.0 <= elapsed < 3.0
    assert alive.status_code == 200
    assert after.status_code == 200
    assert after.json()["data"] == {"groups": {"totalCount": 0}}
