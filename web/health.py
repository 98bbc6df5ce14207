"""Liveness and readiness, for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from models.sql import fetch

READY_TIMEOUT_SECONDS = 2.0
PROBE_MAX_AGE_SECONDS = 30.0
logger = logging.getLogger("groupql")

Probe = Callable[[], Coroutine[Any, Any, object]]


async def healthz(request: Request) -> Response:
    """The process answers (it never touches the database)."""
    return JSONResponse({"status": "ok"})


async def select_one() -> object:
    return await fetch("SELECT 1 AS ok")


class Readiness:
    """`/readyz`: 200 when the database answers, 503 when it does not, always within
    `timeout` seconds.

    The probe runs in a task of its own that the answer never waits for past the
    timeout: cancelling a query on a database that hangs waits as long as the database
    does (`asyncio.wait_for` answered after 25 s and 40 s against a frozen PostgreSQL).
    One probe at a time: while it is out, every call waits on that same probe, so a
    hanging database costs one stuck connection, not one per call. A probe out for
    longer than `PROBE_MAX_AGE_SECONDS` is abandoned and a new one tries a fresh
    connection.
    """

    def __init__(self, probe: Probe = select_one, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        self.probe = probe
        self.timeout = timeout
        self.running: asyncio.Task[object] | None = None
        self.started = 0.0

    async def readyz(self, request: Request) -> Response:
        probe = self.current()
        done, _ = await asyncio.wait({probe}, timeout=self.timeout)
        if not done:
            return not_ready(f"the database did not answer within {self.timeout:g} s")
        error = None if probe.cancelled() else probe.exception()
        if probe.cancelled() or error is not None:
            return not_ready(f"{type(error).__name__}: {error}" if error else "probe cancelled")
        return JSONResponse({"status": "ready", "database": "up"})

    def current(self) -> asyncio.Task[object]:
        now = time.monotonic()
        if self.running is not None and not self.running.done():
            if now - self.started < PROBE_MAX_AGE_SECONDS:
                return self.running
            self.running.cancel()  # not awaited: that could hang as long as the database
        self.running = asyncio.create_task(self.probe())
        self.running.add_done_callback(_retrieve)
        self.started = now
        return self.running


def not_ready(why: str) -> Response:
    logger.warning("not ready: %s", why)
    return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)


def _retrieve(task: asyncio.Task[object]) -> None:
    """Mark the probe's failure as seen: a probe nobody waited for any more is no error."""
    if not task.cancelled():
        task.exception()
