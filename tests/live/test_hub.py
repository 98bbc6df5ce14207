"""The hub: first state at once, coalescing, final values, multiplexing, limits."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import pytest
from tortoise.context import TortoiseContext

from bench.statements import statement_log
from live.mailbox import SubscriberTooSlow
from live.subscriber import Stream
from models import Article, MembershipRole
from settings import Settings
from tests import factories
from tests.factories import global_id
from tests.live.helpers import (
    ADD_COMMENT,
    ARTICLE_CHANGED,
    RECORD_VIEW,
    context_for,
    error_of,
    next_data,
    next_result,
    quiet,
    running_live,
    subscribe,
    write,
)

VIEWER_FIELDS = """
subscription Mine($ids: [ID!]!) {
  articleChanged(ids: $ids) { views viewerDidAuthor viewerCanUpdate }
}
"""

COMMENT_ADDED = """
subscription CommentAdded($articleId: ID!) {
  commentAdded(articleId: $articleId) { body }
}
"""


@pytest.fixture
def fast(settings: Settings) -> Settings:
    return dataclasses.replace(settings, live_interval_ms=50)


async def view(live_bus: object, schema: object, settings: Settings, article: str, key: str) -> int:
    data = await write(
        schema,
        context_for(settings, bus=live_bus),  # type: ignore[arg-type]
        RECORD_VIEW,
        {"input": {"articleId": article, "viewerKey": key}},
    )
    views: int = data["recordArticleView"]["article"]["views"]
    return views


async def test_the_first_event_is_the_current_state(db: TortoiseContext, fast: Settings) -> None:
    author = await factories.member("Dana Whitfield")
    article = await factories.article(await factories.group(), author, views=256)
    async with running_live(fast) as (live, _, _):
        stream = await subscribe(
            live, context_for(fast), ARTICLE_CHANGED, {"ids": [global_id(article)]}
        )
        first = await next_data(stream)
    assert first["articleChanged"]["id"] == global_id(article)
    assert first["articleChanged"]["views"] == 256
    assert first["articleChanged"]["title"] == "Managing Hand Tremors in MS"


async def test_changes_within_the_interval_come_as_one_event_with_the_latest_state(
    db: TortoiseContext, settings: Settings
) -> None:
    slow = dataclasses.replace(settings, live_interval_ms=1000)
    article = await factories.article(await factories.group(), await factories.member())
    gid = global_id(article)
    async with running_live(slow) as (live, _, schema):
        stream = await subscribe(live, context_for(slow), ARTICLE_CHANGED, {"ids": [gid]})
        assert (await next_data(stream))["articleChanged"]["views"] == 0
        await view(live.bus, schema, slow, gid, "viewer-0")  # the first flushes at once
        assert (await next_data(stream))["articleChanged"]["views"] == 1
        for n in range(1, 10):  # then nine within the interval
            await view(live.bus, schema, slow, gid, f"viewer-{n}")
        assert (await next_data(stream))["articleChanged"]["views"] == 10
        assert await quiet(stream, 1.5)


async def test_the_last_value_is_what_the_database_holds_once_writes_stop(
    db: TortoiseContext, fast: Settings
) -> None:
    group = await factories.group()
    author = await factories.member()
    articles = [await factories.article(group, author, f"Article {n}", minutes=n) for n in range(3)]
    gids = [global_id(article) for article in articles]
    async with running_live(fast) as (live, _, schema):
        streams = [
            await subscribe(live, context_for(fast), ARTICLE_CHANGED, {"ids": gids})
            for _ in range(3)
        ]

        async def writer(n: int) -> None:
            for round_ in range(8):
                await view(live.bus, schema, fast, gids[(n + round_) % 3], f"w{n}-{round_}")
                await asyncio.sleep(0.007 * n)

        await asyncio.gather(*(writer(n) for n in range(6)))
        expected = {
            global_id(row): row.views
            for row in await Article.filter(id__in=[a.id for a in articles])
        }
        assert sum(expected.values()) == 48
        for stream in streams:
            last: dict[str, int] = {}
            while True:
                try:
                    result = await asyncio.wait_for(anext(stream), 1.0)
                except TimeoutError:
                    break
                assert result.data is not None
                last[result.data["articleChanged"]["id"]] = result.data["articleChanged"]["views"]
            assert last == expected


async def test_subscribers_sharing_an_operation_are_executed_once_per_event(
    db: TortoiseContext, fast: Settings
) -> None:
    group = await factories.group()
    members = [await factories.member(f"Member {n}") for n in range(5)]
    for member in members:
        await factories.join(group, member)
    alone = await factories.article(group, members[0], "Alone")
    shared = await factories.article(group, members[0], "Shared", minutes=1)
    async with running_live(fast) as (live, engine, schema):
        one = await subscribe(
            live, context_for(fast, members[0]), ARTICLE_CHANGED, {"ids": [global_id(alone)]}
        )
        many = [
            await subscribe(
                live, context_for(fast, member), ARTICLE_CHANGED, {"ids": [global_id(shared)]}
            )
            for member in [*members, None]
        ]
        await next_data(one)
        for stream in many:
            await next_data(stream)

        async def event_cost(article: Article, streams: list[Stream]) -> tuple[int, int]:
            executions = engine.executions
            with statement_log() as log:
                await view(live.bus, schema, fast, global_id(article), "same-viewer")
                for stream in streams:
                    assert (await next_data(stream))["articleChanged"]["views"] == 1
            hub_statements = [statement.split(":")[0] for statement in log.statements[-3:]]
            assert " FROM memberships " in hub_statements[0]
            assert " FROM groups " in hub_statements[1]
            assert " FROM articles " in hub_statements[2]
            return engine.executions - executions, len(log.statements)

        alone_cost = await event_cost(alone, [one])
        shared_cost = await event_cost(shared, many)
    assert alone_cost[0] == shared_cost[0] == 1
    # the view, then for the event: memberships, group privacy, the article (3 statements),
    # whatever the number of subscribers
    assert alone_cost[1] == shared_cost[1]


async def test_per_viewer_fields_make_one_execution_per_viewer(
    db: TortoiseContext, fast: Settings
) -> None:
    group = await factories.group()
    author, reader = await factories.member("Author"), await factories.member("Reader")
    await factories.join(group, author, MembershipRole.MODERATOR)
    article = await factories.article(group, author)
    variables = {"ids": [global_id(article)]}
    async with running_live(fast) as (live, engine, schema):
        mine = await subscribe(live, context_for(fast, author), VIEWER_FIELDS, variables)
        twice = await subscribe(live, context_for(fast, author), VIEWER_FIELDS, variables)
        theirs = await subscribe(live, context_for(fast, reader), VIEWER_FIELDS, variables)
        for stream in (mine, twice, theirs):
            await next_data(stream)
        executions = engine.executions
        await view(live.bus, schema, fast, global_id(article), "someone")
        answers = [(await next_data(s))["articleChanged"] for s in (mine, twice, theirs)]
    assert engine.executions - executions == 2
    assert (
        answers[0] == answers[1] == {"views": 1, "viewerDidAuthor": True, "viewerCanUpdate": True}
    )
    assert answers[2] == {"views": 1, "viewerDidAuthor": False, "viewerCanUpdate": False}


async def test_a_connection_holds_a_limited_number_of_subscriptions(
    db: TortoiseContext, settings: Settings
) -> None:
    limited = dataclasses.replace(settings, live_max_subscriptions=2)
    article = await factories.article(await factories.group(), await factories.member())
    variables = {"ids": [global_id(article)]}
    async with running_live(limited) as (live, _, _):
        first = await subscribe(live, context_for(limited), ARTICLE_CHANGED, variables, "c1")
        await subscribe(live, context_for(limited), ARTICLE_CHANGED, variables, "c1")
        refused = await live.hub.subscribe(context_for(limited), "c1", ARTICLE_CHANGED, variables)
        assert error_of(refused)["code"] == "TOO_MANY_SUBSCRIPTIONS"
        assert error_of(refused)["limit"] == 2
        await subscribe(live, context_for(limited), ARTICLE_CHANGED, variables, "c2")  # another
        await first.aclose()
        await subscribe(live, context_for(limited), ARTICLE_CHANGED, variables, "c1")  # room again
        await live.hub.disconnect("c1")
        assert "c1" not in live.hub.by_connection


async def test_a_subscriber_that_falls_behind_a_stream_is_cut_off(
    db: TortoiseContext, settings: Settings
) -> None:
    small = dataclasses.replace(settings, live_queue_size=3, live_interval_ms=20)
    group = await factories.group()
    member = await factories.member()
    await factories.join(group, member)
    article = await factories.article(group, member)
    async with running_live(small) as (live, _, schema):
        reader = await subscribe(
            live, context_for(small), COMMENT_ADDED, {"articleId": global_id(article)}
        )
        for n in range(5):
            await write(
                schema,
                context_for(small, member, bus=live.bus),
                ADD_COMMENT,
                {"input": {"articleId": global_id(article), "body": f"comment {n}"}},
            )
            await asyncio.sleep(0.05)  # one flush each: five events for a queue of three
        with pytest.raises(SubscriberTooSlow) as slow:
            await next_result(reader)
        assert slow.value.error.extensions == {"code": "SUBSCRIBER_TOO_SLOW"}
        assert live.hub.cohorts == {}


async def test_refusals_before_the_start_come_as_one_result_with_errors(
    db: TortoiseContext, settings: Settings
) -> None:
    async with running_live(settings) as (live, _, _):
        invalid = await live.hub.subscribe(
            context_for(settings), "c", "subscription Bad { articleChanged { id } }"
        )
        unparsable = await live.hub.subscribe(context_for(settings), "c", "subscription {")
        null_variable = await live.hub.subscribe(
            context_for(settings), "c", ARTICLE_CHANGED, {"ids": None}
        )
    assert error_of(invalid)["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error_of(unparsable)["code"] == "GRAPHQL_PARSE_FAILED"
    assert error_of(null_variable)["code"] == "BAD_USER_INPUT"


async def test_a_query_sent_as_a_subscription_answers_once(
    db: TortoiseContext, settings: Settings
) -> None:
    group = await factories.group()
    async with running_live(settings) as (live, _, _):
        stream = await subscribe(
            live,
            context_for(settings),
            "query Group($slug: String!) { group(slug: $slug) { name } }",
            {"slug": group.slug},
        )
        assert await next_data(stream) == {"group": {"name": "Muscle Weakness & MS"}}
        with pytest.raises(StopAsyncIteration):
            await next_result(stream)


async def test_a_failed_flush_is_retried_and_logged_once(
    db: TortoiseContext,
    fast: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    article = await factories.article(await factories.group(), await factories.member())
    gid = global_id(article)
    async with running_live(fast) as (live, _, schema):
        stream = await subscribe(live, context_for(fast), ARTICLE_CHANGED, {"ids": [gid]})
        await next_data(stream)
        feed = live.hub.live["articleChanged"]
        current = feed.current
        failures = 3

        async def flaky(*args: object) -> list[object | None]:
            nonlocal failures
            if failures:
                failures -= 1
                raise ConnectionResetError("the database went away")
            return await current(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(feed, "current", flaky)
        with caplog.at_level(logging.WARNING, logger="groupql.live"):
            await view(live.bus, schema, fast, gid, "during-the-outage")
            assert (await next_data(stream))["articleChanged"]["views"] == 1
    assert failures == 0
    messages = [record.getMessage() for record in caplog.records]
    assert messages == [
        "live: a flush failed; retrying with backoff",
        "live: flushes work again after 3 failures",
    ]
