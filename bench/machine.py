"""Facts about the machine the numbers came from, and how busy it is before a timed run."""

from __future__ import annotations

import asyncio
import os
import platform
from pathlib import Path

PROC_STAT = Path("/proc/stat")
PROC_CPUINFO = Path("/proc/cpuinfo")


def cpu_model() -> str:
    try:
        for line in PROC_CPUINFO.read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def facts(postgres_version: str) -> list[tuple[str, str]]:
    return [
        ("CPU", cpu_model()),
        ("cores", str(os.cpu_count())),
        ("Python", platform.python_version()),
        ("PostgreSQL", postgres_version),
    ]


def _cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot; (0, 0) where /proc/stat is missing."""
    try:
        fields = [int(n) for n in PROC_STAT.read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


async def busy_percent(seconds: float = 1.0) -> float:
    """How busy all CPUs were over the next `seconds`, in percent (0 when unknown)."""
    busy_before, total_before = _cpu_times()
    await asyncio.sleep(seconds)
    busy_after, total_after = _cpu_times()
    if total_after <= total_before:
        return 0.0
    return 100.0 * (busy_after - busy_before) / (total_after - total_before)
