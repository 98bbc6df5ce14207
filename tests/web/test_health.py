"""`/readyz` answers within its limit whatever the database does, frozen included."""

from __future__ import annotations

import asyncio
import os
import time

import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from tests.conftest import TEST_SECRET_KEY
from tests.helpers import client_for
from tests.servers import postgres_cluster, uvicorn, wait_until_ready
from web.health import READY_TIMEOUT_SECONDS, Readiness

# What "within its limit" allows on a shared machine: the limit, and some time to answer.
SLACK_SECONDS = 0.5


class Hanging:
    """A database probe that never answers until told to, counting how often it starts."""

    def __init__(self) -> None:
        self.started = 0
        self.answer = asyncio.Event()

    async def __call__(self) -> object:
        self.started += 1
        await self.answer.wait()
        return [{"ok": 1}]


async def test_a_hanging_probe_answers_503_in_time_and_only_one_probe_runs() -> None:
    probe = Hanging()
    readiness = Readiness(probe, timeout=0.2)
    app = Starlette(routes=[Route("/readyz", readiness.readyz)])
    async with client_for(app) as http:
        started = time.monotonic()
        answers = await asyncio.gather(*(http.get("/readyz") for _ in range(5)))
        elapsed = time.monotonic() - started
        again = await http.get("/readyz")
        probes_while_hanging = probe.started
        probe.answer.set()
        await asyncio.sleep(0)
        ready = await http.get("/readyz")

    assert [answer.status_code for answer in answers] == [503] * 5
    assert elapsed < 0.2 + SLACK_SECONDS
    assert again.status_code == 503
    assert probes_while_hanging == 1  # every call waited on the same probe
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "database": "up"})


async def test_a_failing_probe_answers_503_at_once() -> None:
    async def refused() -> object:
        raise ConnectionRefusedError("nothing listens")

    app = Starlette(routes=[Route("/readyz", Readiness(refused).readyz)])
    async with client_for(app) as http:
        response = await http.get("/readyz")

    assert (response.status_code, response.json()["status"]) == (503, "unavailable")


async def test_readyz_answers_in_time_while_postgres_is_frozen_and_recovers_after() -> None:
    """A PostgreSQL cluster of this test's own, SIGSTOPped under a real uvicorn."""
    with postgres_cluster() as cluster:
        env = {**os.environ, "DATABASE_URL": cluster.url, "SECRET_KEY": TEST_SECRET_KEY}
        with uvicorn(env) as served:
            async with httpx.AsyncClient(base_url=served.url, timeout=30) as http:
                await wait_until_ready(http)
                cluster.freeze()
                try:
                    timed = [await timed_readyz(http) for _ in range(3)]
                finally:
                    cluster.resume()
                await wait_until_ready(http, seconds=15)
                after = await http.get("/readyz")
            output = served.stop()

    limit = READY_TIMEOUT_SECONDS + SLACK_SECONDS
    assert [status for status, _ in timed] == [503, 503, 503], output
    assert all(seconds < limit for _, seconds in timed), (timed, output)
    assert after.status_code == 200
    assert "did not answer within 2 s" in output


async def timed_readyz(http: httpx.AsyncClient) -> tuple[int, float]:
    started = time.monotonic()
    response = await http.get("/readyz")
    return response.status_code, time.monotonic() - started
