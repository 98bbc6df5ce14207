"""Runs wrk with `bench/post.lua` and reads requests/s, latency percentiles and errors from it."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.servers import LOAD_CPU, pinned

SCRIPT = Path(__file__).resolve().parent / "post.lua"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}  # to milliseconds
TIMEOUT = "10s"

_REQUESTS_PER_SECOND = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_PERCENTILE = r"^\s+{}%\s+([\d.]+)(us|ms|s|m|h)\s*$"
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_UNEXPECTED = re.compile(r"^unexpected answers: (\d+) of (\d+)$", re.MULTILINE)


class WrkError(Exception):
    """wrk is missing, failed, or printed something this module cannot read."""


@dataclass(frozen=True, slots=True)
class Load:
    """How hard to push: for how long, with how many threads and open connections."""

    seconds: int
    threads: int
    connections: int


@dataclass(frozen=True, slots=True)
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    answers: int
    errors: int  # socket errors, and answers post.lua did not expect (any status but 200)
    output: str

    @property
    def valid(self) -> bool:
        return self.answers > 0 and self.errors == 0


def require() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise WrkError(
            "wrk is not installed; on Debian or Ubuntu: apt-get update && apt-get install -y wrk"
        )
    return path


async def run(url: str, load: Load, environ: Mapping[str, str]) -> Result:
    """POST to `url` for `load.seconds` with `post.lua`, configured by `environ` (see there).

    wrk runs on a CPU of its own when it can (the servers have another).
    """
    command = [
        require(),
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{load.seconds}s",
        f"--timeout={TIMEOUT}",
        "--latency",
        "-s",
        str(SCRIPT),
        url,
    ]
    process = await asyncio.create_subprocess_exec(
        *pinned(command, LOAD_CPU),
        env={**os.environ, **environ},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        stdout, _ = await process.communicate()
    finally:
        if process.returncode is None:  # interrupted: do not leave wrk loading the server
            process.kill()
            await process.wait()
    output = stdout.decode(errors="replace")
    if process.returncode != 0:
        raise WrkError(f"wrk exited with {process.returncode}:\n{output}")
    return parse(output)


def parse(output: str) -> Result:
    requests = _REQUESTS_PER_SECOND.search(output)
    unexpected = _UNEXPECTED.search(output)
    if requests is None or unexpected is None:
        raise WrkError(f"cannot read wrk's output:\n{output}")
    sockets = _SOCKET_ERRORS.search(output)
    errors = int(unexpected[1])  # post.lua counts every answer other than 200 among these
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    return Result(
        requests_per_second=float(requests[1]),
        p50_ms=_percentile(output, 50),
        p99_ms=_percentile(output, 99),
        answers=int(unexpected[2]),
        errors=errors,
        output=output,
    )


def _percentile(output: str, percent: int) -> float:
    found = re.search(_PERCENTILE.format(percent), output, re.MULTILINE)
    if found is None:
        raise WrkError(f"no {percent}% latency in wrk's output:\n{output}")
    return float(found[1]) * UNITS[found[2]]
