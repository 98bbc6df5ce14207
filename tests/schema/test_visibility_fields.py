"""Nothing leaks through any field: each one that returns an object, a list or a count is in a
table with the rule that protects it, and a field missing from the table fails the guard.

Fields of the rules below are probed: for each privacy and each kind of viewer
the field is reached from the root (`group(slug:)`, `node(id:)`) and must
show something exactly when its rule lets the viewer see it, and be null, empty
or 0 otherwise. The world gives every such field something to show (a pinned
article, reactions, a pending request, a thread three deep), so a field that
answers empty for everyone fails too. Root fields, mutations and payloads are
covered by tests/schema/test_visibility.py, which selects every payload field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLInt,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    get_named_type,
    is_leaf_type,
)
from tortoise.context import TortoiseContext
from tortoise.expressions import F

from models import Article, Comment, Group, Member, MembershipStatus, Reaction, ReactionKind
from schema.core import ids
from schema.schema import schema
from tests import factories
from tests.schema.test_visibility import (
    PRIVACIES,
    VIEWERS,
    World,
    ask,
    build_world,
    reads_content,
    sees_group,
)

Visible = Callable[[str, str], bool]  # (viewer, privacy) -> may the field show something?


@dataclass(frozen=True)
class Rule:
    """What protects a field, and how the tests check it."""

    protects: str
    visible: Visible | None  # None: checked elsewhere (`tested_by`), not probed here
    tested_by: str = "test_each_field_shows_something_exactly_when_its_rule_allows"


SEES_GROUP = Rule("the group's own facts: whoever may see the group (sees_group)", sees_group)
READS_CONTENT = Rule(
    "the group's content, reached only through a group, article or comment the viewer may "
    "read (reads_group)",
    reads_content,
)
MANAGES = Rule(
    "only the group's owners and admins (can_manage)", lambda viewer, _: viewer == "admin"
)
OWN_STANDING = Rule(
    "the viewer's own membership: none for who has none",
    lambda viewer, _: viewer in {"member", "admin"},
)
ROOT = Rule(
    "an entry point: looks up only what the viewer may see",
    None,
    "test_visibility.py: test_reads_show_only_what_the_viewer_may_see, "
    "test_viewer_is_who_signed_in",
)
GROUP_LIST = Rule(
    "the page of `groups`: only groups the viewer may see",
    None,
    "test_visibility.py: test_reads_show_only_what_the_viewer_may_see (nodes, edges, "
    "pageInfo, totalCount)",
)
MUTATION = Rule(
    "a mutation: a hidden target answers as a missing one and changes nothing",
    None,
    "test_visibility.py: test_mutations_on_hidden_objects_answer_as_if_they_did_not_exist, "
    "test_mutations_on_visible_objects_never_answer_not_found",
)
PAYLOAD = Rule(
    "a payload: the changed object as the viewer sees it now, null when hidden",
    None,
    "test_visibility.py: the mutation tests select every payload field and compare hidden "
    "targets with missing ones",
)
ARTICLE_BY_SLUG = Rule(
    "an article of a group the viewer reads: null when unknown, deleted or unreadable",
    None,
    "tests/schema/group/test_types.py: test_an_article_of_a_private_group_only_for_its_members, "
    "test_a_deleted_article_is_null",
)
SUBSCRIPTION = Rule(
    "a subscription: checked when subscribing (hidden answers as unknown) and for every event",
    None,
    "tests/schema/*/test_subscriptions.py: test_an_id_you_cannot_see_answers_like_an_unknown_one, "
    "test_removal_from_a_private_group_stops_the_events_at_once, "
    "test_a_private_group_is_for_its_members_only",
)

CONNECTION = ("nodes", "edges", "pageInfo", "totalCount")


def connection(name: str, rule: Rule) -> dict[str, Rule]:
    return {f"{name}Connection.{field}": rule for field in CONNECTION} | {f"{name}Edge.node": rule}


ARTICLE_FIELDS = (
    "author", "coverImage", "group", "comments", "views", "commentCount", "reactionCount",
    "reactionGroups", "readingTimeMinutes",
)  # fmt: skip
COMMENT_FIELDS = (
    "author", "article", "parent", "replies", "depth", "replyCount", "reactionCount",
    "reactionGroups",
)  # fmt: skip
PAYLOAD_FIELDS = (
    "ArticlePayload.errors", "ArticlePayload.article", "CommentPayload.errors",
    "CommentPayload.comment", "DeleteArticlePayload.errors", "DeleteCommentPayload.errors",
    "DeleteCommentPayload.comment", "GroupMemberPayload.errors", "GroupMemberPayload.group",
    "GroupMemberPayload.member", "GroupPayload.errors", "GroupPayload.group",
    "JoinGroupPayload.errors", "JoinGroupPayload.group", "JoinGroupPayload.viewerMembership",
    "ReactionPayload.errors", "ReactionPayload.subject", "RecordArticleViewPayload.errors",
    "RecordArticleViewPayload.article", "SessionPayload.errors", "SessionPayload.member",
    "SignOutPayload.errors", "UserError.field",
)  # fmt: skip

FIELDS: dict[str, Rule] = {
    **{f"Query.{name}": ROOT for name in ("viewer", "group", "groups", "node", "nodes")},
    **connection("Group", GROUP_LIST),
    "Group.memberCount": SEES_GROUP,
    "Group.viewerMembership": OWN_STANDING,
    "Group.articles": READS_CONTENT,
    "Group.pinnedArticles": READS_CONTENT,
    "Group.members": READS_CONTENT,
    "Group.joinRequests": MANAGES,
    **connection("Article", READS_CONTENT),
    **connection("GroupMember", READS_CONTENT),
    "GroupMember.member": READS_CONTENT,
    **connection("JoinRequest", MANAGES),
    "JoinRequest.member": MANAGES,
    **{f"Article.{name}": READS_CONTENT for name in ARTICLE_FIELDS},
    **connection("Comment", READS_CONTENT),
    **{f"Comment.{name}": READS_CONTENT for name in COMMENT_FIELDS},
    "ReactionGroup.count": READS_CONTENT,
    **dict.fromkeys(PAYLOAD_FIELDS, PAYLOAD),
    "Group.article": ARTICLE_BY_SLUG,
    "GroupActivityEvent.article": SUBSCRIPTION,
    **{
        f"Subscription.{name}": SUBSCRIPTION
        for name in ("articleChanged", "commentAdded", "groupActivity")
    },
}
MUTATION_FIELDS = set(schema._schema.type_map["Mutation"].fields)  # type: ignore[attr-defined]
FIELDS |= {f"Mutation.{name}": MUTATION for name in MUTATION_FIELDS}


def unwrapped(output: GraphQLOutputType) -> GraphQLOutputType:
    return output.of_type if isinstance(output, GraphQLNonNull) else output


def guarded_fields() -> set[str]:
    """Every field of every object type that returns an object, a list or an Int."""
    found = set()
    for type_name, named in schema._schema.type_map.items():
        if type_name.startswith("__") or not isinstance(named, GraphQLObjectType):
            continue
        for name, field in named.fields.items():
            inner = get_named_type(field.type)
            if (
                isinstance(unwrapped(field.type), GraphQLList)
                or not is_leaf_type(inner)
                or inner is GraphQLInt
            ):
                found.add(f"{type_name}.{name}")
    return found


def test_every_field_that_returns_an_object_a_list_or_a_count_is_in_the_table() -> None:
    unclassified = guarded_fields() - set(FIELDS)
    stale = set(FIELDS) - guarded_fields()

    assert not unclassified, f"say which visibility rule protects these, in FIELDS: {unclassified}"
    assert not stale, f"FIELDS names fields the schema no longer has: {stale}"


# The probes --------------------------------------------------------------------------------

# How to reach an object of each type, in the world of one privacy: from a root ...
ROOTS: dict[str, tuple[str, str, str]] = {  # type -> (document, variable, what it names)
    "Group": ("query Probe($v: String!) { group(slug: $v) { %s } }", "slug", "group"),
    "Article": ("query Probe($v: ID!) { node(id: $v) { ... on Article { %s } } }", "id", "node"),
    "Comment": ("query Probe($v: ID!) { node(id: $v) { ... on Comment { %s } } }", "id", "node"),
}
# ... or through a field of another type (the first item of a list).
THROUGH: dict[str, tuple[str, str, tuple[str | int, ...]]] = {
    "ArticleConnection": ("Group", "articles", ("articles",)),
    "ArticleEdge": ("ArticleConnection", "edges", ("edges", 0)),
    "GroupMemberConnection": ("Group", "members", ("members",)),
    "GroupMemberEdge": ("GroupMemberConnection", "edges", ("edges", 0)),
    "GroupMember": ("GroupMemberConnection", "nodes", ("nodes", 0)),
    "JoinRequestConnection": ("Group", "joinRequests", ("joinRequests",)),
    "JoinRequestEdge": ("JoinRequestConnection", "edges", ("edges", 0)),
    "JoinRequest": ("JoinRequestConnection", "nodes", ("nodes", 0)),
    "CommentConnection": ("Comment", "replies", ("replies",)),
    "CommentEdge": ("CommentConnection", "edges", ("edges", 0)),
    "ReactionGroup": ("Article", "reactionGroups", ("reactionGroups", 0)),
}


def reach(type_name: str, selection: str) -> tuple[str, str, tuple[str | int, ...]]:
    """The document that selects `selection` on an object of the type, the root it starts
    from, and the path to that object in the answer."""
    if type_name in ROOTS:
        document, _, key = ROOTS[type_name]
        return document % selection, type_name, (key,)
    parent, field, steps = THROUGH[type_name]
    document, root, path = reach(parent, f"{field} {{ {selection} }}")
    return document, root, path + steps


def selection_for(named: GraphQLNamedType) -> str:
    """Enough of a field's value to tell "something" from "nothing"."""
    if is_leaf_type(named):
        return ""
    if named.name == "PageInfo":
        return " { startCursor }"
    if named.name.endswith("Connection"):
        return " { totalCount }"
    return " { __typename }"


def probe(field: str) -> tuple[str, str, tuple[str | int, ...]]:
    type_name, name = field.split(".")
    returned = schema._schema.type_map[type_name].fields[name].type  # type: ignore[attr-defined]
    return reach(type_name, f"{name}{selection_for(get_named_type(returned))}")


def value_at(data: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        if isinstance(step, int):
            data = data[step] if isinstance(data, list) and len(data) > step else None
        else:
            data = data.get(step) if isinstance(data, dict) else None
    return data


def shows_something(value: Any) -> bool:
    if isinstance(value, dict) and "totalCount" in value:
        return bool(value["totalCount"])
    if isinstance(value, dict) and "startCursor" in value:
        return value["startCursor"] is not None
    if isinstance(value, list | int):
        return bool(value)
    return value is not None


PROBED = sorted(field for field, rule in FIELDS.items() if rule.visible is not None)


async def rich_world() -> World:
    """The world of test_visibility.py, with something in every field: per privacy, a pinned
    article with views, a cover and a reaction, a reply to the reply (so the reply has a
    parent, a depth and replies), a reaction to the reply, and a pending request."""
    world = await build_world()
    member = await Member.get(name="Mo Member")
    requester = await Member.get(name="Rae")
    for privacy in PRIVACIES:
        made = world.ids[privacy]
        group = await Group.get(id=ids.decode_as("Group", made["group"]))
        article = await Article.get(id=ids.decode_as("Article", made["article"]))
        reply = await Comment.get(id=ids.decode_as("Comment", made["reply"]))
        await Article.filter(id=article.id).update(
            views=5,
            cover_image_url="https://images.example.com/cover.jpg",
            pinned_at=factories.EPOCH,
            reaction_count=1,
        )
        await factories.comment(article, member, f"{privacy} reply to the reply", parent=reply)
        await Comment.filter(id=reply.id).update(reaction_count=F("reaction_count") + 1)
        for subject in ({"article": article}, {"comment": reply}):
            await Reaction.create(
                member=member, kind=ReactionKind.LIKE, created_at=factories.EPOCH, **subject
            )
        if privacy != "PRIVATE":  # PRIVATE has its request already
            await factories.join(group, requester, status=MembershipStatus.PENDING)
    return world


def variables(world: World, privacy: str, root: str) -> dict[str, str]:
    if root == "Group":
        return {"v": world.slugs[privacy]}
    return {"v": world.ids[privacy]["article" if root == "Article" else "reply"]}


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_each_field_shows_something_exactly_when_its_rule_allows(
    db: TortoiseContext, client: httpx.AsyncClient, viewer: str
) -> None:
    world = await rich_world()
    wrong = []
    for field in PROBED:
        rule = FIELDS[field]
        assert rule.visible is not None
        document, root, path = probe(field)
        for privacy in PRIVACIES:
            answer = await ask(client, world, viewer, document, variables(world, privacy, root))
            assert "errors" not in answer, (field, answer)
            shown = shows_something(value_at(answer["data"], (*path, field.split(".")[1])))
            if shown != rule.visible(viewer, privacy):
                wrong.append((field, privacy, "shown" if shown else "hidden"))
    assert wrong == [], f"as {viewer}: {wrong}"
    assert len(PROBED) >= 40
