"""Before timing: the three servers answer every shape correctly, and alike.

- The group page of every public group and the thread of every full-thread
  article, from all three: each a full answer, groupql's equal to the floor's
  (excerpts aside) and, in canonical form (see bench.answers), to PostGraphile's.
- No answer is cached across requests: through each server, a thread read, a
  view recorded, and the thread read again shows the view.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import httpx

from bench import answers
from bench.answers import WrongAnswerError
from bench.operations import (
    FLOOR,
    GROUPQL,
    PAGE,
    PATHS,
    POSTGRAPHILE,
    SERVERS,
    THREAD,
    VIEW,
    article_key,
    body,
)
from bench.servers import Server

TIMEOUT_SECONDS = 30.0


async def post(client: httpx.AsyncClient, server: Server, shape: str, request: Any) -> Any:
    response = await client.post(f"{server.url}{PATHS[server.name][shape]}", json=request)
    if response.status_code != 200:
        raise WrongAnswerError(
            f"{server.name} {shape} answered {response.status_code}: {answers.shown(response.text)}"
        )
    return response.json()


async def ask(
    client: httpx.AsyncClient, server: Server, shape: str, key: str | int, viewer: str = ""
) -> Any:
    """`server`'s full answer to `shape` for `key` (a slug, or an article's primary key)."""
    if shape != PAGE:
        key = article_key(server.name, int(key))
    answer = await post(client, server, shape, body(shape, server.name, key, viewer))
    found = answers.problem(shape, server.name, answer)
    if found:
        raise WrongAnswerError(f"{found} (for {key!r})")
    return answer


async def agree(
    client: httpx.AsyncClient, servers: Mapping[str, Server], shape: str, key: str | int
) -> None:
    """The three answers to `shape` for `key` say the same."""
    found = await asyncio.gather(*(ask(client, servers[name], shape, key) for name in SERVERS))
    by_server = dict(zip(SERVERS, found, strict=True))
    difference = answers.first_difference(
        answers.without_excerpts(by_server[GROUPQL]), answers.without_excerpts(by_server[FLOOR])
    )
    if difference:
        raise WrongAnswerError(f"{shape} {key!r}: groupql and the floor differ at {difference}")
    difference = answers.first_difference(
        answers.canonical(shape, GROUPQL, by_server[GROUPQL]),
        answers.canonical(shape, POSTGRAPHILE, by_server[POSTGRAPHILE]),
    )
    if difference:
        raise WrongAnswerError(f"{shape} {key!r}: groupql and PostGraphile differ at {difference}")


async def views_read(client: httpx.AsyncClient, server: Server, pk: int) -> int:
    thread = answers.canonical(THREAD, server.name, await ask(client, server, THREAD, pk))
    views: int = thread["views"]
    return views


async def nothing_cached(client: httpx.AsyncClient, server: Server, pk: int) -> None:
    """A view recorded through `server` shows in its answer to the next read."""
    before = await views_read(client, server, pk)
    viewer = f"verify-{time.time_ns()}"
    counted = answers.canonical(VIEW, server.name, await ask(client, server, VIEW, pk, viewer))
    after = await views_read(client, server, pk)
    if counted != before + 1 or after != before + 1:
        raise WrongAnswerError(
            f"{server.name}: views {before}, then a view answered {counted} and the next "
            f"read {after}: not {before + 1} both (a cached answer?)"
        )


async def verify(servers: Mapping[str, Server], slugs: list[str], thread_pks: list[int]) -> str:
    """Check everything above; return what was checked, or raise WrongAnswerError."""
    if not thread_pks:
        raise WrongAnswerError("no article with a full thread in the data: see demo/bulk.py")
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
        for slug in slugs:
            await agree(client, servers, PAGE, slug)
        for pk in thread_pks:
            await agree(client, servers, THREAD, pk)
        for name in SERVERS:
            await nothing_cached(client, servers[name], thread_pks[0])
    return (
        f"answers agree: the pages of {len(slugs)} public groups and the threads of "
        f"{len(thread_pks)} articles, from all three; views recorded through each show in "
        "its next read"
    )
