"""Retention: stale view markers, dead tokens and expired idempotency keys go, in batches,
one process at a time."""

from __future__ import annotations

import asyncio
import dataclasses
import fcntl
import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta

import asyncpg
import pytest
from asgi_lifespan import LifespanManager
from tortoise.context import TortoiseContext

from models import Article, ArticleView, AuthToken, IdempotencyKey
from models.idempotency_key import KEY_LIFETIME
from models.retention import PRUNE_LOCK, Pruned, prune
from models.sql import client, execute_many, fetch, is_postgres
from server import create_app
from settings import Settings
from tests import factories
from tests.conftest import Clock

WINDOW = timedelta(hours=8)
STALE = 2500


@pytest.fixture
async def article(db: TortoiseContext) -> Article:
    group = await factories.group()
    return await factories.article(group, await factories.member("Dana Whitfield"))


async def add_markers(article: Article, count: int, age: timedelta, prefix: str) -> None:
    counted_at = factories.NOW - age
    await execute_many(
        "INSERT INTO article_views (article_id, viewer, counted_at) VALUES (?, ?, ?)",
        [(article.id, f"{prefix}-{n}", counted_at) for n in range(count)],
    )


async def add_tokens(article: Article) -> None:
    """One live token, one expired, one revoked."""
    member = await factories.member("Sam Harrison")
    await factories.token(member)
    await factories.token(member, now=factories.NOW - timedelta(days=31))
    await factories.token(member)
    await fetch("UPDATE auth_tokens SET revoked_at = ? WHERE id = 3", [factories.NOW])


async def add_keys(count: int, age: timedelta, prefix: str) -> None:
    await execute_many(
        "INSERT INTO idempotency_keys (scope, mutation, key_hash, input_hash, result, created_at)"
        " VALUES ('member:1', 'addComment', ?, 'input', '{}', ?)",
        [(f"{prefix}-{n}", factories.NOW - age) for n in range(count)],
    )


async def a_stale_table(article: Article) -> None:
    await add_markers(article, STALE, WINDOW + timedelta(seconds=1), "old")
    await add_markers(article, 3, WINDOW - timedelta(seconds=1), "recent")
    await add_tokens(article)
    await add_keys(1200, KEY_LIFETIME, "old")  # exactly 24 h old: expired
    await add_keys(2, KEY_LIFETIME - timedelta(seconds=1), "recent")


async def test_stale_markers_dead_tokens_and_expired_keys_are_deleted_in_batches(
    article: Article,
) -> None:
    await a_stale_table(article)

    pruned = await prune(factories.NOW, WINDOW)
    again = await prune(factories.NOW, WINDOW)

    # 1000 + 1000 + 500 markers, one short batch of expired and one of revoked tokens,
    # 1000 + 200 keys
    assert pruned == Pruned(view_markers=STALE, auth_tokens=2, idempotency_keys=1200, statements=7)
    assert again == Pruned(view_markers=0, auth_tokens=0, idempotency_keys=0, statements=4)
    viewers = await fetch("SELECT viewer FROM article_views ORDER BY viewer")
    assert [row["viewer"] for row in viewers] == ["recent-0", "recent-1", "recent-2"]
    assert await fetch("SELECT id FROM auth_tokens") == [{"id": 1}]
    keys = await fetch("SELECT key_hash FROM idempotency_keys ORDER BY key_hash")
    assert [row["key_hash"] for row in keys] == ["recent-0", "recent-1"]


async def test_a_marker_exactly_a_window_old_is_stale(article: Article) -> None:
    await add_markers(article, 1, WINDOW, "edge")

    pruned = await prune(factories.NOW, WINDOW)

    assert pruned is not None
    assert pruned.view_markers == 1


@asynccontextmanager
async def lock_held_elsewhere(database_url: str) -> AsyncIterator[None]:
    """The prune lock, held by another process's connection (PostgreSQL) or file (SQLite)."""
    if database_url.startswith("postgres"):
        other = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
        try:
            assert await other.fetchval("SELECT pg_try_advisory_lock($1)", PRUNE_LOCK)
            yield
        finally:
            await other.close()
        return
    with flocked(f"{database_url.removeprefix('sqlite://')}-lock-{PRUNE_LOCK}"):
        yield


@contextmanager
def flocked(path: str) -> Iterator[None]:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


async def test_while_another_process_prunes_nothing_is_done(
    article: Article, database_url: str
) -> None:
    await a_stale_table(article)

    async with lock_held_elsewhere(database_url):
        while_held = await prune(factories.NOW, WINDOW)
        untouched = await ArticleView.all().count()
    afterwards = await prune(factories.NOW, WINDOW)

    assert while_held is None
    assert untouched == STALE + 3
    assert afterwards is not None
    assert afterwards.view_markers == STALE


async def test_of_two_runners_at_once_only_one_prunes(article: Article) -> None:
    if not is_postgres(client()):
        pytest.skip("one SQLite connection per process: its runs queue on it")
    await add_markers(article, 20_000, WINDOW * 2, "old")

    runs = await asyncio.gather(prune(factories.NOW, WINDOW), prune(factories.NOW, WINDOW))

    # The second finds the lock taken (while the first has 20 batches to go) and stops.
    assert sorted(runs, key=lambda run: run is None) == [
        Pruned(view_markers=20_000, auth_tokens=0, idempotency_keys=0, statements=24),
        None,
    ]
    assert await ArticleView.all().count() == 0


async def test_the_lock_is_given_back_after_a_run(article: Article, database_url: str) -> None:
    await prune(factories.NOW, WINDOW)

    async with lock_held_elsewhere(database_url):  # it would fail to take a lock still held
        pass


# The periodic task, started by the app's lifespan


@pytest.mark.own_database
async def test_the_server_prunes_in_the_background_and_survives_database_errors(
    article: Article, settings: Settings, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.now = factories.NOW
    await add_markers(article, 50, WINDOW * 2, "old")
    await add_tokens(article)
    await add_keys(3, KEY_LIFETIME * 2, "old")
    await fetch("ALTER TABLE auth_tokens RENAME TO auth_tokens_away")
    app = create_app(dataclasses.replace(settings, prune_interval_seconds=1), clock=clock)

    with caplog.at_level(logging.INFO, logger="groupql.retention"):
        async with LifespanManager(app):
            await until(lambda: "pruning failed" in caplog.text)
            await fetch("ALTER TABLE auth_tokens_away RENAME TO auth_tokens")
            await until(lambda: "pruned: deleted" in caplog.text)
            markers = await ArticleView.all().count()
            tokens = await AuthToken.all().count()
            keys = await IdempotencyKey.all().count()

    assert "pruning failed" in caplog.text
    assert "auth_tokens" in caplog.text
    assert "trying again in 1 s" in caplog.text
    assert "pruned: deleted 0 view markers, 2 auth tokens and 3 idempotency keys" in caplog.text
    assert (markers, tokens, keys) == (0, 1, 0)


async def test_an_interval_of_0_prunes_nothing(
    article: Article, settings: Settings, clock: Clock
) -> None:
    await add_markers(article, 5, WINDOW * 2, "old")
    app = create_app(dataclasses.replace(settings, prune_interval_seconds=0), clock=clock)

    async with LifespanManager(app):
        await asyncio.sleep(1.5)
        remaining = await ArticleView.all().count()

    assert remaining == 5


async def until(condition: object, seconds: float = 10) -> None:
    assert callable(condition)
    for _ in range(int(seconds * 20)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("it did not happen in time")
