from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator

import asyncpg
import pytest

from bench.backends import POLL_SECONDS, Backends

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
WORK = "SELECT count(*) FROM generate_series(1, 3000000)"


@pytest.fixture
async def backends(postgres_url: str) -> AsyncIterator[Backends]:
    monitor = await asyncpg.connect(postgres_url)
    try:
        found = Backends(monitor)
        if not await found.visible():
            pytest.skip("PostgreSQL does not run on this machine")
        yield found
    finally:
        await monitor.close()


async def test_the_cpu_of_a_working_backend_is_counted(
    backends: Backends, postgres_url: str
) -> None:
    worker = await asyncpg.connect(postgres_url)
    try:
        async with backends.metered() as meter:
            await worker.execute(WORK)
    finally:
        await worker.close()

    assert meter.usage().seconds > 0.05
    assert meter.usage().vanished == 0


async def test_a_backend_that_exits_while_metered_still_counts(
    backends: Backends, postgres_url: str
) -> None:
    async with backends.metered() as meter:
        worker = await asyncpg.connect(postgres_url)
        await worker.execute(WORK)
        await asyncio.sleep(2 * POLL_SECONDS)  # read at least once while it is there
        await worker.close()
        await asyncio.sleep(2 * POLL_SECONDS)

    assert meter.usage().seconds > 0.05
    assert meter.usage().vanished == 1
