"""CPU time and memory of processes on this machine, from /proc (Linux)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
UTIME_FIELD = 11  # utime and stime: fields 14 and 15 of /proc/<pid>/stat, counted after
STIME_FIELD = 12  # the command name (which may hold spaces), that is from field 3


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU seconds `pid` has used, all its threads; None when it is gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return (int(fields[UTIME_FIELD]) + int(fields[STIME_FIELD])) / TICKS_PER_SECOND


def command_name(pid: int) -> str | None:
    try:
        return (PROC / str(pid) / "comm").read_text().strip()
    except OSError:
        return None


def rss_megabytes(pid: int) -> float | None:
    """Resident memory of `pid` in MB (VmRSS), or None when it is gone."""
    try:
        status = (PROC / str(pid) / "status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def total_cpu_seconds(pids: Iterable[int]) -> dict[int, float]:
    """CPU seconds of each of `pids` still running."""
    found = {pid: cpu_seconds(pid) for pid in pids}
    return {pid: seconds for pid, seconds in found.items() if seconds is not None}


def waiting_seconds(pid: int) -> float:
    """Seconds the threads of `pid` have spent runnable but waiting for a CPU (the run queue,
    /proc/<pid>/task/*/schedstat): how much the machine's other work held it back."""
    total = 0
    for schedstat in (PROC / str(pid) / "task").glob("*/schedstat"):
        try:
            total += int(schedstat.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9
