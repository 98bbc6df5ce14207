"""SQL statements per request of a running server, counted on the wire (bench.proxy).

The server runs with its DATABASE_URL pointing at the counting proxy: a few
requests of each shape warm it up (connections, prepared statements,
PostGraphile's introspection), then WIRE_REQUESTS more are sent one at a time
and each one's statements counted. The median is the number per request: a
request that happens to open a new pool connection (asyncpg then prepares and
introspects again) does not move it; the range is reported too.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterator, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

import httpx

from bench.answers import WrongAnswerError
from bench.operations import PAGE, PAGE_SLUG, SHAPES, THREAD
from bench.proxy import StatementCounter
from bench.servers import Server
from bench.verify import ask

WARM_REQUESTS = 3
WIRE_REQUESTS = 10


def through(database_url: str, port: int) -> str:
    """`database_url` with its host and port replaced by the proxy's (127.0.0.1:port)."""
    parts = urlsplit(database_url)
    user = parts.netloc.rpartition("@")[0]
    return urlunsplit(
        parts._replace(netloc=f"{user}@127.0.0.1:{port}" if user else f"127.0.0.1:{port}")
    )


def upstream(database_url: str) -> tuple[str, int]:
    parts = urlsplit(database_url)
    return parts.hostname or "127.0.0.1", parts.port or 5432


def keys(shape: str, thread_pks: Sequence[int], view_pks: Sequence[int]) -> Iterator[str | int]:
    if shape == PAGE:
        return itertools.repeat(PAGE_SLUG)
    return itertools.cycle(thread_pks if shape == THREAD else view_pks)


async def count(
    server: Server,
    counter: StatementCounter,
    thread_pks: Sequence[int],
    view_pks: Sequence[int],
) -> dict[str, list[int]]:
    """Each request's statements, for each shape, sent to `server` one request at a time."""
    found: dict[str, list[int]] = {}
    async with httpx.AsyncClient(timeout=30.0) as client:
        for shape in SHAPES:
            shape_keys = keys(shape, thread_pks, view_pks)
            for n, key in zip(range(WARM_REQUESTS), shape_keys, strict=False):
                await ask(client, server, shape, key, f"wire-warm-{shape}-{n}")
            found[shape] = []
            for n, key in zip(range(WIRE_REQUESTS), shape_keys, strict=False):
                before = counter.statements
                await ask(client, server, shape, key, f"wire-{shape}-{n}")
                found[shape].append(counter.statements - before)
    if not all(min(counts) for counts in found.values()):
        raise WrongAnswerError(f"{server.name}: no statement seen through the proxy: {found}")
    return found


def per_request(counts: Mapping[str, Sequence[int]]) -> dict[str, float]:
    """The median of each shape's counts."""
    return {shape: statistics.median(found) for shape, found in counts.items()}


def spread(name: str, counts: Mapping[str, Sequence[int]]) -> list[str]:
    """A sentence for each shape whose requests did not all send as many statements."""
    return [
        f"{name} {shape}: {min(found)} to {max(found)} statements over {len(found)} requests"
        for shape, found in counts.items()
        if min(found) != max(found)
    ]
