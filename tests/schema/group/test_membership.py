from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import Group, GroupPrivacy, Member, Membership, MembershipRole, MembershipStatus
from tests import factories
from tests.conftest import Clock
from tests.helpers import data_of
from tests.schema.group.test_mutations import Cast, cast

GROUP_PAGE = """
query GroupPage($slug: String!) {
  group(slug: $slug) {
    name
    description
    memberCount
    members { totalCount nodes { member { name } role } }
    joinRequests { totalCount nodes { member { name } } }
    articles { totalCount nodes { title } }
    pinnedArticles { title }
  }
}
"""
MEMBERS = """
query Members($slug: String!, $first: Int, $after: String) {
  group(slug: $slug) {
    members(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { member { name } role joinedAt }
    }
  }
}
"""
JOIN_REQUESTS = """
query JoinRequests($slug: String!) {
  group(slug: $slug) {
    joinRequests { totalCount nodes { member { name } requestedAt } }
  }
}
"""
SEEN = """
query Seen($slug: String!, $id: ID!) {
  group(slug: $slug) { name }
  node(id: $id) { id }
  groups { totalCount nodes { slug } }
}
"""
CREATE_GROUP = """
mutation CreateGroup($input: CreateGroupInput!) {
  createGroup(input: $input) { group { id slug } errors { code } }
}
"""
JOIN_GROUP = """
mutation JoinGroup($input: GroupInput!) {
  joinGroup(input: $input) { errors { code } }
}
"""
LEAVE_GROUP = """
mutation LeaveGroup($input: GroupInput!) {
  leaveGroup(input: $input) { errors { code } }
}
"""
FLAGS = """
fragment Flags on Group {
  viewerMembership { role status }
  viewerCanJoin
  viewerCanLeave
  viewerCanPost
  viewerCanUpdate
  viewerCanManageMembers
}
"""
JOIN_GROUP_FLAGS = (
    """
mutation JoinGroupFlags($input: GroupInput!) {
  joinGroup(input: $input) { group { ...Flags } }
}
"""
    + FLAGS
)
LEAVE_GROUP_FLAGS = (
    """
mutation LeaveGroupFlags($input: GroupInput!) {
  leaveGroup(input: $input) { group { ...Flags } }
}
"""
    + FLAGS
)
VIEWER_FLAGS = "query ViewerFlags($slug: String!) { group(slug: $slug) { ...Flags } }" + FLAGS
MEMBER_COUNT = "query MemberCount($slug: String!) { group(slug: $slug) { memberCount } }"

SLUG = "muscle-weakness-ms"


async def headers_for(member: Member | None) -> dict[str, str]:
    return {} if member is None else factories.bearer(await factories.token(member))


async def viewed_by(
    client: httpx.AsyncClient, people: Cast, who: str, query: str
) -> dict[str, Any] | None:
    """`group(slug:)` as `who` (a role in the cast, or "anonymous") sees it."""
    viewer = None if who == "anonymous" else people.person(who)
    data = await data_of(client, query, {"slug": SLUG}, headers=await headers_for(viewer))
    group: dict[str, Any] | None = data["group"]
    return group


# What each viewer may see


PRIVATE_TO_OUTSIDERS = {
    "name": "Muscle Weakness & MS",
    "description": "Strength, fatigue and what helps.",
    "memberCount": 4,
    "members": {"totalCount": 0, "nodes": []},
    "joinRequests": {"totalCount": 0, "nodes": []},
    "articles": {"totalCount": 0, "nodes": []},
    "pinnedArticles": [],
}
MEMBER_LIST = {
    "totalCount": 4,
    "nodes": [
        {"member": {"name": "Olive Owens"}, "role": "OWNER"},
        {"member": {"name": "Ada Adams"}, "role": "ADMIN"},
        {"member": {"name": "Mo Morgan"}, "role": "MODERATOR"},
        {"member": {"name": "Max Miller"}, "role": "MEMBER"},
    ],
}


async def group_with_an_article(privacy: GroupPrivacy) -> Cast:
    people = await cast(privacy)
    await Group.filter(id=people.group.id).update(description="Strength, fatigue and what helps.")
    await factories.article(people.group, people.member, "Cooling Vests")
    return people


@pytest.mark.parametrize("who", ["anonymous", "outsider", "requester"])
async def test_a_private_group_shows_outsiders_its_name_and_count_but_not_its_content(
    db: TortoiseContext, client: httpx.AsyncClient, who: str
) -> None:
    people = await group_with_an_article(GroupPrivacy.PRIVATE)

    assert await viewed_by(client, people, who, GROUP_PAGE) == PRIVATE_TO_OUTSIDERS


@pytest.mark.parametrize("who", ["moderator", "member"])
async def test_a_private_group_shows_its_members_its_content(
    db: TortoiseContext, client: httpx.AsyncClient, who: str
) -> None:
    people = await group_with_an_article(GroupPrivacy.PRIVATE)

    assert await viewed_by(client, people, who, GROUP_PAGE) == {
        **PRIVATE_TO_OUTSIDERS,
        "members": MEMBER_LIST,
        "articles": {"totalCount": 1, "nodes": [{"title": "Cooling Vests"}]},
    }


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
async def test_a_public_group_shows_everyone_its_content_but_not_its_requests(
    db: TortoiseContext, client: httpx.AsyncClient, who: str
) -> None:
    people = await group_with_an_article(GroupPrivacy.PUBLIC)

    assert await viewed_by(client, people, who, GROUP_PAGE) == {
        **PRIVATE_TO_OUTSIDERS,
        "members": MEMBER_LIST,
        "articles": {"totalCount": 1, "nodes": [{"title": "Cooling Vests"}]},
    }


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
async def test_a_secret_group_does_not_exist_for_outsiders(
    db: TortoiseContext, client: httpx.AsyncClient, who: str
) -> None:
    people = await cast(GroupPrivacy.SECRET)
    await factories.group("ms-caregivers-circle")
    viewer = None if who == "anonymous" else people.person(who)

    data = await data_of(
        client,
        SEEN,
        {"slug": SLUG, "id": people.group_id},
        headers=await headers_for(viewer),
    )

    assert data == {
        "group": None,
        "node": None,
        "groups": {"totalCount": 1, "nodes": [{"slug": "ms-caregivers-circle"}]},
    }


async def test_a_secret_group_shows_its_members_everything(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    people = await group_with_an_article(GroupPrivacy.SECRET)

    assert await viewed_by(client, people, "member", GROUP_PAGE) == {
        **PRIVATE_TO_OUTSIDERS,
        "members": MEMBER_LIST,
        "articles": {"totalCount": 1, "nodes": [{"title": "Cooling Vests"}]},
    }


# viewerMembership and the viewerCan* flags


def flags(
    membership: tuple[str, str] | None,
    *,
    join: bool = False,
    leave: bool = False,
    post: bool = False,
    manage: bool = False,
) -> dict[str, Any]:
    return {
        "viewerMembership": None
        if membership is None
        else {"role": membership[0], "status": membership[1]},
        "viewerCanJoin": join,
        "viewerCanLeave": leave,
        "viewerCanPost": post,
        "viewerCanUpdate": manage,
        "viewerCanManageMembers": manage,
    }


MEMBERS_FLAGS = {
    "member": flags(("MEMBER", "ACTIVE"), leave=True, post=True),
    "moderator": flags(("MODERATOR", "ACTIVE"), leave=True, post=True),
    "admin": flags(("ADMIN", "ACTIVE"), leave=True, post=True, manage=True),
    "owner": flags(("OWNER", "ACTIVE"), leave=True, post=True, manage=True),
}


@pytest.mark.parametrize(
    ("privacy", "who", "expected"),
    [
        ("PUBLIC", "anonymous", flags(None)),
        ("PUBLIC", "outsider", flags(None, join=True)),
        *(("PUBLIC", who, expected) for who, expected in MEMBERS_FLAGS.items()),
        ("PRIVATE", "anonymous", flags(None)),
        ("PRIVATE", "outsider", flags(None, join=True)),
        ("PRIVATE", "requester", flags(("MEMBER", "PENDING"), leave=True)),
        *(("PRIVATE", who, expected) for who, expected in MEMBERS_FLAGS.items()),
        *(("SECRET", who, expected) for who, expected in MEMBERS_FLAGS.items()),
    ],
)
async def test_viewer_membership_and_flags(
    db: TortoiseContext,
    client: httpx.AsyncClient,
    privacy: str,
    who: str,
    expected: dict[str, Any],
) -> None:
    people = await cast(GroupPrivacy(privacy))
    # A second owner: the one in the cast is then free to leave.
    await factories.join(people.group, await factories.member("Co Owner"), MembershipRole.OWNER)

    assert await viewed_by(client, people, who, VIEWER_FLAGS) == expected


async def test_the_flags_in_a_payload_are_those_after_the_change(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)
    headers = await headers_for(people.outsider)
    variables = {"input": {"groupId": people.group_id}}

    joined = await data_of(client, JOIN_GROUP_FLAGS, variables, headers=headers)
    left = await data_of(client, LEAVE_GROUP_FLAGS, variables, headers=headers)

    assert joined["joinGroup"]["group"] == flags(("MEMBER", "PENDING"), leave=True)
    assert left["leaveGroup"]["group"] == flags(None, join=True)


# Group.members and Group.joinRequests


async def test_members_are_listed_longest_standing_first(
    db: TortoiseContext, client: httpx.AsyncClient, clock: Clock
) -> None:
    sam, ella, noah = [
        await factories.member(name) for name in ("Sam Harrison", "Ella Brooks", "Noah Price")
    ]
    created = await data_of(
        client,
        CREATE_GROUP,
        {"input": {"name": "Muscle Weakness & MS"}},
        headers=await headers_for(sam),
    )
    group_id = created["createGroup"]["group"]["id"]
    for person in (noah, ella):
        clock.advance(hours=1)
        await data_of(
            client, JOIN_GROUP, {"input": {"groupId": group_id}}, headers=await headers_for(person)
        )

    first = await data_of(client, MEMBERS, {"slug": SLUG, "first": 2})
    rest = await data_of(
        client,
        MEMBERS,
        {"slug": SLUG, "first": 2, "after": first["group"]["members"]["pageInfo"]["endCursor"]},
    )

    assert first["group"]["members"]["totalCount"] == 3
    assert first["group"]["members"]["pageInfo"]["hasNextPage"] is True
    assert first["group"]["members"]["nodes"] + rest["group"]["members"]["nodes"] == [
        {
            "member": {"name": "Sam Harrison"},
            "role": "OWNER",
            "joinedAt": "2024-03-01T12:00:00+00:00",
        },
        {
            "member": {"name": "Noah Price"},
            "role": "MEMBER",
            "joinedAt": "2024-03-01T13:00:00+00:00",
        },
        {
            "member": {"name": "Ella Brooks"},
            "role": "MEMBER",
            "joinedAt": "2024-03-01T14:00:00+00:00",
        },
    ]
    assert rest["group"]["members"]["pageInfo"]["hasNextPage"] is False


async def test_join_requests_are_listed_oldest_first(
    db: TortoiseContext, client: httpx.AsyncClient, clock: Clock
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)
    await Membership.filter(group_id=people.group.id, member_id=people.requester.id).delete()
    for person in (people.outsider, people.requester):
        clock.advance(minutes=30)
        await data_of(
            client,
            JOIN_GROUP,
            {"input": {"groupId": people.group_id}},
            headers=await headers_for(person),
        )

    assert await viewed_by(client, people, "admin", JOIN_REQUESTS) == {
        "joinRequests": {
            "totalCount": 2,
            "nodes": [
                {"member": {"name": "Otto Olsen"}, "requestedAt": "2024-03-01T12:30:00+00:00"},
                {"member": {"name": "Rae Reed"}, "requestedAt": "2024-03-01T13:00:00+00:00"},
            ],
        }
    }


@pytest.mark.parametrize(
    ("who", "count"),
    [
        ("owner", 1),
        ("admin", 1),
        ("moderator", 0),
        ("member", 0),
        ("requester", 0),
        ("outsider", 0),
        ("anonymous", 0),
    ],
)
async def test_only_owners_and_admins_see_join_requests(
    db: TortoiseContext, client: httpx.AsyncClient, who: str, count: int
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)

    group = await viewed_by(client, people, who, JOIN_REQUESTS)

    assert group is not None
    assert group["joinRequests"]["totalCount"] == count
    assert [node["member"]["name"] for node in group["joinRequests"]["nodes"]] == (
        ["Rae Reed"] * count
    )


# The member count under concurrency


async def stored_member_count(group: Group) -> tuple[int, int]:
    """The group's member count, and how many ACTIVE memberships it has."""
    await group.refresh_from_db()
    active = await Membership.filter(group_id=group.id, status=MembershipStatus.ACTIVE).count()
    return group.member_count, active


def codes(payloads: list[dict[str, Any]]) -> list[str]:
    return sorted(error["code"] for payload in payloads for error in payload["errors"])


async def test_member_count_stays_exact_under_concurrent_joins_and_leaves(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    group = await factories.group()
    await factories.join(group, await factories.member("Olive Owens"), MembershipRole.OWNER)
    people = [await factories.member(f"Member {n:02}") for n in range(45)]
    headers = [factories.bearer(await factories.token(person)) for person in people]
    variables = {"input": {"groupId": factories.global_id(group)}}

    async def join(n: int) -> dict[str, Any]:
        data = await data_of(client, JOIN_GROUP, variables, headers=headers[n])
        payload: dict[str, Any] = data["joinGroup"]
        return payload

    async def leave(n: int) -> dict[str, Any]:
        data = await data_of(client, LEAVE_GROUP, variables, headers=headers[n])
        payload: dict[str, Any] = data["leaveGroup"]
        return payload

    # 40 join at once; 5 of them twice.
    joined = await asyncio.gather(*(join(n) for n in [*range(40), *range(0, 40, 8)]))

    assert codes(joined) == ["CONFLICT"] * 5
    assert await stored_member_count(group) == (41, 41)

    # 20 leave (3 of them twice) while 5 new members join and 5 who stay join again.
    mixed = await asyncio.gather(
        *(leave(n) for n in range(20)),
        *(join(n) for n in range(40, 45)),
        *(leave(n) for n in range(0, 20, 7)),
        *(join(n) for n in range(20, 40, 4)),
    )

    assert codes(mixed) == ["CONFLICT"] * 8
    assert await stored_member_count(group) == (26, 26)
    seen = await data_of(client, MEMBER_COUNT, {"slug": SLUG})
    assert seen == {"group": {"memberCount": 26}}
    assert (
        await Membership.filter(
            group_id=group.id, member_id__in=[person.id for person in people[:20]]
        ).count()
        == 0
    )


async def test_two_owners_leaving_at_once_leave_one_owner(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    people = await cast()
    await Membership.filter(group_id=people.group.id, member_id=people.admin.id).update(
        role=MembershipRole.OWNER
    )
    variables = {"input": {"groupId": people.group_id}}
    headers = [await headers_for(owner) for owner in (people.owner, people.admin)]

    left = await asyncio.gather(
        *(data_of(client, LEAVE_GROUP, variables, headers=each) for each in headers)
    )

    assert codes([data["leaveGroup"] for data in left]) == ["CONFLICT"]
    owners = await Membership.filter(group_id=people.group.id, role=MembershipRole.OWNER).count()
    assert owners == 1
    assert await stored_member_count(people.group) == (3, 3)
