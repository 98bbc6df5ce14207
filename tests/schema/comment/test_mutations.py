from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import (
    Article,
    Comment,
    Group,
    GroupPrivacy,
    Member,
    MembershipRole,
    MembershipStatus,
)
from schema.core import ids
from schema.core.mutations import UserErrorCode
from tests import factories
from tests.conftest import Clock
from tests.helpers import data_of, execute

COMMENT_FIELDS = """
fragment CommentFields on Comment {
  id body depth replyCount isDeleted createdAt editedAt
  author { name }
  parent { id }
  article { id commentCount }
  viewerDidAuthor viewerCanUpdate viewerCanDelete viewerCanReply
}
"""
ADD_COMMENT = (
    """
mutation AddComment($input: AddCommentInput!) {
  addComment(input: $input) {
    comment { ...CommentFields }
    errors { field code message }
    clientMutationId
  }
}
"""
    + COMMENT_FIELDS
)
EDIT_COMMENT = (
    """
mutation EditComment($input: EditCommentInput!) {
  editComment(input: $input) {
    comment { ...CommentFields }
    errors { field code message }
    clientMutationId
  }
}
"""
    + COMMENT_FIELDS
)
DELETE_COMMENT = (
    """
mutation DeleteComment($input: DeleteCommentInput!) {
  deleteComment(input: $input) {
    deletedCommentId
    comment { ...CommentFields }
    errors { field code message }
    clientMutationId
  }
}
"""
    + COMMENT_FIELDS
)
COMMENT_NODE = (
    """
query CommentNode($id: ID!) {
  node(id: $id) { ... on Comment { ...CommentFields } }
}
"""
    + COMMENT_FIELDS
)
THREAD = """
query Thread($id: ID!) {
  node(id: $id) {
    ... on Article {
      commentCount
      comments(first: 5) {
        totalCount
        nodes {
          body isDeleted replyCount author { name }
          replies(first: 5) {
            totalCount
            nodes {
              body isDeleted replyCount author { name }
              replies(first: 5) { totalCount nodes { body isDeleted replyCount author { name } } }
            }
          }
        }
      }
    }
  }
}
"""
CHAIN_LINK = """
query ChainLink($id: ID!) {
  node(id: $id) {
    ... on Comment {
      body depth replyCount parent { body }
      replies { totalCount nodes { id body } }
    }
  }
}
"""
ARTICLE_COMMENTS_PAGE = """
query ArticleCommentsPage($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    ... on Article {
      comments(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id body }
      }
    }
  }
}
"""
REPLIES_PAGE = """
query RepliesPage($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    ... on Comment {
      replies(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { body depth }
      }
    }
  }
}
"""

OPERATIONS = {
    "addComment": ADD_COMMENT,
    "editComment": EDIT_COMMENT,
    "deleteComment": DELETE_COMMENT,
}
TYPED_ERROR_CODES = {code.value for code in UserErrorCode}
ARTICLE_NOT_FOUND = {
    "field": ["input", "articleId"],
    "code": "NOT_FOUND",
    "message": "No article you can see has this ID.",
}
REPLY_TO_NOT_FOUND = {
    "field": ["input", "replyToId"],
    "code": "NOT_FOUND",
    "message": "No comment you can see has this ID.",
}
COMMENT_NOT_FOUND = {
    "field": ["input", "commentId"],
    "code": "NOT_FOUND",
    "message": "No comment you can see has this ID.",
}
NOT_A_MEMBER = {
    "field": None,
    "code": "FORBIDDEN",
    "message": "Only members of the group may comment.",
}
NOT_THE_AUTHOR = {
    "field": None,
    "code": "FORBIDDEN",
    "message": "Only its author may edit a comment.",
}
NOT_A_MODERATOR = {
    "field": None,
    "code": "FORBIDDEN",
    "message": "Only its author or the group's moderators may delete a comment.",
}
SIGN_IN_FIRST = {
    "field": None,
    "code": "UNAUTHENTICATED",
    "message": "Sign in first: send the token from signIn as `Authorization: Bearer <token>`.",
}
MISSING_COMMENT_ID = ids.encode("Comment", 999_999)


@dataclass
class Scene:
    """A PUBLIC group with one article by Ella; Ella and Sam are its members."""

    group: Group
    article: Article
    article_id: str
    ella: dict[str, str]  # each member's request headers, signed in
    sam: dict[str, str]


@pytest.fixture
async def scene(db: TortoiseContext) -> Scene:
    group = await factories.group()
    ella = await member_of(group, "Ella Brooks")
    article = await factories.article(group, ella)
    return Scene(
        group=group,
        article=article,
        article_id=factories.global_id(article),
        ella=factories.bearer(await factories.token(ella)),
        sam=await signed_in(group, "Sam Harrison"),
    )


async def member_of(
    group: Group,
    name: str,
    role: MembershipRole | None = MembershipRole.MEMBER,
    status: MembershipStatus = MembershipStatus.ACTIVE,
) -> Member:
    """A new member; with `role` None, not in the group at all."""
    member = await factories.member(name)
    if role is not None:
        await factories.join(group, member, role=role, status=status)
    return member


async def signed_in(
    group: Group,
    name: str,
    role: MembershipRole | None = MembershipRole.MEMBER,
    status: MembershipStatus = MembershipStatus.ACTIVE,
) -> dict[str, str]:
    """Request headers of a new member of `group` (of none when `role` is None)."""
    member = await member_of(group, name, role, status)
    return factories.bearer(await factories.token(member))


async def add_comment(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    article_id: str,
    body: str = "Oregon or Maine? I'm from Portland, Maine",
    reply_to: str | None = None,
    **extra: str,
) -> dict[str, Any]:
    fields: dict[str, Any] = {"articleId": article_id, "body": body, **extra}
    if reply_to is not None:
        fields["replyToId"] = reply_to
    data = await data_of(client, ADD_COMMENT, {"input": fields}, headers=headers)
    payload: dict[str, Any] = data["addComment"]
    return payload


async def added(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    article_id: str,
    body: str = "Oregon or Maine? I'm from Portland, Maine",
    reply_to: str | None = None,
) -> str:
    """Add a comment that must be accepted; return its id."""
    payload = await add_comment(client, headers, article_id, body, reply_to)
    assert payload["errors"] == []
    comment_id: str = payload["comment"]["id"]
    return comment_id


async def edit_comment(
    client: httpx.AsyncClient, headers: dict[str, str], comment_id: str, body: str, **extra: str
) -> dict[str, Any]:
    fields = {"commentId": comment_id, "body": body, **extra}
    data = await data_of(client, EDIT_COMMENT, {"input": fields}, headers=headers)
    payload: dict[str, Any] = data["editComment"]
    return payload


async def delete_comment(
    client: httpx.AsyncClient, headers: dict[str, str], comment_id: str, **extra: str
) -> dict[str, Any]:
    fields = {"commentId": comment_id, **extra}
    data = await data_of(client, DELETE_COMMENT, {"input": fields}, headers=headers)
    payload: dict[str, Any] = data["deleteComment"]
    return payload


async def node(
    client: httpx.AsyncClient, comment_id: str, headers: dict[str, str] | None = None
) -> dict[str, Any] | None:
    data = await data_of(client, COMMENT_NODE, {"id": comment_id}, headers=headers or {})
    found: dict[str, Any] | None = data["node"]
    return found


async def thread(client: httpx.AsyncClient, article_id: str) -> dict[str, Any]:
    data = await data_of(client, THREAD, {"id": article_id})
    article: dict[str, Any] = data["node"]
    return article


def pk(comment_id: str) -> int:
    key = ids.decode_as("Comment", comment_id)
    assert key is not None
    return key


async def snapshot() -> dict[str, list[Any]]:
    """Every comment and every article counter: what a refused mutation must leave alone."""
    return {
        "comments": await Comment.all()
        .order_by("id")
        .values_list(
            "id", "article_id", "parent_id", "body", "reply_count", "edited_at", "deleted_at"
        ),
        "articles": await Article.all().order_by("id").values_list("id", "comment_count"),
    }


async def assert_counters_exact() -> None:
    """commentCount counts the comments not deleted; replyCount the rows that reply."""
    comments = await Comment.all().values(
        "id", "article_id", "parent_id", "reply_count", "deleted_at"
    )
    articles = await Article.all().values("id", "comment_count")
    live = {
        article["id"]: sum(
            1 for c in comments if c["article_id"] == article["id"] and c["deleted_at"] is None
        )
        for article in articles
    }
    assert {article["id"]: article["comment_count"] for article in articles} == live
    children = {c["id"]: sum(1 for r in comments if r["parent_id"] == c["id"]) for c in comments}
    assert {c["id"]: c["reply_count"] for c in comments} == children
    # A placeholder only stays while it has replies to hold in place.
    assert [
        c["id"] for c in comments if c["deleted_at"] is not None and not children[c["id"]]
    ] == []


# addComment


async def test_a_member_comments_on_an_article(scene: Scene, client: httpx.AsyncClient) -> None:
    payload = await add_comment(
        client, scene.sam, scene.article_id, "Heat explains my afternoons.", clientMutationId="c1"
    )

    assert payload["errors"] == []
    assert payload["clientMutationId"] == "c1"
    comment = payload["comment"]
    assert comment == {
        "id": comment["id"],
        "body": "Heat explains my afternoons.",
        "depth": 0,
        "replyCount": 0,
        "isDeleted": False,
        "createdAt": "2024-03-01T12:00:00+00:00",
        "editedAt": None,
        "author": {"name": "Sam Harrison"},
        "parent": None,
        "article": {"id": scene.article_id, "commentCount": 1},
        "viewerDidAuthor": True,
        "viewerCanUpdate": True,
        "viewerCanDelete": True,
        "viewerCanReply": True,
    }
    stored = await Comment.get(id=pk(comment["id"])).values(
        "article_id", "parent_id", "body", "depth"
    )
    assert stored == {
        "article_id": scene.article.id,
        "parent_id": None,
        "body": "Heat explains my afternoons.",
        "depth": 0,
    }
    assert (await Article.get(id=scene.article.id)).comment_count == 1


async def test_a_reply_counts_on_its_parent_and_its_article(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    top = await added(client, scene.ella, scene.article_id, "Anyone from Portland?")

    payload = await add_comment(client, scene.sam, scene.article_id, "Maine!", reply_to=top)

    assert payload["errors"] == []
    reply = payload["comment"]
    assert (reply["body"], reply["depth"], reply["parent"]) == ("Maine!", 1, {"id": top})
    assert reply["article"]["commentCount"] == 2
    parent = await node(client, top)
    assert parent is not None
    assert parent["replyCount"] == 1


async def test_replies_nest_to_any_depth(
    scene: Scene, client: httpx.AsyncClient, clock: Clock
) -> None:
    chain: list[str] = []
    for depth in range(6):
        clock.advance(minutes=1)
        reply_to = chain[-1] if chain else None
        payload = await add_comment(
            client, scene.sam if depth % 2 else scene.ella, scene.article_id, f"d{depth}", reply_to
        )
        assert payload["errors"] == []
        assert payload["comment"]["depth"] == depth
        assert payload["comment"]["parent"] == (None if reply_to is None else {"id": reply_to})
        chain.append(payload["comment"]["id"])

    page = await data_of(client, ARTICLE_COMMENTS_PAGE, {"id": scene.article_id})
    [top] = page["node"]["comments"]["nodes"]
    walked = []
    link_id = top["id"]
    while link_id is not None:  # down the thread, as a client would, one reply at a time
        link = (await data_of(client, CHAIN_LINK, {"id": link_id}))["node"]
        replies = link["replies"]["nodes"]
        walked.append((link["body"], link["depth"], link["replyCount"], link["parent"], replies))
        link_id = replies[0]["id"] if replies else None

    assert walked == [
        ("d0", 0, 1, None, [{"id": chain[1], "body": "d1"}]),
        ("d1", 1, 1, {"body": "d0"}, [{"id": chain[2], "body": "d2"}]),
        ("d2", 2, 1, {"body": "d1"}, [{"id": chain[3], "body": "d3"}]),
        ("d3", 3, 1, {"body": "d2"}, [{"id": chain[4], "body": "d4"}]),
        ("d4", 4, 1, {"body": "d3"}, [{"id": chain[5], "body": "d5"}]),
        ("d5", 5, 0, {"body": "d4"}, []),
    ]
    assert top["id"] == chain[0]
    assert (await Article.get(id=scene.article.id)).comment_count == 6
    stored = await Comment.all().order_by("id").values_list("depth", "reply_count")
    assert stored == [(0, 1), (1, 1), (2, 1), (3, 1), (4, 1), (5, 0)]


async def test_comments_and_replies_page_at_every_level(
    scene: Scene, client: httpx.AsyncClient, clock: Clock
) -> None:
    """Three top-level comments; at each depth 0 to 4, three replies, the first going deeper."""
    tops = []
    for n in range(3):
        clock.advance(seconds=1)
        tops.append(await added(client, scene.ella, scene.article_id, f"top {n}"))
    parents = [tops[0]]
    for depth in range(1, 6):
        replies = []
        for n in range(3):
            clock.advance(seconds=1)
            replies.append(
                await added(client, scene.sam, scene.article_id, f"d{depth} r{n}", parents[-1])
            )
        parents.append(replies[0])

    top_first = await data_of(client, ARTICLE_COMMENTS_PAGE, {"id": scene.article_id, "first": 2})
    after = top_first["node"]["comments"]["pageInfo"]["endCursor"]
    top_rest = await data_of(
        client, ARTICLE_COMMENTS_PAGE, {"id": scene.article_id, "first": 2, "after": after}
    )

    assert top_first["node"]["comments"] == {
        "totalCount": 3,
        "pageInfo": {"hasNextPage": True, "endCursor": after},
        "nodes": [{"id": tops[0], "body": "top 0"}, {"id": tops[1], "body": "top 1"}],
    }
    assert top_rest["node"]["comments"]["nodes"] == [{"id": tops[2], "body": "top 2"}]
    assert top_rest["node"]["comments"]["pageInfo"]["hasNextPage"] is False
    for depth, parent in enumerate(parents[:5], start=1):
        first = (await data_of(client, REPLIES_PAGE, {"id": parent, "first": 2}))["node"]
        cursor = first["replies"]["pageInfo"]["endCursor"]
        rest = (await data_of(client, REPLIES_PAGE, {"id": parent, "first": 2, "after": cursor}))[
            "node"
        ]
        assert first["replies"]["totalCount"] == 3, depth
        assert first["replies"]["nodes"] == [
            {"body": f"d{depth} r0", "depth": depth},
            {"body": f"d{depth} r1", "depth": depth},
        ]
        assert first["replies"]["pageInfo"]["hasNextPage"] is True
        assert rest["replies"]["nodes"] == [{"body": f"d{depth} r2", "depth": depth}]
        assert rest["replies"]["pageInfo"]["hasNextPage"] is False
    assert (await Article.get(id=scene.article.id)).comment_count == 18


@pytest.mark.parametrize(
    "body",
    ["x", "é" * 10_000, "  Maine!  "],
    ids=["one character", "10,000 characters", "surrounding spaces"],
)
async def test_a_body_of_1_to_10000_characters_is_kept_as_written(
    scene: Scene, client: httpx.AsyncClient, body: str
) -> None:
    payload = await add_comment(client, scene.sam, scene.article_id, body)

    assert payload["errors"] == []
    assert payload["comment"]["body"] == body
    assert (await Comment.get(id=pk(payload["comment"]["id"]))).body == body


BAD_BODIES = [
    pytest.param("", "body must not be blank.", id="empty"),
    pytest.param(" \n\t ", "body must not be blank.", id="blank"),
    pytest.param(
        "x" * 10_001, "body must be 1 to 10000 characters long; it is 10001.", id="too long"
    ),
]


@pytest.mark.parametrize(("body", "message"), BAD_BODIES)
@pytest.mark.parametrize("reply", [False, True], ids=["comment", "reply"])
async def test_a_bad_body_is_invalid_and_nothing_is_stored(
    scene: Scene, client: httpx.AsyncClient, body: str, message: str, reply: bool
) -> None:
    top = await added(client, scene.ella, scene.article_id, "Anyone from Portland?")
    before = await snapshot()

    payload = await add_comment(
        client, scene.sam, scene.article_id, body, top if reply else None, clientMutationId="c2"
    )

    assert payload == {
        "comment": None,
        "errors": [{"field": ["input", "body"], "code": "INVALID", "message": message}],
        "clientMutationId": "c2",
    }
    assert await snapshot() == before


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, MembershipStatus.ACTIVE), (MembershipRole.MEMBER, MembershipStatus.PENDING)],
    ids=["not a member", "request pending"],
)
@pytest.mark.parametrize("reply", [False, True], ids=["comment", "reply"])
async def test_only_members_may_comment(
    scene: Scene,
    client: httpx.AsyncClient,
    role: MembershipRole | None,
    status: MembershipStatus,
    reply: bool,
) -> None:
    top = await added(client, scene.ella, scene.article_id, "Anyone from Portland?")
    visitor = await signed_in(scene.group, "Leo Park", role, status)
    before = await snapshot()

    payload = await add_comment(
        client, visitor, scene.article_id, "Me too!", top if reply else None
    )

    assert payload["errors"] == [NOT_A_MEMBER]
    assert payload["comment"] is None
    assert await snapshot() == before


@pytest.mark.parametrize("privacy", [GroupPrivacy.PRIVATE, GroupPrivacy.SECRET])
@pytest.mark.parametrize(
    ("role", "status"),
    [(None, MembershipStatus.ACTIVE), (MembershipRole.MEMBER, MembershipStatus.PENDING)],
    ids=["not a member", "request pending"],
)
async def test_an_article_in_a_group_the_viewer_cannot_read_is_not_found(
    db: TortoiseContext,
    client: httpx.AsyncClient,
    privacy: GroupPrivacy,
    role: MembershipRole | None,
    status: MembershipStatus,
) -> None:
    group = await factories.group("ms-carers", privacy)
    article = await factories.article(group, await member_of(group, "Ella Brooks"))
    visitor = await signed_in(group, "Leo Park", role, status)

    payload = await add_comment(client, visitor, factories.global_id(article), "Hello?")

    assert payload["errors"] == [ARTICLE_NOT_FOUND]
    assert await snapshot() == {"comments": [], "articles": [(article.id, 0)]}


async def test_a_deleted_article_is_not_found(scene: Scene, client: httpx.AsyncClient) -> None:
    await Article.filter(id=scene.article.id).update(deleted_at=factories.NOW)

    payload = await add_comment(client, scene.ella, scene.article_id, "Anyone?")

    assert payload["errors"] == [ARTICLE_NOT_FOUND]
    assert await Comment.all().count() == 0


@pytest.mark.parametrize(
    "article_id",
    ["", "nope", ids.encode("Article", 999_999), ids.encode("Group", 1), MISSING_COMMENT_ID],
    ids=["empty", "not an id", "no such article", "a group's id", "a comment's id"],
)
async def test_a_malformed_article_id_is_not_found(
    scene: Scene, client: httpx.AsyncClient, article_id: str
) -> None:
    payload = await add_comment(client, scene.ella, article_id, "Anyone?")

    assert payload["errors"] == [ARTICLE_NOT_FOUND]
    assert await Comment.all().count() == 0


async def test_a_reply_to_a_comment_on_another_article_is_not_found(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    other = factories.global_id(await factories.article(scene.group, scene.article.author, "Heat"))
    elsewhere = await added(client, scene.ella, other, "On heat.")
    before = await snapshot()

    payload = await add_comment(client, scene.sam, scene.article_id, "Me too", elsewhere)

    assert payload["errors"] == [REPLY_TO_NOT_FOUND]
    assert await snapshot() == before


async def test_a_reply_to_a_deleted_comment_is_not_found(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    top = await added(client, scene.ella, scene.article_id, "Anyone from Portland?")
    await added(client, scene.sam, scene.article_id, "Maine!", top)
    assert (await delete_comment(client, scene.ella, top))["comment"]["isDeleted"] is True
    before = await snapshot()

    payload = await add_comment(client, scene.sam, scene.article_id, "Me too", top)

    assert payload["errors"] == [REPLY_TO_NOT_FOUND]
    assert await snapshot() == before


@pytest.mark.parametrize(
    "reply_to",
    ["nope", MISSING_COMMENT_ID, ids.encode("Article", 1)],
    ids=["not an id", "no such comment", "an article's id"],
)
async def test_a_malformed_reply_to_is_not_found(
    scene: Scene, client: httpx.AsyncClient, reply_to: str
) -> None:
    payload = await add_comment(client, scene.sam, scene.article_id, "Me too", reply_to)

    assert payload["errors"] == [REPLY_TO_NOT_FOUND]
    assert await Comment.all().count() == 0


# Every write


async def test_signed_out_calls_are_unauthenticated_and_change_nothing(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    comment_id = await added(client, scene.ella, scene.article_id, "Anyone from Portland?")
    inputs = {
        "addComment": {"articleId": scene.article_id, "body": "Hi", "replyToId": comment_id},
        "editComment": {"commentId": comment_id, "body": "Edited"},
        "deleteComment": {"commentId": comment_id},
    }
    before = await snapshot()

    for name, fields in inputs.items():
        data = await data_of(
            client, OPERATIONS[name], {"input": {**fields, "clientMutationId": name}}
        )

        assert data[name]["errors"] == [SIGN_IN_FIRST], name
        assert data[name]["comment"] is None, name
        assert data[name]["clientMutationId"] == name
    assert await snapshot() == before


# editComment


async def test_the_author_edits_a_comment(
    scene: Scene, client: httpx.AsyncClient, clock: Clock
) -> None:
    comment_id = await added(client, scene.sam, scene.article_id, "Oregon or Maine?")
    clock.advance(hours=1)

    payload = await edit_comment(
        client,
        scene.sam,
        comment_id,
        "Oregon or Maine? I'm from Portland, Maine",
        clientMutationId="e1",
    )

    assert payload["errors"] == []
    assert payload["clientMutationId"] == "e1"
    comment = payload["comment"]
    assert comment["id"] == comment_id
    assert comment["body"] == "Oregon or Maine? I'm from Portland, Maine"
    assert comment["createdAt"] == "2024-03-01T12:00:00+00:00"
    assert comment["editedAt"] == "2024-03-01T13:00:00+00:00"
    assert comment["article"]["commentCount"] == 1
    stored = await Comment.get(id=pk(comment_id))
    assert stored.body == "Oregon or Maine? I'm from Portland, Maine"
    assert stored.edited_at == datetime(2024, 3, 1, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "role",
    [
        MembershipRole.MEMBER,
        MembershipRole.MODERATOR,
        MembershipRole.ADMIN,
        MembershipRole.OWNER,
    ],
)
async def test_only_the_author_may_edit_a_comment(
    scene: Scene, client: httpx.AsyncClient, role: MembershipRole
) -> None:
    comment_id = await added(client, scene.sam, scene.article_id, "Oregon or Maine?")
    other = await signed_in(scene.group, "Leo Park", role)
    before = await snapshot()

    payload = await edit_comment(client, other, comment_id, "Maine.")

    assert payload["errors"] == [NOT_THE_AUTHOR]
    assert payload["comment"] is None
    assert await snapshot() == before


@pytest.mark.parametrize(("body", "message"), BAD_BODIES)
async def test_an_edit_with_a_bad_body_is_invalid_and_changes_nothing(
    scene: Scene, client: httpx.AsyncClient, body: str, message: str
) -> None:
    comment_id = await added(client, scene.sam, scene.article_id, "Oregon or Maine?")
    before = await snapshot()

    payload = await edit_comment(client, scene.sam, comment_id, body)

    assert payload["errors"] == [
        {"field": ["input", "body"], "code": "INVALID", "message": message}
    ]
    assert await snapshot() == before


async def test_a_deleted_comment_cannot_be_edited(scene: Scene, client: httpx.AsyncClient) -> None:
    top = await added(client, scene.sam, scene.article_id, "Anyone from Portland?")
    await added(client, scene.ella, scene.article_id, "Maine!", top)
    await delete_comment(client, scene.sam, top)
    before = await snapshot()

    payload = await edit_comment(client, scene.sam, top, "Back again")

    assert payload["errors"] == [COMMENT_NOT_FOUND]
    assert await snapshot() == before


# deleteComment


async def test_a_comment_without_replies_is_gone_once_deleted(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    top = await added(client, scene.ella, scene.article_id, "Anyone from Portland?")
    reply = await added(client, scene.sam, scene.article_id, "Maine!", top)

    payload = await delete_comment(client, scene.sam, reply, clientMutationId="d1")

    assert payload == {
        "deletedCommentId": reply,
        "comment": None,
        "errors": [],
        "clientMutationId": "d1",
    }
    assert await node(client, reply) is None
    parent = await node(client, top)
    assert parent is not None
    assert (parent["replyCount"], parent["article"]["commentCount"]) == (0, 1)
    assert await Comment.filter(id=pk(reply)).exists() is False


async def test_a_deleted_comment_with_replies_stays_as_a_placeholder(
    scene: Scene, client: httpx.AsyncClient, clock: Clock
) -> None:
    top = await added(client, scene.ella, scene.article_id, "Anyone from Portland?")
    clock.advance(minutes=5)
    await added(client, scene.sam, scene.article_id, "Maine!", top)
    clock.advance(minutes=5)

    payload = await delete_comment(client, scene.ella, top)

    assert payload["errors"] == []
    assert payload["deletedCommentId"] == top
    placeholder = {
        "id": top,
        "body": "",
        "depth": 0,
        "replyCount": 1,
        "isDeleted": True,
        "createdAt": "2024-03-01T12:00:00+00:00",
        "editedAt": None,
        "author": None,
        "parent": None,
        "article": {"id": scene.article_id, "commentCount": 1},
        "viewerDidAuthor": False,
        "viewerCanUpdate": False,
        "viewerCanDelete": False,
        "viewerCanReply": False,
    }
    assert payload["comment"] == placeholder
    assert await node(client, top, scene.ella) == placeholder
    assert await thread(client, scene.article_id) == {
        "commentCount": 1,
        "comments": {
            "totalCount": 1,
            "nodes": [
                {
                    "body": "",
                    "isDeleted": True,
                    "replyCount": 1,
                    "author": None,
                    "replies": {
                        "totalCount": 1,
                        "nodes": [
                            {
                                "body": "Maine!",
                                "isDeleted": False,
                                "replyCount": 0,
                                "author": {"name": "Sam Harrison"},
                                "replies": {"totalCount": 0, "nodes": []},
                            }
                        ],
                    },
                }
            ],
        },
    }
    stored = await Comment.get(id=pk(top))
    assert (stored.body, stored.deleted_at) == ("", datetime(2024, 3, 1, 12, 10, tzinfo=UTC))


@pytest.mark.parametrize(
    "role", [MembershipRole.MODERATOR, MembershipRole.ADMIN, MembershipRole.OWNER]
)
async def test_moderators_delete_anyones_comment(
    scene: Scene, client: httpx.AsyncClient, role: MembershipRole
) -> None:
    comment_id = await added(client, scene.sam, scene.article_id, "Oregon or Maine?")
    moderator = await signed_in(scene.group, "Mo Reyes", role)
    before = await node(client, comment_id, moderator)
    assert before is not None
    assert (before["viewerCanUpdate"], before["viewerCanDelete"]) == (False, True)

    payload = await delete_comment(client, moderator, comment_id)

    assert (payload["errors"], payload["deletedCommentId"]) == ([], comment_id)
    assert await Comment.all().count() == 0
    assert (await Article.get(id=scene.article.id)).comment_count == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (MembershipRole.MEMBER, MembershipStatus.ACTIVE),
        (MembershipRole.MODERATOR, MembershipStatus.PENDING),
        (None, MembershipStatus.ACTIVE),
    ],
    ids=["another member", "pending moderator", "not a member"],
)
async def test_others_may_not_delete_a_comment(
    scene: Scene,
    client: httpx.AsyncClient,
    role: MembershipRole | None,
    status: MembershipStatus,
) -> None:
    comment_id = await added(client, scene.sam, scene.article_id, "Oregon or Maine?")
    other = await signed_in(scene.group, "Leo Park", role, status)
    before = await snapshot()

    payload = await delete_comment(client, other, comment_id)

    assert payload["errors"] == [NOT_A_MODERATOR]
    assert (payload["deletedCommentId"], payload["comment"]) == (None, None)
    assert await snapshot() == before


async def test_a_deleted_comment_cannot_be_deleted_again(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    placeholder = await added(client, scene.sam, scene.article_id, "Anyone from Portland?")
    await added(client, scene.ella, scene.article_id, "Maine!", placeholder)
    gone = await added(client, scene.sam, scene.article_id, "Heat explains my afternoons.")
    await delete_comment(client, scene.sam, placeholder)
    await delete_comment(client, scene.sam, gone)
    before = await snapshot()

    again = [await delete_comment(client, scene.sam, c) for c in (placeholder, gone)]

    assert [payload["errors"] for payload in again] == [[COMMENT_NOT_FOUND], [COMMENT_NOT_FOUND]]
    assert await snapshot() == before


async def test_placeholders_go_when_their_last_reply_goes_up_the_thread(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    """top -> (first -> middle -> last, second); all but last and second deleted first."""
    top = await added(client, scene.ella, scene.article_id, "top")
    first = await added(client, scene.sam, scene.article_id, "first", top)
    second = await added(client, scene.sam, scene.article_id, "second", top)
    middle = await added(client, scene.ella, scene.article_id, "middle", first)
    last = await added(client, scene.sam, scene.article_id, "last", middle)
    for author, placeholder in ((scene.ella, middle), (scene.sam, first), (scene.ella, top)):
        assert (await delete_comment(client, author, placeholder))["comment"]["isDeleted"]
    assert (await Article.get(id=scene.article.id)).comment_count == 2

    await delete_comment(client, scene.sam, last)

    assert [await node(client, c) is None for c in (top, first, middle, last, second)] == [
        False,
        True,
        True,
        True,
        False,
    ]
    remaining = await node(client, top)
    assert remaining is not None
    assert (remaining["isDeleted"], remaining["replyCount"]) == (True, 1)
    assert remaining["article"]["commentCount"] == 1

    await delete_comment(client, scene.sam, second)

    assert await node(client, top) is None
    assert await Comment.all().count() == 0
    assert (await Article.get(id=scene.article.id)).comment_count == 0


@pytest.mark.parametrize("operation", ["editComment", "deleteComment"])
async def test_a_comment_the_viewer_cannot_read_is_not_found(
    db: TortoiseContext, client: httpx.AsyncClient, operation: str
) -> None:
    group = await factories.group("ms-carers", GroupPrivacy.PRIVATE)
    ella = await member_of(group, "Ella Brooks")
    comment = await factories.comment(await factories.article(group, ella), ella)
    outsider = await signed_in(group, "Leo Park", role=None)
    fields = {"commentId": factories.global_id(comment), "body": "Mine now"}
    if operation == "deleteComment":
        del fields["body"]
    before = await snapshot()

    data = await data_of(client, OPERATIONS[operation], {"input": fields}, headers=outsider)

    assert data[operation]["errors"] == [COMMENT_NOT_FOUND]
    assert await snapshot() == before


@pytest.mark.parametrize("operation", ["editComment", "deleteComment"])
async def test_a_comment_on_a_deleted_article_is_not_found(
    scene: Scene, client: httpx.AsyncClient, operation: str
) -> None:
    comment_id = await added(client, scene.sam, scene.article_id, "Oregon or Maine?")
    await Article.filter(id=scene.article.id).update(deleted_at=factories.NOW)
    fields = {"commentId": comment_id, "body": "Mine now"}
    if operation == "deleteComment":
        del fields["body"]
    before = await snapshot()

    data = await data_of(client, OPERATIONS[operation], {"input": fields}, headers=scene.sam)

    assert data[operation]["errors"] == [COMMENT_NOT_FOUND]
    assert await snapshot() == before


@pytest.mark.parametrize("comment_id", ["nope", MISSING_COMMENT_ID, ids.encode("Article", 1)])
@pytest.mark.parametrize("operation", ["editComment", "deleteComment"])
async def test_a_malformed_comment_id_is_not_found(
    scene: Scene, client: httpx.AsyncClient, operation: str, comment_id: str
) -> None:
    fields = {"commentId": comment_id, "body": "Mine now"}
    if operation == "deleteComment":
        del fields["body"]

    data = await data_of(client, OPERATIONS[operation], {"input": fields}, headers=scene.sam)

    assert data[operation]["errors"] == [COMMENT_NOT_FOUND]


# The counters under concurrent writes


def answer_of(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The payload of one concurrent call: no GraphQL error, only typed user errors."""
    assert "errors" not in body, body["errors"]
    payload: dict[str, Any] = body["data"][name]
    assert {error["code"] for error in payload["errors"]} <= TYPED_ERROR_CODES
    return payload


async def test_counters_stay_exact_under_concurrent_adds_and_deletes(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    group = await factories.group()
    names = ("Ella Brooks", "Sam Harrison", "Ana Diaz", "Leo Park")
    members = [await member_of(group, name) for name in names]
    writers = [factories.bearer(await factories.token(member)) for member in members]
    moderator = await signed_in(group, "Mo Reyes", MembershipRole.MODERATOR)
    articles = [
        factories.global_id(await factories.article(group, members[0], title))
        for title in ("Heat", "Tremor")
    ]
    # Comment n of every wave is written by writers[n % 4] on articles[n % 2].
    seeds = [await added(client, writers[n], articles[n % 2], f"seed {n}") for n in range(4)]

    async def add(n: int, body: str, reply_to: str | None) -> dict[str, Any]:
        fields = {"articleId": articles[n % 2], "body": body, "replyToId": reply_to}
        answer = await execute(client, ADD_COMMENT, {"input": fields}, headers=writers[n % 4])
        return answer_of(answer, "addComment")

    async def delete(headers: dict[str, str], comment_id: str) -> dict[str, Any]:
        fields = {"commentId": comment_id}
        answer = await execute(client, DELETE_COMMENT, {"input": fields}, headers=headers)
        return answer_of(answer, "deleteComment")

    # Wave 1: 60 adds at once: 20 top-level comments, then 40 replies to the seeds.
    wave_1 = await asyncio.gather(
        *(add(n, f"w1 {n}", None if n < 20 else seeds[n % 4]) for n in range(60))
    )

    assert [payload["errors"] for payload in wave_1] == [[]] * 60
    assert [payload["comment"]["depth"] for payload in wave_1] == [0] * 20 + [1] * 40
    firsts = [payload["comment"]["id"] for payload in wave_1]
    assert await Comment.filter(deleted_at=None).count() == 64
    await assert_counters_exact()

    # Wave 2: the seeds (10 replies each) and every third comment of wave 1 deleted, by their
    # authors or the moderator, mixed with 30 replies, some to comments being deleted.
    doomed = [(writers[n], seeds[n]) for n in range(4)] + [
        (writers[n % 4] if n % 2 else moderator, firsts[n]) for n in range(0, 60, 3)
    ]
    targets = [(7 * n) % 60 for n in range(30)]  # distinct, both articles, a third doomed
    deletes = [delete(headers, comment_id) for headers, comment_id in doomed]
    adds = [add(target, f"w2 {target}", firsts[target]) for target in targets]
    interleaved = [call for pair in zip(adds, deletes, strict=False) for call in pair]
    wave_2 = await asyncio.gather(*interleaved, *adds[len(deletes) :])

    deleted = [payload for payload in wave_2 if "deletedCommentId" in payload]
    replied = [payload for payload in wave_2 if "deletedCommentId" not in payload]
    assert [payload["errors"] for payload in deleted] == [[]] * 24
    assert sorted(payload["deletedCommentId"] for payload in deleted) == sorted(
        comment_id for _, comment_id in doomed
    )
    refused = [
        target for target, payload in zip(targets, replied, strict=True) if payload["errors"]
    ]
    assert [payload["errors"] for payload in replied if payload["errors"]] == [
        [REPLY_TO_NOT_FOUND]
    ] * len(refused)
    assert [target for target in refused if target % 3] == []  # only replies to doomed ones
    live = 64 - 24 + 30 - len(refused)
    assert await Comment.filter(deleted_at=None).count() == live
    await assert_counters_exact()

    # Wave 3: everything left deleted at once, parents with their replies; nothing remains.
    remaining = await Comment.filter(deleted_at=None).values("id")
    wave_3 = await asyncio.gather(
        *(delete(moderator, ids.encode("Comment", row["id"])) for row in remaining)
    )

    assert [payload["errors"] for payload in wave_3] == [[]] * live
    await assert_counters_exact()
    assert await Comment.all().count() == 0
    assert await Article.all().order_by("id").values("comment_count") == [
        {"comment_count": 0},
        {"comment_count": 0},
    ]
