"""The floor: the benchmark's requests done with the least machinery that can do them.

Starlette routes, one asyncpg pool, orjson, and one SQL statement per request:
PostgreSQL builds the whole group page, or article thread, as JSON itself
(`bench.floor_sql`). It is what groupql would cost with no GraphQL, no ORM and
no Python-side objects, so groupql's speed is reported as a fraction of it.

Serve it with `uvicorn bench.floor:app`; it reads DATABASE_URL and DB_POOL_SIZE.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.floor_sql import ARTICLE_THREAD, COUNT_VIEW, GROUP_PAGE


async def keep_session(connection: asyncpg.Connection) -> None:
    """No session reset when a connection goes back to the pool, as groupql does
    (models.config.PooledConnection): asyncpg's default sends four more statements and
    waits a round trip after every request. The floor changes no session state; an open
    transaction would still be rolled back by asyncpg."""


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    pool = await asyncpg.create_pool(
        os.environ["DATABASE_URL"],
        min_size=1,
        max_size=int(os.environ.get("DB_POOL_SIZE") or 10),
        server_settings={"timezone": "UTC"},
        reset=keep_session,
    )
    app.state.pool = pool
    try:
        yield
    finally:
        await pool.close()


async def page(request: Request) -> Response:
    """POST {"slug": ...}: the group page, as groupql's GROUP_PAGE_QUERY answers it."""
    slug = orjson.loads(await request.body())["slug"]
    body: str = await request.app.state.pool.fetchval(GROUP_PAGE, slug)
    return Response(body, media_type="application/json")


async def thread(request: Request) -> Response:
    """POST {"articleId": int}: the article thread, as groupql's THREAD_QUERY answers it."""
    article_id = orjson.loads(await request.body())["articleId"]
    body: str = await request.app.state.pool.fetchval(ARTICLE_THREAD, article_id)
    return Response(body, media_type="application/json")


async def view(request: Request) -> Response:
    """POST {"articleId": int}: one more view, answered with the new count."""
    article_id = orjson.loads(await request.body())["articleId"]
    views = await request.app.state.pool.fetchval(COUNT_VIEW, article_id)
    return Response(orjson.dumps({"views": views}), media_type="application/json")


app = Starlette(
    routes=[
        Route("/page", page, methods=["POST"]),
        Route("/thread", thread, methods=["POST"]),
        Route("/view", view, methods=["POST"]),
    ],
    lifespan=lifespan,
)
