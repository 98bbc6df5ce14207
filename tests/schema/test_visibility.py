"""Nothing leaks: every root field and every mutation, as every kind of viewer, on every privacy.

What a viewer may not see must answer exactly as if it did not exist: for each
hidden object, the answer is compared with the answer for an id that names
nothing at all, and the database must not have changed. A guard fails when a
root field or mutation exists that these tables do not cover; every other field
that returns an object, a list or a count is in test_visibility_fields.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    get_named_type,
    is_leaf_type,
)
from tortoise.context import TortoiseContext

from models import GroupPrivacy, MembershipRole, MembershipStatus
from models.sql import fetch
from schema.core import ids
from schema.schema import schema
from tests import factories
from tests.helpers import execute

PRIVACIES = ("PUBLIC", "PRIVATE", "SECRET")
VIEWERS = ("anonymous", "outsider", "member", "admin")
NOBODY = 999_999


@dataclass
class World:
    """Per privacy: a group, its article, a comment, a reply; and the people who look."""

    ids: dict[str, dict[str, str]]  # privacy -> {"group", "article", "comment", "reply", ...}
    slugs: dict[str, str]
    tokens: dict[str, str | None]


@pytest.fixture
async def world(db: TortoiseContext) -> World:
    return await build_world()


async def build_world(tag: str = "") -> World:
    admin, member, outsider = (
        await factories.member("Ada Admin"),
        await factories.member("Mo Member"),
        await factories.member("Otto Outsider"),
    )
    candidate, requester = await factories.member("Cam Candidate"), await factories.member("Rae")
    found: dict[str, dict[str, str]] = {}
    slugs: dict[str, str] = {}
    for privacy in PRIVACIES:
        slug = f"group-{privacy.lower()}{tag}"
        group = await factories.group(slug, GroupPrivacy(privacy), name=f"{privacy} group")
        await factories.join(group, admin, MembershipRole.OWNER)
        await factories.join(group, member)
        await factories.join(group, candidate)
        if privacy == "PRIVATE":
            await factories.join(group, requester, status=MembershipStatus.PENDING)
        article = await factories.article(group, member, f"{privacy} article")
        comment = await factories.comment(article, member, f"{privacy} comment")
        reply = await factories.comment(article, member, f"{privacy} reply", parent=comment)
        slugs[privacy] = slug
        found[privacy] = {
            "group": factories.global_id(group),
            "article": factories.global_id(article),
            "comment": factories.global_id(comment),
            "reply": factories.global_id(reply),
            "candidate": factories.global_id(candidate),
            "requester": factories.global_id(requester),
        }
    tokens: dict[str, str | None] = {
        "anonymous": None,
        "outsider": await factories.token(outsider),
        "member": await factories.token(member),
        "admin": await factories.token(admin),
    }
    return World(ids=found, slugs=slugs, tokens=tokens)


def sees_group(viewer: str, privacy: str) -> bool:
    return privacy != "SECRET" or viewer in {"member", "admin"}


def reads_content(viewer: str, privacy: str) -> bool:
    return privacy == "PUBLIC" or viewer in {"member", "admin"}


async def ask(
    client: httpx.AsyncClient, world: World, viewer: str, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    token = world.tokens[viewer]
    headers = factories.bearer(token) if token else None
    return await execute(client, query, variables, headers=headers)


# Reads --------------------------------------------------------------------------------------

GROUP = """
query Group($slug: String!) {
  group(slug: $slug) {
    name memberCount
    articles { totalCount nodes { title comments { totalCount } } }
    members { totalCount }
    pinnedArticles { title }
  }
}
"""
GROUPS = """
query Groups {
  groups(first: 100) {
    totalCount nodes { slug } edges { cursor node { slug } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
NODE = """
query Node($id: ID!) {
  node(id: $id) { id ... on Comment { replies { totalCount } } ... on Article { commentCount } }
}
"""
NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }"
VIEWER = "query Viewer { viewer { name } }"


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_reads_show_only_what_the_viewer_may_see(
    world: World, client: httpx.AsyncClient, viewer: str
) -> None:
    listed = await ask(client, world, viewer, GROUPS, {})
    expected_slugs = {world.slugs[p] for p in PRIVACIES if sees_group(viewer, p)}
    assert {n["slug"] for n in listed["data"]["groups"]["nodes"]} == expected_slugs
    assert listed["data"]["groups"]["totalCount"] == len(expected_slugs)
    edges = listed["data"]["groups"]["edges"]
    assert [edge["node"] for edge in edges] == listed["data"]["groups"]["nodes"]
    assert listed["data"]["groups"]["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": edges[0]["cursor"],
        "endCursor": edges[-1]["cursor"],
    }

    for privacy in PRIVACIES:
        made = world.ids[privacy]
        group = (await ask(client, world, viewer, GROUP, {"slug": world.slugs[privacy]}))["data"]
        if not sees_group(viewer, privacy):
            missing = await ask(client, world, viewer, GROUP, {"slug": "no-such-group"})
            assert group == missing["data"] == {"group": None}
        elif reads_content(viewer, privacy):
            articles = group["group"]["articles"]
            assert articles["totalCount"] == 1
            assert articles["nodes"][0]["comments"]["totalCount"] == 1
            assert group["group"]["members"]["totalCount"] == 3
        else:  # a PRIVATE group to someone outside it: name and count, nothing inside
            assert group["group"] == {
                "name": "PRIVATE group",
                "memberCount": 3,
                "articles": {"totalCount": 0, "nodes": []},
                "members": {"totalCount": 0},
                "pinnedArticles": [],
            }
        for kind in ("group", "article", "comment", "reply"):
            visible = (
                sees_group(viewer, privacy) if kind == "group" else reads_content(viewer, privacy)
            )
            answer = await ask(client, world, viewer, NODE, {"id": made[kind]})
            nobody = ids.encode(ids.decode(made[kind])[0], NOBODY)  # type: ignore[index]
            if visible:
                assert answer["data"]["node"]["id"] == made[kind]
            else:
                assert answer == await ask(client, world, viewer, NODE, {"id": nobody})
        listed_nodes = await ask(
            client, world, viewer, NODES, {"ids": [made[k] for k in ("group", "article", "reply")]}
        )
        expected = [
            sees_group(viewer, privacy),
            reads_content(viewer, privacy),
            reads_content(viewer, privacy),
        ]
        assert [node is not None for node in listed_nodes["data"]["nodes"]] == expected


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_viewer_is_who_signed_in(
    world: World, client: httpx.AsyncClient, viewer: str
) -> None:
    answer = await ask(client, world, viewer, VIEWER, {})

    names = {
        "anonymous": None,
        "outsider": "Otto Outsider",
        "member": "Mo Member",
        "admin": "Ada Admin",
    }
    expected = None if names[viewer] is None else {"name": names[viewer]}
    assert answer["data"]["viewer"] == expected


# Mutations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A mutation, and how to aim it at the objects of one privacy."""

    query: str
    target: str | None  # the kind of object whose visibility decides; None: not aimed
    variables: Callable[[dict[str, str]], dict[str, Any]]


def operation(name: str, input_type: str, selection: str | None = None) -> str:
    """The mutation, selecting every field of its payload (unless `selection` says otherwise),
    so that an object a payload should not show is compared too."""
    title = name[0].upper() + name[1:]
    payload = schema._schema.type_map["Mutation"].fields[name].type  # type: ignore[attr-defined]
    selection = selection or every_field(get_named_type(payload))
    return f"mutation {title}($input: {input_type}!) {{ {name}(input: $input) {{ {selection} }} }}"


def every_field(named: GraphQLNamedType) -> str:
    """Each leaf field of the type without arguments, and of the objects it holds (one level
    down; the id of a node behind an interface)."""
    assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
    chosen = []
    for name, field in named.fields.items():
        inner = get_named_type(field.type)
        if is_leaf_type(inner):
            if not field.args:
                chosen.append(name)
        elif isinstance(inner, GraphQLObjectType | GraphQLInterfaceType):
            leaves = [
                leaf
                for leaf, sub in inner.fields.items()
                if is_leaf_type(get_named_type(sub.type)) and not sub.args
            ]
            node = " ... on Node { id }" if isinstance(inner, GraphQLInterfaceType) else ""
            chosen.append(f"{name} {{ __typename {' '.join(leaves)}{node} }}")
    return " ".join(chosen)


def aimed(kind: str, mutation: str, input_type: str, **extra: Any) -> Case:
    """A mutation whose input names one object (`kind`) of the group under test."""
    field = {"group": "groupId", "article": "articleId", "comment": "commentId"}.get(kind)

    def variables(made: dict[str, str]) -> dict[str, Any]:
        named = {field: made[kind]} if field else {}
        return {"input": {**named, **{k: made.get(v, v) for k, v in extra.items()}}}

    return Case(operation(mutation, input_type), kind, variables)


MUTATIONS: dict[str, Case] = {
    "signUp": Case(
        operation("signUp", "SignUpInput"),
        None,
        lambda made: {"input": {"name": "New", "email": "new@x.org", "password": "a-long-one!"}},
    ),
    "signIn": Case(
        operation("signIn", "SignInInput"),
        None,
        lambda made: {"input": {"email": "nobody@x.org", "password": "whatever-it-is"}},
    ),
    "signOut": Case("mutation SignOut { signOut { errors { code message } } }", None, lambda m: {}),
    "createGroup": Case(
        operation("createGroup", "CreateGroupInput"), None, lambda made: {"input": {"name": "New"}}
    ),
    "updateGroup": aimed("group", "updateGroup", "UpdateGroupInput", name="Renamed"),
    "joinGroup": aimed("group", "joinGroup", "GroupInput"),
    "leaveGroup": aimed("group", "leaveGroup", "GroupInput"),
    "approveJoinRequest": aimed(
        "group", "approveJoinRequest", "GroupMemberInput", memberId="requester"
    ),
    "rejectJoinRequest": aimed(
        "group", "rejectJoinRequest", "GroupMemberInput", memberId="requester"
    ),
    "addGroupMember": aimed("group", "addGroupMember", "GroupMemberInput", memberId="requester"),
    "removeGroupMember": aimed(
        "group", "removeGroupMember", "GroupMemberInput", memberId="candidate"
    ),
    "setMemberRole": aimed(
        "group", "setMemberRole", "SetMemberRoleInput", memberId="candidate", role="MODERATOR"
    ),
    "createArticle": aimed(
        "group", "createArticle", "CreateArticleInput", title="Hello", body="Some words."
    ),
    "updateArticle": aimed("article", "updateArticle", "UpdateArticleInput", title="Edited"),
    "deleteArticle": aimed("article", "deleteArticle", "ArticleInput"),
    "pinArticle": aimed("article", "pinArticle", "ArticleInput"),
    "unpinArticle": aimed("article", "unpinArticle", "ArticleInput"),
    "recordArticleView": Case(
        operation("recordArticleView", "RecordArticleViewInput"),
        "article",
        lambda made: {"input": {"articleId": made["article"], "viewerKey": "k"}},
    ),
    "addComment": aimed("article", "addComment", "AddCommentInput", body="Me too."),
    "editComment": aimed("comment", "editComment", "EditCommentInput", body="Edited."),
    "deleteComment": aimed("comment", "deleteComment", "DeleteCommentInput"),
    "addReaction": Case(
        operation("addReaction", "ReactionInput"),
        "comment",
        lambda made: {"input": {"subjectId": made["comment"], "kind": "LIKE"}},
    ),
    "removeReaction": Case(
        operation("removeReaction", "ReactionInput"),
        "article",
        lambda made: {"input": {"subjectId": made["article"], "kind": "LIKE"}},
    ),
}
TARGET_FIELDS = {
    name: {"group": "groupId", "article": "articleId", "comment": "commentId"}[case.target]
    if name not in {"addReaction", "removeReaction"}
    else "subjectId"
    for name, case in MUTATIONS.items()
    if case.target is not None
}


# A reply aimed at a hidden comment, through an article the viewer can see.
def reply_to(made: dict[str, str], public: dict[str, str]) -> dict[str, Any]:
    return {"input": {"articleId": public["article"], "body": "Re", "replyToId": made["comment"]}}


MUTATIONS_ON_REPLIES: dict[str, Callable[[dict[str, str], dict[str, str]], dict[str, Any]]] = {
    "addComment": reply_to
}


async def fingerprint() -> list[Any]:
    """Everything a mutation could change, to prove that a refused one changed nothing."""
    tables = (
        "groups", "memberships", "articles", "comments", "reactions", "article_views",
        "members", "auth_tokens",
    )  # fmt: skip
    return [await fetch(f"SELECT * FROM {table} ORDER BY id") for table in tables]


def nobody_like(made: dict[str, str]) -> dict[str, str]:
    """The same ids, each replaced by one of its type that names nothing."""
    return {
        key: ids.encode(ids.decode(value)[0], NOBODY)  # type: ignore[index]
        for key, value in made.items()
    }


@pytest.mark.parametrize("privacy", ["PRIVATE", "SECRET"])
async def test_mutations_on_hidden_objects_answer_as_if_they_did_not_exist(
    world: World, client: httpx.AsyncClient, privacy: str
) -> None:
    made = world.ids[privacy]
    before = await fingerprint()
    checked = 0
    for viewer in ("anonymous", "outsider"):
        for name, case in MUTATIONS.items():
            hidden = case.target is not None and not (
                sees_group(viewer, privacy)
                if case.target == "group"
                else reads_content(viewer, privacy)
            )
            if not hidden:
                continue
            answer = await ask(client, world, viewer, case.query, case.variables(made))
            as_if_missing = await ask(
                client, world, viewer, case.query, case.variables(nobody_like(made))
            )
            assert answer == as_if_missing, (viewer, name)
            checked += 1
        for name, variables in MUTATIONS_ON_REPLIES.items():
            query = MUTATIONS[name].query
            answer = await ask(client, world, viewer, query, variables(made, world.ids["PUBLIC"]))
            missing = variables(nobody_like(made), world.ids["PUBLIC"])
            assert answer == await ask(client, world, viewer, query, missing), (viewer, name)
    assert await fingerprint() == before
    assert checked >= 10


@pytest.mark.parametrize("name", sorted(n for n, c in MUTATIONS.items() if c.target is not None))
async def test_mutations_on_visible_objects_never_answer_not_found(
    db: TortoiseContext, client: httpx.AsyncClient, name: str
) -> None:
    """The other side of the table: what a viewer can see is found; they get UNAUTHENTICATED,
    FORBIDDEN, a conflict or success, each as their role allows. Each viewer acts in a world
    of their own, since a success changes it."""
    case = MUTATIONS[name]
    for viewer in VIEWERS:
        world = await build_world(f"-{viewer}")
        for privacy in PRIVACIES:
            visible = (
                sees_group(viewer, privacy)
                if case.target == "group"
                else reads_content(viewer, privacy)
            )
            if not visible:
                continue
            answer = await ask(
                client, world, viewer, case.query, case.variables(world.ids[privacy])
            )
            payload = answer["data"][name]
            errors = payload.get("errors", [])
            codes = [error["code"] for error in errors]
            # Something else may be missing (no pending request, ...), never the target.
            target_missing = [
                error
                for error in errors
                if error["code"] == "NOT_FOUND" and error["field"] == ["input", TARGET_FIELDS[name]]
            ]
            assert not target_missing, (name, privacy, viewer, payload)
            assert payload.get("reason") != "NOT_FOUND", (name, privacy, viewer, payload)
            if viewer == "anonymous" and name != "recordArticleView":
                assert codes == ["UNAUTHENTICATED"], (name, privacy, payload)


# The guard -----------------------------------------------------------------------------------


def test_every_root_field_and_mutation_is_in_the_tables() -> None:
    query_fields = set(schema._schema.type_map["Query"].fields)  # type: ignore[attr-defined]
    mutation_fields = set(schema._schema.type_map["Mutation"].fields)  # type: ignore[attr-defined]

    assert query_fields == {"node", "nodes", "group", "groups", "viewer"}, (
        "a new root field: add it to test_reads_show_only_what_the_viewer_may_see"
    )
    assert mutation_fields == set(MUTATIONS), "a new mutation: add it to MUTATIONS"
