"""The floor: the benchmark's two requests done with the least machinery that can do them.

Starlette routes, one asyncpg pool, orjson, and one SQL statement per request:
PostgreSQL builds the whole group page as JSON itself. It is what groupql would
cost with no GraphQL, no ORM and no Python-side objects, so groupql's speed is
reported as a fraction of it.

One simplification: the floor's `excerpt` is `left(body, 200)`, where groupql
renders the Markdown to plain text and cuts it on a word boundary (a cached
step in groupql, so the difference in work is small).

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


def _base64url(text: str) -> str:
    """SQL for base64url without padding of `text` (encode() wraps lines: drop the newlines)."""
    return f"rtrim(translate(encode(convert_to({text}, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')"


ARTICLE_ID = _base64url("'Article:' || a.id")
ARTICLE_CURSOR = _base64url(
    """'["article:NEWEST","' || (to_json(a.published_at) #>> '{}') || '",' || a.id || ']'"""
)

# $1: the group's slug. The article page is read one row long, as groupql does, so
# that the 21st row says whether another page follows.
GROUP_PAGE = f"""
WITH grp AS (
    SELECT id, name, privacy, member_count FROM groups WHERE slug = $1 AND privacy = 'PUBLIC'
), page AS (
    SELECT a.*, row_number() OVER (ORDER BY a.published_at DESC, a.id DESC) AS n
    FROM articles a
    WHERE a.group_id = (SELECT id FROM grp)
    ORDER BY a.published_at DESC, a.id DESC
    LIMIT 21
)
SELECT json_build_object('data', json_build_object('group', (
    SELECT json_build_object(
        'name', grp.name,
        'privacy', grp.privacy,
        'memberCount', grp.member_count,
        'articles', json_build_object(
            'totalCount', (SELECT count(*) FROM articles WHERE group_id = grp.id),
            'pageInfo', json_build_object(
                'hasNextPage', (SELECT count(*) > 20 FROM page),
                'endCursor', (SELECT {ARTICLE_CURSOR} FROM page a WHERE a.n = LEAST(
                    20, (SELECT count(*) FROM page)))
            ),
            'nodes', COALESCE((
                SELECT json_agg(json_build_object(
                    'id', {ARTICLE_ID},
                    'title', a.title,
                    'excerpt', left(a.body, 200),
                    'views', a.views,
                    'coverImage', CASE WHEN a.cover_image_url IS NULL THEN NULL ELSE
                        json_build_object('url', a.cover_image_url,
                                          'caption', a.cover_image_caption) END,
                    'author', json_build_object('name', author.name),
                    'commentCount', a.comment_count,
                    'comments', json_build_object('nodes', COALESCE((
                        SELECT json_agg(json_build_object(
                            'body', c.body,
                            'createdAt', c.created_at,
                            'author', json_build_object('name', commenter.name)
                        ) ORDER BY c.created_at, c.id)
                        FROM (
                            SELECT * FROM comments
                            WHERE article_id = a.id AND parent_id IS NULL
                            ORDER BY created_at, id
                            LIMIT 3
                        ) c
                        JOIN members commenter ON commenter.id = c.author_id
                    ), '[]'::json))
                ) ORDER BY a.n)
                FROM page a
                JOIN members author ON author.id = a.author_id
                WHERE a.n <= 20
            ), '[]'::json)
        )
    )
    FROM grp
)))::text
"""
COUNT_VIEW = "UPDATE articles SET views = views + 1 WHERE id = $1 RETURNING views"


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    pool = await asyncpg.create_pool(
        os.environ["DATABASE_URL"],
        min_size=1,
        max_size=int(os.environ.get("DB_POOL_SIZE") or 10),
        server_settings={"timezone": "UTC"},
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


async def view(request: Request) -> Response:
    """POST {"articleId": int}: one more view, answered with the new count."""
    article_id = orjson.loads(await request.body())["articleId"]
    views = await request.app.state.pool.fetchval(COUNT_VIEW, article_id)
    return Response(orjson.dumps({"views": views}), media_type="application/json")


app = Starlette(
    routes=[Route("/page", page, methods=["POST"]), Route("/view", view, methods=["POST"])],
    lifespan=lifespan,
)
