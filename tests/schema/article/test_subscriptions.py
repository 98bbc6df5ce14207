"""articleChanged: visibility at subscribe time and per event, deletes, the ids limit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tortoise.context import TortoiseContext

from models import GroupPrivacy, MembershipRole
from settings import Settings
from tests import factories
from tests.factories import global_id
from tests.live.helpers import (
    ARTICLE_CHANGED,
    DELETE_ARTICLE,
    RECORD_VIEW,
    REMOVE_MEMBER,
    UPDATE_GROUP,
    context_for,
    error_of,
    next_data,
    next_result,
    quiet,
    running_live,
    subscribe,
    write,
)


async def test_an_id_you_cannot_see_answers_like_an_unknown_one(
    db: TortoiseContext, fast: Settings
) -> None:
    author = await factories.member()
    private = await factories.group("private", GroupPrivacy.PRIVATE)
    await factories.join(private, author)
    hidden = await factories.article(private, author)
    unknown = "QXJ0aWNsZTo5OTk"  # Article:999
    async with running_live(fast) as (live, _, _):
        answers = [
            error_of(
                await live.hub.subscribe(context_for(fast), "c", ARTICLE_CHANGED, {"ids": [gid]})
            )
            for gid in (global_id(hidden), unknown, "garbage")
        ]
        assert live.hub.cohorts == {}
    assert [answer.pop("id") for answer in answers] == [global_id(hidden), unknown, "garbage"]
    assert (
        answers[0]
        == answers[1]
        == answers[2]
        == {
            "message": "No article you can see has this ID.",
            "code": "NOT_FOUND",
            "argument": "ids",
        }
    )


@pytest.mark.parametrize("count", [0, 101])
async def test_ids_are_limited(db: TortoiseContext, fast: Settings, count: int) -> None:
    article = await factories.article(await factories.group(), await factories.member())
    ids = [global_id(article)] + [f"QXJ0aWNsZTo{n}" for n in range(count - 1)]
    async with running_live(fast) as (live, _, _):
        result = await live.hub.subscribe(
            context_for(fast), "c", ARTICLE_CHANGED, {"ids": ids[:count]}
        )
    error = error_of(result)
    assert error["code"] == "BAD_USER_INPUT"
    assert error["argument"] == "ids"


async def test_removal_from_a_private_group_stops_the_events_at_once(
    db: TortoiseContext, fast: Settings
) -> None:
    owner, reader = await factories.member("Owner"), await factories.member("Reader")
    private = await factories.group("private", GroupPrivacy.PRIVATE)
    await factories.join(private, owner, MembershipRole.OWNER)
    await factories.join(private, reader)
    writer = await factories.member("Writer")
    await factories.join(private, writer)
    article = await factories.article(private, writer)
    gid = global_id(article)
    async with running_live(fast) as (live, _, schema):
        theirs = await subscribe(live, context_for(fast, reader), ARTICLE_CHANGED, {"ids": [gid]})
        mine = await subscribe(live, context_for(fast, owner), ARTICLE_CHANGED, {"ids": [gid]})
        for stream in (theirs, mine):
            assert (await next_data(stream))["articleChanged"]["views"] == 0
        as_owner = context_for(fast, owner, bus=live.bus)
        await write(
            schema,
            as_owner,
            REMOVE_MEMBER,
            {"input": {"groupId": global_id(private), "memberId": global_id(reader)}},
        )
        await write(schema, as_owner, RECORD_VIEW, {"input": {"articleId": gid, "viewerKey": "k"}})
        ended = await next_result(theirs)
        assert error_of(ended)["code"] == "NOT_FOUND"
        assert error_of(ended)["id"] == gid
        with pytest.raises(StopAsyncIteration):
            await next_result(theirs)
        # the owner's subscription goes on: the removal (member count), then the view
        views = [(await next_data(mine))["articleChanged"]["views"]]
        while views[-1] != 1:
            views.append((await next_data(mine))["articleChanged"]["views"])


async def test_a_group_made_secret_stops_the_events_of_those_outside(
    db: TortoiseContext, fast: Settings
) -> None:
    owner = await factories.member("Owner")
    group = await factories.group()
    await factories.join(group, owner, MembershipRole.OWNER)
    article = await factories.article(group, owner)
    async with running_live(fast) as (live, _, schema):
        anonymous = await subscribe(
            live, context_for(fast), ARTICLE_CHANGED, {"ids": [global_id(article)]}
        )
        await next_data(anonymous)
        await write(
            schema,
            context_for(fast, owner, bus=live.bus),
            UPDATE_GROUP,
            {"input": {"groupId": global_id(group), "privacy": "SECRET"}},
        )
        assert error_of(await next_result(anonymous))["code"] == "NOT_FOUND"
        with pytest.raises(StopAsyncIteration):
            await next_result(anonymous)


async def test_a_deleted_article_ends_with_not_found_and_the_others_go_on(
    db: TortoiseContext, fast: Settings
) -> None:
    author = await factories.member()
    group = await factories.group()
    await factories.join(group, author)
    kept, deleted = (
        await factories.article(group, author, "Kept"),
        await factories.article(group, author, "Deleted", minutes=1),
    )
    ids = [global_id(kept), global_id(deleted)]
    async with running_live(fast) as (live, _, schema):
        stream = await subscribe(live, context_for(fast), ARTICLE_CHANGED, {"ids": ids})
        firsts = {(await next_data(stream))["articleChanged"]["title"] for _ in ids}
        assert firsts == {"Kept", "Deleted"}
        as_author = context_for(fast, author, bus=live.bus)
        await write(schema, as_author, DELETE_ARTICLE, {"input": {"articleId": global_id(deleted)}})
        assert error_of(await next_result(stream))["id"] == global_id(deleted)
        await write(
            schema,
            context_for(fast, bus=live.bus),
            RECORD_VIEW,
            {"input": {"articleId": global_id(kept), "viewerKey": "k"}},
        )
        after = await next_data(stream)
        assert after["articleChanged"] == after["articleChanged"] | {"title": "Kept", "views": 1}
        assert await quiet(stream, 0.3)
        await write(schema, as_author, DELETE_ARTICLE, {"input": {"articleId": global_id(kept)}})
        assert error_of(await next_result(stream))["id"] == global_id(kept)
        with pytest.raises(StopAsyncIteration):  # none left: complete
            await next_result(stream)
        assert live.hub.cohorts == {}


WATCH_EVERYTHING = """
subscription Everything($ids: [ID!]!) {
  articleChanged(ids: $ids) {
    title pinnedAt commentCount reactionCount
    comments(first: 5) { nodes { body reactionCount } }
  }
}
"""


def mutation(field: str, input_type: str, answer: str) -> str:
    return f"mutation M($input: {input_type}!) {{ {field}(input: $input) {{ {answer} }} }}"


EDIT_ARTICLE = mutation("updateArticle", "UpdateArticleInput", "clientMutationId")
PIN = mutation("pinArticle", "ArticleInput", "clientMutationId")
REACT = mutation("addReaction", "ReactionInput", "changed")
EDIT_COMMENT = mutation("editComment", "EditCommentInput", "clientMutationId")
DELETE_COMMENT = mutation("deleteComment", "DeleteCommentInput", "deletedCommentId")
InputOf = Callable[[str, str], dict[str, str]]  # the input, given the article's and comment's ids
WRITES: list[tuple[str, InputOf]] = [
    (EDIT_ARTICLE, lambda article, comment: {"articleId": article, "title": "Edited"}),
    (PIN, lambda article, comment: {"articleId": article}),
    (REACT, lambda article, comment: {"subjectId": article, "kind": "HEART"}),
    (REACT, lambda article, comment: {"subjectId": comment, "kind": "LIKE"}),
    (EDIT_COMMENT, lambda article, comment: {"commentId": comment, "body": "Portland, Oregon"}),
    (DELETE_COMMENT, lambda article, comment: {"commentId": comment}),
]


async def test_every_write_that_changes_what_is_shown_is_an_event(
    db: TortoiseContext, fast: Settings
) -> None:
    moderator = await factories.member()
    group = await factories.group()
    await factories.join(group, moderator, MembershipRole.MODERATOR)
    article = await factories.article(group, moderator)
    comment = await factories.comment(article, moderator)
    variables = {"ids": [global_id(article)]}
    async with running_live(fast) as (live, _, schema):
        stream = await subscribe(live, context_for(fast), WATCH_EVERYTHING, variables)
        states = [(await next_data(stream))["articleChanged"]]
        as_moderator = context_for(fast, moderator, bus=live.bus)
        for query, input_of in WRITES:
            given = input_of(global_id(article), global_id(comment))
            await write(schema, as_moderator, query, {"input": given})
            states.append((await next_data(stream))["articleChanged"])
    assert [state["title"] for state in states] == ["Managing Hand Tremors in MS"] + ["Edited"] * 6
    assert [state["pinnedAt"] is not None for state in states] == [False, False] + [True] * 5
    assert [state["reactionCount"] for state in states] == [0, 0, 0, 1, 1, 1, 1]
    assert [state["comments"]["nodes"] for state in states] == [
        [{"body": "Oregon or Maine? I'm from Portland, Maine", "reactionCount": 0}]
    ] * 4 + [
        [{"body": "Oregon or Maine? I'm from Portland, Maine", "reactionCount": 1}],
        [{"body": "Portland, Oregon", "reactionCount": 1}],
        [],
    ]
    assert [state["commentCount"] for state in states] == [1] * 6 + [0]
