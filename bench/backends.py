"""CPU time PostgreSQL spends for the benchmark: its backends serving the benchmark database.

Only client backends connected to that database are counted (other databases on
the same server, other people's tests included, are not), read from /proc, so
only when PostgreSQL runs on this machine and its processes are visible. Not
counted: background processes (WAL writer, checkpointer, autovacuum). The
backends are read every POLL_SECONDS during a timed run, so that one which
exits during it (a pool closing a connection) still counts, up to its last
reading; how many exited after working is reported.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from bench import procfs

BACKENDS = (
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
)
POSTGRES_COMMAND = "postgres"
POLL_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class Usage:
    seconds: float
    vanished: int  # backends that worked, then exited: their last moments are missing


@dataclass(slots=True)
class Meter:
    """What the backends used from `before` on, as the readings come in."""

    before: dict[int, float]
    last: dict[int, float] = field(default_factory=dict)
    alive: frozenset[int] = frozenset()

    def read(self, cpu: dict[int, float]) -> None:
        self.last.update(cpu)
        self.alive = frozenset(cpu)

    def usage(self) -> Usage:
        used = {pid: cpu - self.before.get(pid, 0.0) for pid, cpu in self.last.items()}
        gone = [pid for pid, seconds in used.items() if seconds > 0 and pid not in self.alive]
        return Usage(seconds=sum(used.values()), vanished=len(gone))


class Backends:
    """Reads the CPU seconds of the benchmark database's backends, through one connection."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def visible(self) -> bool:
        """Whether this machine's /proc shows PostgreSQL's backends (it runs here)."""
        own = await self.connection.fetchval("SELECT pg_backend_pid()")
        return procfs.command_name(own) == POSTGRES_COMMAND

    async def snapshot(self) -> dict[int, float]:
        pids = [row["pid"] for row in await self.connection.fetch(BACKENDS)]
        return procfs.total_cpu_seconds(pids)

    @contextlib.asynccontextmanager
    async def metered(self) -> AsyncIterator[Meter]:
        """A meter of the backends' CPU over the block, read until the block ends."""
        meter = Meter(before=await self.snapshot())
        meter.read(meter.before)
        stop = asyncio.Event()

        async def poll() -> None:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), POLL_SECONDS)
                meter.read(await self.snapshot())

        polling = asyncio.create_task(poll())
        try:
            yield meter
        finally:
            stop.set()
            await polling  # its last reading is taken after the block
