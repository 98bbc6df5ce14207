"""Every mutation's transaction: its events are published after commit, never after a rollback."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from models import Article, Comment
from schema.core import mutations
from settings import Settings
from tests import factories
from tests.factories import global_id
from tests.live.helpers import (
    ADD_COMMENT,
    ARTICLE_CHANGED,
    COMMENT_ADDED,
    context_for,
    next_data,
    quiet,
    running_live,
    subscribe,
)


@asynccontextmanager
async def commit_that_fails() -> AsyncIterator[None]:
    """A transaction whose work all ran, and that then rolls back (a failed commit)."""
    async with in_transaction():
        yield
        raise ConnectionResetError("the connection went during COMMIT")


async def test_a_rolled_back_write_publishes_nothing(
    db: TortoiseContext, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = dataclasses.replace(settings, live_interval_ms=30)
    sam = await factories.member()
    group = await factories.group()
    await factories.join(group, sam)
    article = await factories.article(group, sam)
    async with running_live(fast) as (live, _, schema):
        comments = await subscribe(
            live, context_for(fast), COMMENT_ADDED, {"articleId": global_id(article)}
        )
        changes = await subscribe(
            live, context_for(fast), ARTICLE_CHANGED, {"ids": [global_id(article)]}
        )
        assert (await next_data(changes))["articleChanged"]["commentCount"] == 0
        add = {"input": {"articleId": global_id(article), "body": "Lost in the rollback"}}
        monkeypatch.setattr(mutations, "in_transaction", commit_that_fails)
        failed = await schema.execute(
            ADD_COMMENT, add, context_value=context_for(fast, sam, bus=live.bus)
        )
        assert failed.errors is not None
        assert await Comment.filter(article_id=article.id).count() == 0
        assert (await Article.get(id=article.id)).comment_count == 0
        assert await quiet(comments, 0.3)
        assert await quiet(changes, 0.1)
        monkeypatch.undo()  # the same write, committed, is published
        committed = await schema.execute(
            ADD_COMMENT, add, context_value=context_for(fast, sam, bus=live.bus)
        )
        assert committed.errors is None
        assert (await next_data(comments))["commentAdded"]["body"] == "Lost in the rollback"
        assert (await next_data(changes))["articleChanged"]["commentCount"] == 1
