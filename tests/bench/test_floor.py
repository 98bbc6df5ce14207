"""The floor answers exactly as groupql does (excerpts aside), with one statement a request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from tortoise.context import TortoiseContext

from bench import floor
from bench.answers import without_excerpts
from bench.counting import through, upstream
from bench.operations import FLOOR, GROUPQL, PAGE, PATHS, THREAD, VIEW, article_key, body
from bench.proxy import StatementCounter, counting_proxy
from demo.bulk import thread_articles
from server import create_app
from settings import Settings
from tests.bench.conftest import BENCH_DATA
from tests.helpers import client_for


@pytest.fixture
async def floor_client(
    bench_data: TortoiseContext, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[httpx.AsyncClient, StatementCounter]]:
    """The floor app, served in process on the bench data through a counting proxy."""
    async with counting_proxy(*upstream(postgres_url)) as (counter, port):
        monkeypatch.setenv("DATABASE_URL", through(postgres_url, port))
        async with LifespanManager(floor.app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://floor") as client:
                yield client, counter


async def answers(
    floor_client: httpx.AsyncClient, settings: Settings, shape: str, key: str | int
) -> tuple[Any, Any]:
    """(groupql's answer, the floor's) to `shape` for `key` (a slug or an article's pk)."""
    ours_key = key if shape == PAGE else article_key(GROUPQL, int(key))
    async with client_for(create_app(settings)) as groupql:
        ours = await groupql.post("/graphql", json=body(shape, GROUPQL, ours_key))
    theirs = await floor_client.post(PATHS[FLOOR][shape], json=body(shape, FLOOR, key))
    assert ours.status_code == theirs.status_code == 200
    return without_excerpts(ours.json()), without_excerpts(theirs.json())


@pytest.mark.parametrize("slug", ["group-1", "group-2"])
async def test_the_page_is_groupqls(
    floor_client: tuple[httpx.AsyncClient, StatementCounter],
    postgres_settings: Settings,
    slug: str,
) -> None:
    ours, theirs = await answers(floor_client[0], postgres_settings, PAGE, slug)

    assert ours["data"]["group"]["articles"]["nodes"]
    assert theirs == ours


@pytest.mark.parametrize("pk", thread_articles(BENCH_DATA))
async def test_the_thread_is_groupqls(
    floor_client: tuple[httpx.AsyncClient, StatementCounter], postgres_settings: Settings, pk: int
) -> None:
    ours, theirs = await answers(floor_client[0], postgres_settings, THREAD, pk)

    comments = ours["data"]["node"]["comments"]["nodes"]
    assert [len(comment["replies"]["nodes"]) for comment in comments] == [5] * 20
    assert any(group["count"] for comment in comments for group in comment["reactionGroups"])
    assert theirs == ours


async def test_an_unknown_article_has_no_thread(
    floor_client: tuple[httpx.AsyncClient, StatementCounter],
) -> None:
    answer = await floor_client[0].post("/thread", json={"articleId": 10**6})

    assert answer.json() == {"data": {"node": None}}


async def test_each_request_is_one_statement_without_a_pool_reset(
    floor_client: tuple[httpx.AsyncClient, StatementCounter],
) -> None:
    client, counter = floor_client
    requests: list[tuple[str, str | int]] = [
        (PAGE, "group-1"),
        (THREAD, thread_articles(BENCH_DATA)[0]),
        (VIEW, 1),
    ]
    await client.post("/view", json={"articleId": 1})  # the pool's first connection
    before = counter.statements

    for shape, key in requests:
        assert (await client.post(PATHS[FLOOR][shape], json=body(shape, FLOOR, key))).is_success

    # asyncpg's default reset would add one (multi-statement) query after each request.
    assert counter.statements - before == len(requests)
