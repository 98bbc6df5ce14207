from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import Article, Comment, GroupPrivacy, Member, Reaction
from tests import factories
from tests.helpers import data_of

ADD = """
mutation Add($input: ReactionInput!) {
  addReaction(input: $input) {
    changed
    errors { field code message }
    subject {
      reactionCount
      reactionGroups { kind count viewerHasReacted }
      ... on Article { title }
      ... on Comment { body }
    }
  }
}
"""
REMOVE = ADD.replace("mutation Add", "mutation Remove").replace("addReaction", "removeReaction")
REACTIONS = """
query Reactions($id: ID!) {
  node(id: $id) {
    ... on Reactable { reactionCount viewerCanReact reactionGroups { kind count viewerHasReacted } }
  }
}
"""


@pytest.fixture
async def scene(db: TortoiseContext) -> dict[str, Any]:
    group = await factories.group()
    ella, sam, outsider = (
        await factories.member("Ella Brooks"),
        await factories.member("Sam Harrison"),
        await factories.member("Noah Carter"),
    )
    for member in (ella, sam):
        await factories.join(group, member)
    article = await factories.article(group, ella)
    comment = await factories.comment(article, sam)
    return {
        "article": article,
        "comment": comment,
        "ella": await factories.token(ella),
        "sam": await factories.token(sam),
        "outsider": await factories.token(outsider),
    }


async def react(
    client: httpx.AsyncClient, token: str, subject: Article | Comment, kind: str, add: bool = True
) -> dict[str, Any]:
    variables = {"input": {"subjectId": factories.global_id(subject), "kind": kind}}
    data = await data_of(client, ADD if add else REMOVE, variables, headers=factories.bearer(token))
    payload: dict[str, Any] = data["addReaction" if add else "removeReaction"]
    return payload


def groups_of(payload: dict[str, Any]) -> dict[str, tuple[int, bool]]:
    return {
        g["kind"]: (g["count"], g["viewerHasReacted"]) for g in payload["subject"]["reactionGroups"]
    }


async def test_members_react_to_articles_and_comments(
    scene: dict[str, Any], client: httpx.AsyncClient
) -> None:
    first = await react(client, scene["sam"], scene["article"], "HEART")
    second = await react(client, scene["ella"], scene["article"], "HEART")
    on_comment = await react(client, scene["ella"], scene["comment"], "INSIGHTFUL")

    assert first["changed"] is True
    assert first["subject"]["title"] == "Managing Hand Tremors in MS"
    assert second["subject"]["reactionCount"] == 2
    assert groups_of(second) == {
        "LIKE": (0, False),
        "HEART": (2, True),
        "INSIGHTFUL": (0, False),
        "SUPPORT": (0, False),
    }
    assert on_comment["subject"]["reactionCount"] == 1
    assert groups_of(on_comment)["INSIGHTFUL"] == (1, True)
    seen_by_sam = await data_of(
        client,
        REACTIONS,
        {"id": factories.global_id(scene["comment"])},
        headers=factories.bearer(scene["sam"]),
    )
    assert seen_by_sam["node"]["reactionGroups"][2] == {
        "kind": "INSIGHTFUL",
        "count": 1,
        "viewerHasReacted": False,
    }


async def test_one_reaction_per_member_kind_and_subject(
    scene: dict[str, Any], client: httpx.AsyncClient
) -> None:
    await react(client, scene["sam"], scene["article"], "LIKE")

    again = await react(client, scene["sam"], scene["article"], "LIKE")
    other_kind = await react(client, scene["sam"], scene["article"], "SUPPORT")

    assert (again["changed"], again["errors"], again["subject"]["reactionCount"]) == (False, [], 1)
    assert other_kind["subject"]["reactionCount"] == 2
    assert await Reaction.all().count() == 2


async def test_removing_takes_the_reaction_back(
    scene: dict[str, Any], client: httpx.AsyncClient
) -> None:
    await react(client, scene["sam"], scene["article"], "LIKE")

    removed = await react(client, scene["sam"], scene["article"], "LIKE", add=False)
    again = await react(client, scene["sam"], scene["article"], "LIKE", add=False)

    assert (removed["changed"], removed["subject"]["reactionCount"]) == (True, 0)
    assert (again["changed"], again["errors"]) == (False, [])
    await scene["article"].refresh_from_db()
    assert scene["article"].reaction_count == 0


async def test_only_members_react(scene: dict[str, Any], client: httpx.AsyncClient) -> None:
    refused = await react(client, scene["outsider"], scene["article"], "LIKE")
    flags = await data_of(
        client,
        REACTIONS,
        {"id": factories.global_id(scene["article"])},
        headers=factories.bearer(scene["outsider"]),
    )

    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert refused["subject"] is None
    assert flags["node"]["viewerCanReact"] is False
    assert await Reaction.all().count() == 0


async def test_signed_out_reactions_are_refused(
    scene: dict[str, Any], client: httpx.AsyncClient
) -> None:
    variables = {"input": {"subjectId": factories.global_id(scene["article"]), "kind": "LIKE"}}

    data = await data_of(client, ADD, variables)

    assert [e["code"] for e in data["addReaction"]["errors"]] == ["UNAUTHENTICATED"]


@pytest.mark.parametrize("subject", ["malformed", "member", "hidden"])
async def test_what_cannot_be_seen_is_not_found(
    scene: dict[str, Any], client: httpx.AsyncClient, subject: str
) -> None:
    hidden_group = await factories.group("research", GroupPrivacy.PRIVATE)
    author = await Member.get(name="Ella Brooks")
    hidden = await factories.article(hidden_group, author, "Trial visits")
    subject_id = {
        "malformed": "nope",
        "member": factories.global_id(author),
        "hidden": factories.global_id(hidden),
    }[subject]

    data = await data_of(
        client,
        ADD,
        {"input": {"subjectId": subject_id, "kind": "LIKE"}},
        headers=factories.bearer(scene["sam"]),
    )

    [error] = data["addReaction"]["errors"]
    assert error["code"] == "NOT_FOUND"
    assert await Reaction.all().count() == 0


async def test_concurrent_reactions_keep_the_count_exact(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    group = await factories.group()
    members = [await factories.member(f"Member {n}") for n in range(12)]
    for member in members:
        await factories.join(group, member)
    article = await factories.article(group, members[0])
    tokens = [await factories.token(member) for member in members]

    await asyncio.gather(
        *(react(client, token, article, kind) for token in tokens for kind in ("LIKE", "HEART")),
        *(react(client, token, article, "LIKE") for token in tokens[:6]),
    )
    await asyncio.gather(
        *(react(client, token, article, "HEART", add=False) for token in tokens[:5])
    )

    await article.refresh_from_db()
    assert article.reaction_count == await Reaction.filter(article_id=article.id).count() == 19
