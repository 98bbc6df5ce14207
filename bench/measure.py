"""One measurement: a server under one wrk load, with the CPU it and PostgreSQL spent."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass

from bench import machine, procfs, wrk
from bench.backends import Backends
from bench.options import Options
from bench.servers import Server


@dataclass(frozen=True, slots=True)
class Target:
    """One server's endpoint for one request shape, and the post.lua settings that drive it."""

    server: Server
    url: str
    environ: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Measurement:
    result: wrk.Result
    busy_before: float  # percent of all CPUs busy just before, with every server idle
    server_cpu_ms: float | None  # CPU per answer of the server process
    postgres_cpu_ms: float | None  # CPU per answer of the database's backends
    vanished_backends: int


def per_answer_ms(seconds: float | None, answers: int) -> float | None:
    return None if seconds is None or answers == 0 else 1000.0 * seconds / answers


async def measure(target: Target, options: Options, backends: Backends | None) -> Measurement:
    """A warm-up run, then the timed run with the same load, CPU read around the timed one.

    Before the timed run, how busy the CPUs are with the servers idle is recorded:
    anything much above zero is another program competing for them.
    """
    load = wrk.Load(options.seconds, options.threads, options.connections)
    warmup = wrk.Load(options.warmup_seconds, options.threads, options.connections)
    tag = f"{target.server.name}-{time.time_ns()}"
    await wrk.run(target.url, warmup, {**target.environ, "BENCH_RUN_TAG": f"{tag}-warmup"})
    busy = await machine.busy_percent()
    server_before = procfs.cpu_seconds(target.server.pid)
    async with contextlib.AsyncExitStack() as stack:
        meter = await stack.enter_async_context(backends.metered()) if backends else None
        timed = {**target.environ, "BENCH_RUN_TAG": f"{tag}-timed"}
        result = await wrk.run(target.url, load, timed)
        server_after = procfs.cpu_seconds(target.server.pid)
    usage = meter.usage() if meter else None
    server_seconds = (
        None if server_before is None or server_after is None else server_after - server_before
    )
    return Measurement(
        result=result,
        busy_before=busy,
        server_cpu_ms=per_answer_ms(server_seconds, result.answers),
        postgres_cpu_ms=per_answer_ms(usage.seconds if usage else None, result.answers),
        vanished_backends=usage.vanished if usage else 0,
    )
