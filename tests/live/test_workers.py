"""Live events between real server processes over a real Redis: `uvicorn server:app` twice on
one database and one Redis (each its own process, as two workers or two hosts are), a
subscriber on one and the writes through the other."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import Article
from tests import factories
from tests.conftest import TEST_SECRET_KEY
from tests.factories import global_id
from tests.servers import RedisServer, Served, redis_server, uvicorn, wait_until_ready
from tests.web.servers import GraphQLWebSocketClient, graphql_ws

ARTICLE_CHANGED = """
subscription ArticleChanged($ids: [ID!]!) { articleChanged(ids: $ids) { id views } }
"""
RECORD_VIEW = """
mutation RecordView($input: RecordArticleViewInput!) {
  recordArticleView(input: $input) { counted article { views } }
}
"""
WAIT = 20.0  # seconds: a worker backs off while Redis is away before it reconnects


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    """A Redis of this test alone (the events of other tests' servers stay out)."""
    with redis_server() as server:
        yield server


def servers(database_url: str, redis_url: str, count: int) -> tuple[ExitStack, list[Served]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "REDIS_URL": redis_url,
        "RATE_LIMITS": "off",  # rate limits never fail open: with Redis away they refuse
        "LIVE_INTERVAL_MS": "50",
        "PRUNE_INTERVAL_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }
    stack = ExitStack()
    return stack, [stack.enter_context(uvicorn(env)) for _ in range(count)]


async def ready(*served: Served) -> None:
    for server in served:
        async with httpx.AsyncClient(base_url=server.url) as http:
            await wait_until_ready(http, seconds=30)


def address(server: Served) -> str:
    return server.url.removeprefix("http://")


async def record_view(server: Served, article: Article, viewer_key: str) -> int:
    variables = {"input": {"articleId": global_id(article), "viewerKey": viewer_key}}
    async with httpx.AsyncClient(base_url=server.url) as http:
        answer = await http.post("/graphql", json={"query": RECORD_VIEW, "variables": variables})
    view = answer.json()["data"]["recordArticleView"]
    assert view["counted"] is True, view
    views: int = view["article"]["views"]
    return views


async def watch(ws: GraphQLWebSocketClient, article: Article) -> int:
    """Subscribe to the article; its views in the first event."""
    payload = {"query": ARTICLE_CHANGED, "variables": {"ids": [global_id(article)]}}
    await ws.send({"id": "1", "type": "subscribe", "payload": payload})
    return await views_of(ws)


async def views_of(ws: GraphQLWebSocketClient) -> int:
    message: dict[str, Any] = await ws.receive()
    assert message["type"] == "next", message
    views: int = message["payload"]["data"]["articleChanged"]["views"]
    return views


async def until_views(ws: GraphQLWebSocketClient, views: int) -> list[int]:
    """Every views count received until `views` comes."""
    seen: list[int] = []
    async with asyncio.timeout(WAIT):
        while not seen or seen[-1] != views:
            seen.append(await views_of(ws))
    return seen


@pytest.fixture
async def article(db: TortoiseContext) -> Article:
    return await factories.article(await factories.group(), await factories.member(), views=10)


async def test_a_view_recorded_through_one_process_reaches_a_subscriber_on_the_other(
    database_url: str, redis: RedisServer, article: Article
) -> None:
    stack, (one, other) = servers(database_url, redis.url, 2)
    with stack:
        await ready(one, other)
        async with graphql_ws(address(one)) as on_one, graphql_ws(address(other)) as on_other:
            first = [await watch(on_one, article), await watch(on_other, article)]
            counted = await record_view(other, article, "reader-1")
            arrived = [await until_views(on_one, 11), await until_views(on_other, 11)]
            counted_again = await record_view(one, article, "reader-2")
            again = [await until_views(on_one, 12), await until_views(on_other, 12)]

    assert first == [10, 10]
    assert (counted, counted_again) == (11, 12)
    assert arrived == [[11], [11]]
    assert again == [[12], [12]]


async def test_redis_restarted_mid_stream_still_delivers_the_final_value(
    database_url: str, redis: RedisServer, article: Article
) -> None:
    stack, (subscribed_to, written_through) = servers(database_url, redis.url, 2)
    with stack:
        await ready(subscribed_to, written_through)
        async with graphql_ws(address(subscribed_to)) as ws:
            assert await watch(ws, article) == 10
            await record_view(written_through, article, "before")
            assert await until_views(ws, 11) == [11]

            redis.stop()
            for n in range(3):
                await record_view(written_through, article, f"during-{n}")
            redis.start()
            after_restart = await until_views(ws, 14)

            await record_view(written_through, article, "after")
            after_that = await until_views(ws, 15)
        logged = subscribed_to.stop()

    assert "live events: Redis listening failed" in logged, logged
    assert "live events: Redis listening works again" in logged, logged
    assert (await Article.get(id=article.id)).views == 15
    assert after_restart[-1] == 14
    assert after_that[-1] == 15
