"""The benchmark's own tests. Those that need PostgreSQL (the floor, the counting proxy)
run on TEST_DATABASE_URL's server only: the floor speaks PostgreSQL alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext

from demo.bulk import Sizes, generate
from models.config import tortoise_config
from settings import Settings
from tests.conftest import empty, settings_for

# Two full threads (25 comments x 6 replies), the rest spread at random.
BENCH_DATA = Sizes(members=120, groups=4, articles=120, comments=1500, threads=2)


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """The session's PostgreSQL database, emptied for this test."""
    asyncio.run(empty(postgres_database))
    return postgres_database


@pytest.fixture
def postgres_settings(postgres_url: str) -> Settings:
    return settings_for(postgres_url)


@pytest.fixture
async def bench_data(postgres_settings: Settings) -> AsyncIterator[TortoiseContext]:
    """BENCH_DATA generated into PostgreSQL, with Tortoise connected to it."""
    EXECUTOR_CACHE.clear()  # see tests/conftest.py: db
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(postgres_settings))
        await generate(BENCH_DATA)
        yield context
