"""groupActivity: every kind of activity, in order; visibility at subscribe time and after."""

from __future__ import annotations

import pytest
from tortoise.context import TortoiseContext

from models import GroupPrivacy, MembershipRole
from settings import Settings
from tests import factories
from tests.factories import global_id
from tests.live.helpers import (
    DELETE_ARTICLE,
    GROUP_ACTIVITY,
    REMOVE_MEMBER,
    context_for,
    error_of,
    next_data,
    next_result,
    quiet,
    running_live,
    subscribe,
    write,
)

CREATE_ARTICLE = """
mutation CreateArticle($input: CreateArticleInput!) {
  createArticle(input: $input) { article { id } errors { code } }
}
"""
UPDATE_ARTICLE = """
mutation UpdateArticle($input: UpdateArticleInput!) {
  updateArticle(input: $input) { errors { code } }
}
"""
PIN = "mutation Pin($input: ArticleInput!) { pinArticle(input: $input) { errors { code } } }"
UNPIN = "mutation Unpin($input: ArticleInput!) { unpinArticle(input: $input) { errors { code } } }"


async def test_every_kind_of_activity_arrives_in_order(db: TortoiseContext, fast: Settings) -> None:
    moderator = await factories.member()
    group = await factories.group()
    await factories.join(group, moderator, MembershipRole.MODERATOR)
    async with running_live(fast) as (live, _, schema):
        stream = await subscribe(
            live, context_for(fast), GROUP_ACTIVITY, {"groupId": global_id(group)}
        )
        as_moderator = context_for(fast, moderator, bus=live.bus)
        created = await write(
            schema,
            as_moderator,
            CREATE_ARTICLE,
            {
                "input": {
                    "groupId": global_id(group),
                    "title": "Cooling vests",
                    "body": "They help.",
                }
            },
        )
        article = created["createArticle"]["article"]["id"]
        edit = {"input": {"articleId": article, "title": "Cooling vests, tried"}}
        await write(schema, as_moderator, UPDATE_ARTICLE, edit)
        await write(schema, as_moderator, PIN, {"input": {"articleId": article}})
        await write(schema, as_moderator, UNPIN, {"input": {"articleId": article}})
        await write(schema, as_moderator, DELETE_ARTICLE, {"input": {"articleId": article}})
        events = [(await next_data(stream))["groupActivity"] for _ in range(5)]
        assert await quiet(stream, 0.3)
    assert [(event["kind"], event["articleId"]) for event in events] == [
        ("ARTICLE_ADDED", article),
        ("ARTICLE_CHANGED", article),
        ("ARTICLE_PINNED", article),
        ("ARTICLE_UNPINNED", article),
        ("ARTICLE_DELETED", article),
    ]
    # each as it was when its flush ran: the last is gone, so is its article
    assert events[-1]["article"] is None


async def test_a_private_group_is_for_its_members_only(db: TortoiseContext, fast: Settings) -> None:
    owner, member, outsider = [await factories.member(name) for name in ("O", "M", "X")]
    private = await factories.group("private", GroupPrivacy.PRIVATE)
    await factories.join(private, owner, MembershipRole.OWNER)
    await factories.join(private, member)
    variables = {"groupId": global_id(private)}
    async with running_live(fast) as (live, _, schema):
        refused = await live.hub.subscribe(
            context_for(fast, outsider), "c", GROUP_ACTIVITY, variables
        )
        assert error_of(refused) == {
            "message": "No group you can see has this ID.",
            "code": "NOT_FOUND",
            "argument": "groupId",
            "id": global_id(private),
        }
        theirs = await subscribe(live, context_for(fast, member), GROUP_ACTIVITY, variables)
        await write(
            schema,
            context_for(fast, owner, bus=live.bus),
            REMOVE_MEMBER,
            {"input": {"groupId": global_id(private), "memberId": global_id(member)}},
        )
        assert error_of(await next_result(theirs)) == error_of(refused)
        with pytest.raises(StopAsyncIteration):
            await next_result(theirs)
