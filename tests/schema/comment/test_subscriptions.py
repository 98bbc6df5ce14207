"""commentAdded: every comment and reply, in order; visibility; the article deleted."""

from __future__ import annotations

import dataclasses

import pytest
from tortoise.context import TortoiseContext

from models import GroupPrivacy
from settings import Settings
from tests import factories
from tests.factories import global_id
from tests.live.helpers import (
    ADD_COMMENT,
    COMMENT_ADDED,
    DELETE_ARTICLE,
    context_for,
    error_of,
    next_data,
    next_result,
    quiet,
    running_live,
    subscribe,
    write,
)


async def test_each_comment_and_reply_is_delivered_once_in_order(
    db: TortoiseContext, settings: Settings
) -> None:
    slow = dataclasses.replace(settings, live_interval_ms=400)  # several per flush: none merged
    sam = await factories.member("Sam Harrison")
    group = await factories.group()
    await factories.join(group, sam)
    article = await factories.article(group, sam)
    async with running_live(slow) as (live, _, schema):
        stream = await subscribe(
            live, context_for(slow), COMMENT_ADDED, {"articleId": global_id(article)}
        )
        as_sam = context_for(slow, sam, bus=live.bus)
        added = []
        for body in ("Oregon or Maine?", "I'm from Portland, Maine", "Same here"):
            data = await write(
                schema,
                as_sam,
                ADD_COMMENT,
                {"input": {"articleId": global_id(article), "body": body}},
            )
            added.append(data["addComment"]["comment"]["id"])
        await write(
            schema,
            as_sam,
            ADD_COMMENT,
            {"input": {"articleId": global_id(article), "body": "A reply", "replyToId": added[0]}},
        )
        received = [(await next_data(stream))["commentAdded"] for _ in range(4)]
        assert await quiet(stream, 0.6)
    assert received == [
        {
            "body": "Oregon or Maine?",
            "depth": 0,
            "author": {"name": "Sam Harrison"},
            "parent": None,
        },
        {
            "body": "I'm from Portland, Maine",
            "depth": 0,
            "author": {"name": "Sam Harrison"},
            "parent": None,
        },
        {"body": "Same here", "depth": 0, "author": {"name": "Sam Harrison"}, "parent": None},
        {
            "body": "A reply",
            "depth": 1,
            "author": {"name": "Sam Harrison"},
            "parent": {"body": "Oregon or Maine?"},
        },
    ]


async def test_an_article_you_cannot_read_answers_like_an_unknown_one(
    db: TortoiseContext, fast: Settings
) -> None:
    author = await factories.member()
    private = await factories.group("private", GroupPrivacy.PRIVATE)
    await factories.join(private, author)
    hidden = await factories.article(private, author)
    async with running_live(fast) as (live, _, _):
        answers = []
        for article_id in (global_id(hidden), "QXJ0aWNsZTo5OTk"):
            result = await live.hub.subscribe(
                context_for(fast), "c", COMMENT_ADDED, {"articleId": article_id}
            )
            answers.append(error_of(result))
    assert answers[0] == {
        "message": "No article you can see has this ID.",
        "code": "NOT_FOUND",
        "argument": "articleId",
        "id": global_id(hidden),
    }
    assert answers[1] == answers[0] | {"id": "QXJ0aWNsZTo5OTk"}


async def test_the_article_deleted_ends_the_stream(db: TortoiseContext, fast: Settings) -> None:
    author = await factories.member()
    group = await factories.group()
    await factories.join(group, author)
    article = await factories.article(group, author)
    async with running_live(fast) as (live, _, schema):
        stream = await subscribe(
            live, context_for(fast), COMMENT_ADDED, {"articleId": global_id(article)}
        )
        await write(
            schema,
            context_for(fast, author, bus=live.bus),
            DELETE_ARTICLE,
            {"input": {"articleId": global_id(article)}},
        )
        assert error_of(await next_result(stream)) == {
            "message": "No article you can see has this ID.",
            "code": "NOT_FOUND",
            "argument": "articleId",
            "id": global_id(article),
        }
        with pytest.raises(StopAsyncIteration):
            await next_result(stream)
