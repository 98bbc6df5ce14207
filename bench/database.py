"""The benchmark database: recreated, migrated and filled with `demo.bulk` on every run."""

from __future__ import annotations

import contextlib
import time
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from tortoise.context import TortoiseContext

from demo.bulk import Sizes, generate
from models.config import migrate, tortoise_config
from settings import Settings

CONNECT_TIMEOUT_SECONDS = 5.0
PUBLIC_ARTICLE_IDS = (
    "SELECT a.id FROM articles a JOIN groups g ON g.id = a.group_id "
    "WHERE g.privacy = 'PUBLIC' ORDER BY a.id"
)
PUBLIC_GROUP_SLUGS = "SELECT slug FROM groups WHERE privacy = 'PUBLIC' ORDER BY id"
THREAD_ARTICLE_IDS = (
    "SELECT a.id FROM articles a JOIN groups g ON g.id = a.group_id AND g.privacy = 'PUBLIC' "
    "WHERE a.deleted_at IS NULL AND (SELECT count(*) FROM comments c WHERE c.article_id = a.id "
    "AND c.parent_id IS NULL AND c.reply_count >= $2) >= $1 ORDER BY a.id"
)


class DatabaseUnavailableError(Exception):
    """PostgreSQL did not answer; the message says where and why, on one line."""


def settings_for(database_url: str, secret_key: str) -> Settings:
    return Settings(database_url=database_url, secret_key=secret_key)


async def connect(url: str) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_SECONDS)
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        parts = urlsplit(url)
        raise DatabaseUnavailableError(
            f"PostgreSQL at {parts.hostname}:{parts.port or 5432} does not answer "
            f"({type(error).__name__}: {error}); start it or set BENCH_DATABASE_URL"
        ) from None


async def recreate(url: str) -> None:
    """Drop the database named in `url` (closing its sessions) and create it empty."""
    name = urlsplit(url).path.lstrip("/")
    if not name or '"' in name:
        raise DatabaseUnavailableError(f"BENCH_DATABASE_URL names no usable database: {url}")
    admin = await connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def load(settings: Settings, sizes: Sizes) -> float:
    """Apply the migrations and generate `sizes` worth of rows; return the seconds it took."""
    config = tortoise_config(settings)
    started = time.perf_counter()
    await migrate(config)
    async with TortoiseContext() as context:
        await context.init(config=config)
        await generate(sizes)
    return time.perf_counter() - started


async def settle(url: str) -> float:
    """VACUUM ANALYZE and CHECKPOINT, so timed runs start from a steady state; return seconds.

    Without VACUUM, freshly loaded tables have no visibility map (autovacuum may be
    off, or may start in the middle of a timed run), and the load's dirty pages
    would be written out by a checkpoint during one.
    """
    started = time.perf_counter()
    connection = await connect(url)
    try:
        await connection.execute("VACUUM (ANALYZE)")
        # Only superusers and pg_checkpoint members may; the VACUUM matters more.
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            await connection.execute("CHECKPOINT")
    finally:
        await connection.close()
    return time.perf_counter() - started


async def public_article_ids(url: str) -> list[int]:
    connection = await connect(url)
    try:
        return [row["id"] for row in await connection.fetch(PUBLIC_ARTICLE_IDS)]
    finally:
        await connection.close()


async def server_version(url: str) -> str:
    connection = await connect(url)
    try:
        version: str = await connection.fetchval("SHOW server_version")
        return version
    finally:
        await connection.close()


async def execute_script(url: str, script: str) -> None:
    """Run `script` (several statements) in the database."""
    connection = await connect(url)
    try:
        await connection.execute(script)
    finally:
        await connection.close()


async def reset_state(url: str) -> float:
    """Bring the tables the view requests change back to one state; return the seconds.

    Every view marker goes, and articles is rewritten compactly: `views` is indexed,
    so every increment is a non-HOT update that leaves a dead row and index entries
    behind, and a run that follows many increments would read a bloated table.
    """
    started = time.perf_counter()
    connection = await connect(url)
    try:
        await connection.execute("TRUNCATE article_views")
        await connection.execute("VACUUM (FULL, ANALYZE) articles")
    finally:
        await connection.close()
    return time.perf_counter() - started


async def public_group_slugs(url: str) -> list[str]:
    connection = await connect(url)
    try:
        rows = await connection.fetch(PUBLIC_GROUP_SLUGS)
        return [row["slug"] for row in rows]
    finally:
        await connection.close()


async def thread_article_ids(url: str, comments: int, replies: int) -> list[int]:
    """Public articles with at least `comments` top-level comments of `replies` replies each."""
    connection = await connect(url)
    try:
        return [row["id"] for row in await connection.fetch(THREAD_ARTICLE_IDS, comments, replies)]
    finally:
        await connection.close()
