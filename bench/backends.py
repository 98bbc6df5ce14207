"""CPU time PostgreSQL spends for the benchmark: its backends serving the benchmark database.

Only client backends connected to that database are counted (other databases on
the same server, other people's tests included, are not), read from /proc, so
only when PostgreSQL runs on this machine and its processes are visible. Not
counted: background processes (WAL writer, checkpointer, autovacuum), and a
backend that exits during a timed run (each run reports how many did).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench import procfs

BACKENDS = (
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
)
POSTGRES_COMMAND = "postgres"


@dataclass(frozen=True, slots=True)
class Usage:
    seconds: float
    vanished: int  # backends seen before that were gone after: their CPU is missing


class Backends:
    """Reads the CPU seconds of the benchmark database's backends, through one connection."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def pids(self) -> list[int]:
        return [row["pid"] for row in await self.connection.fetch(BACKENDS)]

    async def visible(self) -> bool:
        """Whether this machine's /proc shows PostgreSQL's backends (it runs here)."""
        own = await self.connection.fetchval("SELECT pg_backend_pid()")
        return procfs.command_name(own) == POSTGRES_COMMAND

    async def snapshot(self) -> dict[int, float]:
        return procfs.total_cpu_seconds(await self.pids())

    async def used_since(self, before: dict[int, float]) -> Usage:
        """CPU seconds used since `before` (backends that started since count in full)."""
        after = await self.snapshot()
        seconds = sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())
        return Usage(seconds=seconds, vanished=len(before.keys() - after.keys()))
