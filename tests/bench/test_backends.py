from __future__ import annotations

import sys

import asyncpg
import pytest

from bench.backends import Backends


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_the_cpu_of_a_working_backend_is_counted(postgres_url: str) -> None:
    monitor = await asyncpg.connect(postgres_url)
    worker = await asyncpg.connect(postgres_url)
    try:
        backends = Backends(monitor)
        if not await backends.visible():
            pytest.skip("PostgreSQL does not run on this machine")
        before = await backends.snapshot()
        await worker.execute("SELECT count(*) FROM generate_series(1, 3000000)")

        used = await backends.used_since(before)
    finally:
        await worker.close()
        await monitor.close()

    assert used.seconds > 0.05
    assert used.vanished == 0
