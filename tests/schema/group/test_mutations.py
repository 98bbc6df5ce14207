from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import (
    Group,
    GroupPrivacy,
    Member,
    Membership,
    MembershipRole,
    MembershipStatus,
)
from schema.core import ids
from tests import factories
from tests.helpers import data_of

GROUP_FIELDS = """
fragment GroupFields on Group {
  id slug name description privacy memberCount viewerMembership { role status }
}
"""
CREATE_GROUP = (
    """
mutation CreateGroup($input: CreateGroupInput!) {
  createGroup(input: $input) {
    group { ...GroupFields }
    errors { field code message }
    clientMutationId
  }
}
"""
    + GROUP_FIELDS
)
UPDATE_GROUP = (
    """
mutation UpdateGroup($input: UpdateGroupInput!) {
  updateGroup(input: $input) {
    group { ...GroupFields }
    errors { field code message }
    clientMutationId
  }
}
"""
    + GROUP_FIELDS
)
JOIN_GROUP = (
    """
mutation JoinGroup($input: GroupInput!) {
  joinGroup(input: $input) {
    group { ...GroupFields }
    viewerMembership { role status }
    errors { field code message }
    clientMutationId
  }
}
"""
    + GROUP_FIELDS
)
LEAVE_GROUP = (
    """
mutation LeaveGroup($input: GroupInput!) {
  leaveGroup(input: $input) {
    group { ...GroupFields }
    errors { field code message }
    clientMutationId
  }
}
"""
    + GROUP_FIELDS
)
APPROVE_JOIN_REQUEST = (
    """
mutation ApproveJoinRequest($input: GroupMemberInput!) {
  approveJoinRequest(input: $input) {
    group { ...GroupFields }
    member { id name }
    errors { field code message }
    clientMutationId
  }
}
"""
    + GROUP_FIELDS
)
REJECT_JOIN_REQUEST = (
    """
mutation RejectJoinRequest($input: GroupMemberInput!) {
  rejectJoinRequest(input: $input) {
    group { ...GroupFields }
    member { id name }
    errors { field code message }
    clientMutationId
  }
}
"""
    + GROUP_FIELDS
)
ADD_GROUP_MEMBER = (
    """
mutation AddGroupMember($input: GroupMemberInput!) {
  addGroupMember(input: $input) {
    group { ...GroupFields }
    member { id name }
    errors { field code message }
    clientMutationId
  }
}
"""
    + GROUP_FIELDS
)
REMOVE_GROUP_MEMBER = (
    """
mutation RemoveGroupMember($input: GroupMemberInput!) {
  removeGroupMember(input: $input) {
    group { ...GroupFields }
    member { id name }
    errors { field code message }
    clientMutationId
  }
}
"""
    + GROUP_FIELDS
)
SET_MEMBER_ROLE = (
    """
mutation SetMemberRole($input: SetMemberRoleInput!) {
  setMemberRole(input: $input) {
    group { ...GroupFields }
    member { id name }
    errors { field code message }
    clientMutationId
  }
}
"""
    + GROUP_FIELDS
)
GROUP = "query Group($slug: String!) { group(slug: $slug) { ...GroupFields } }" + GROUP_FIELDS

DOCUMENTS = {
    "createGroup": CREATE_GROUP,
    "updateGroup": UPDATE_GROUP,
    "joinGroup": JOIN_GROUP,
    "leaveGroup": LEAVE_GROUP,
    "approveJoinRequest": APPROVE_JOIN_REQUEST,
    "rejectJoinRequest": REJECT_JOIN_REQUEST,
    "addGroupMember": ADD_GROUP_MEMBER,
    "removeGroupMember": REMOVE_GROUP_MEMBER,
    "setMemberRole": SET_MEMBER_ROLE,
}
GROUP_MUTATIONS = [name for name in DOCUMENTS if name != "createGroup"]
MEMBER_MUTATIONS = [
    "approveJoinRequest",
    "rejectJoinRequest",
    "addGroupMember",
    "removeGroupMember",
    "setMemberRole",
]

UNAUTHENTICATED = {
    "field": None,
    "code": "UNAUTHENTICATED",
    "message": "Sign in first: send the token from signIn as `Authorization: Bearer <token>`.",
}
GROUP_NOT_FOUND = {
    "field": ["input", "groupId"],
    "code": "NOT_FOUND",
    "message": "No group you can see has this ID.",
}
MEMBER_NOT_FOUND = {
    "field": ["input", "memberId"],
    "code": "NOT_FOUND",
    "message": "No member you can see has this ID.",
}
MANAGERS_ONLY = {
    "field": None,
    "code": "FORBIDDEN",
    "message": "Only the group's owners and admins may do this.",
}
OUTRANKED = {
    "field": ["input", "memberId"],
    "code": "FORBIDDEN",
    "message": "Admins act only on moderators and members.",
}
LAST_OWNER = {
    "field": None,
    "code": "CONFLICT",
    "message": "A group needs an owner: make someone else owner first.",
}
NOT_A_MEMBER = {
    "field": ["input", "memberId"],
    "code": "NOT_FOUND",
    "message": "They are not a member.",
}
NO_REQUEST = {
    "field": ["input", "memberId"],
    "code": "NOT_FOUND",
    "message": "They have no pending request.",
}


@dataclass
class Cast:
    """A group with one member of each role, someone who asked to join, and an outsider."""

    group: Group
    owner: Member
    admin: Member
    moderator: Member
    member: Member
    requester: Member  # PENDING in a PRIVATE group; no membership in the others
    outsider: Member

    @property
    def group_id(self) -> str:
        return factories.global_id(self.group)

    def person(self, who: str) -> Member:
        person: Member = getattr(self, who)
        return person


async def cast(privacy: GroupPrivacy = GroupPrivacy.PUBLIC) -> Cast:
    group = await factories.group(privacy=privacy)
    people = Cast(
        group=group,
        owner=await factories.member("Olive Owens"),
        admin=await factories.member("Ada Adams"),
        moderator=await factories.member("Mo Morgan"),
        member=await factories.member("Max Miller"),
        requester=await factories.member("Rae Reed"),
        outsider=await factories.member("Otto Olsen"),
    )
    await factories.join(group, people.owner, MembershipRole.OWNER)
    await factories.join(group, people.admin, MembershipRole.ADMIN)
    await factories.join(group, people.moderator, MembershipRole.MODERATOR)
    await factories.join(group, people.member)
    if privacy is GroupPrivacy.PRIVATE:
        await factories.join(group, people.requester, status=MembershipStatus.PENDING)
    await group.refresh_from_db()
    return people


async def mutate(
    client: httpx.AsyncClient, name: str, fields: dict[str, Any], viewer: Member | None = None
) -> dict[str, Any]:
    """Run mutation `name` with `input: fields`, signed in as `viewer` when given."""
    headers = factories.bearer(await factories.token(viewer)) if viewer is not None else {}
    data = await data_of(client, DOCUMENTS[name], {"input": fields}, headers=headers)
    payload: dict[str, Any] = data[name]
    return payload


Snapshot = tuple[dict[str, Any], list[tuple[str, str, str]]]


async def snapshot(group: Group) -> Snapshot:
    """The group's row and every membership of it, as stored."""
    row = await Group.get(id=group.id).values(
        "slug", "name", "description", "privacy", "member_count"
    )
    memberships = await Membership.filter(group_id=group.id).values_list(
        "member__name", "role", "status"
    )
    return row, sorted((str(name), str(role), str(status)) for name, role, status in memberships)


async def standing(group: Group, member: Member) -> tuple[str, str] | None:
    found = await Membership.get_or_none(group_id=group.id, member_id=member.id)
    return None if found is None else (str(found.role), str(found.status))


async def active_count(group: Group) -> int:
    return await Membership.filter(group_id=group.id, status=MembershipStatus.ACTIVE).count()


def inputs(people: Cast) -> dict[str, dict[str, Any]]:
    """For each mutation about `people.group`, an input that a manager may send."""
    group_id = people.group_id

    def about(member: Member, **more: Any) -> dict[str, Any]:
        return {"groupId": group_id, "memberId": factories.global_id(member), **more}

    return {
        "updateGroup": {"groupId": group_id, "name": "Renamed"},
        "joinGroup": {"groupId": group_id},
        "leaveGroup": {"groupId": group_id},
        "approveJoinRequest": about(people.requester),
        "rejectJoinRequest": about(people.requester),
        "addGroupMember": about(people.outsider),
        "removeGroupMember": about(people.member),
        "setMemberRole": about(people.member, role="MODERATOR"),
    }


def group_fields(
    people: Cast,
    *,
    member_count: int,
    role: str | None = None,
    status: str = "ACTIVE",
    **changes: Any,
) -> dict[str, Any]:
    """The group as a payload shows it, to the viewer whose `role` is given."""
    return {
        "id": people.group_id,
        "slug": "muscle-weakness-ms",
        "name": "Muscle Weakness & MS",
        "description": "",
        "privacy": str(people.group.privacy),
        "memberCount": member_count,
        "viewerMembership": None if role is None else {"role": role, "status": status},
        **changes,
    }


# createGroup


async def test_create_group_makes_the_creator_its_owner(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    sam = await factories.member("Sam Harrison")

    payload = await mutate(
        client,
        "createGroup",
        {
            "name": "Tips & Tea",
            "description": "Tea, and tips for living with MS.",
            "privacy": "PRIVATE",
            "clientMutationId": "c1",
        },
        sam,
    )

    created = await Group.get(slug="tips-tea")
    assert payload == {
        "group": {
            "id": factories.global_id(created),
            "slug": "tips-tea",
            "name": "Tips & Tea",
            "description": "Tea, and tips for living with MS.",
            "privacy": "PRIVATE",
            "memberCount": 1,
            "viewerMembership": {"role": "OWNER", "status": "ACTIVE"},
        },
        "errors": [],
        "clientMutationId": "c1",
    }
    assert await snapshot(created) == (
        {
            "slug": "tips-tea",
            "name": "Tips & Tea",
            "description": "Tea, and tips for living with MS.",
            "privacy": "PRIVATE",
            "member_count": 1,
        },
        [("Sam Harrison", "OWNER", "ACTIVE")],
    )


async def test_create_group_defaults_to_public_with_no_description(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    payload = await mutate(
        client, "createGroup", {"name": "Walking Aids"}, await factories.member()
    )

    assert payload["errors"] == []
    assert payload["clientMutationId"] is None
    assert (payload["group"]["slug"], payload["group"]["privacy"]) == ("walking-aids", "PUBLIC")
    assert payload["group"]["description"] == ""


async def test_a_secret_group_is_visible_to_its_creator(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    payload = await mutate(
        client,
        "createGroup",
        {"name": "Trial Notes", "privacy": "SECRET"},
        await factories.member(),
    )

    assert payload["group"]["privacy"] == "SECRET"
    assert payload["group"]["memberCount"] == 1


async def test_derived_slugs_are_numbered_on_clashes(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    sam = await factories.member()
    await factories.group("tips-tea-party")  # starts like the slug, but is another one

    slugs = [
        (await mutate(client, "createGroup", {"name": name}, sam))["group"]["slug"]
        for name in ("Tips & Tea", "Tips & Tea", "tips, tea!", "Tïps  &  Téa")
    ]

    assert slugs == ["tips-tea", "tips-tea-2", "tips-tea-3", "tips-tea-4"]


async def test_groups_created_at_once_with_one_name_get_numbered_slugs(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    creators = [await factories.member(f"Creator {n}") for n in range(6)]
    headers = [factories.bearer(await factories.token(creator)) for creator in creators]

    answers = await asyncio.gather(
        *(
            data_of(client, CREATE_GROUP, {"input": {"name": "Tips & Tea"}}, headers=each)
            for each in headers
        )
    )

    payloads = [answer["createGroup"] for answer in answers]
    assert [payload["errors"] for payload in payloads] == [[]] * 6
    assert sorted(payload["group"]["slug"] for payload in payloads) == [
        "tips-tea",
        "tips-tea-2",
        "tips-tea-3",
        "tips-tea-4",
        "tips-tea-5",
        "tips-tea-6",
    ]
    assert await Membership.filter(role=MembershipRole.OWNER).count() == 6
    assert await Group.filter(member_count=1).count() == 6


async def test_a_name_without_letters_or_digits_gets_a_slug_too(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    sam = await factories.member()

    slugs = [
        (await mutate(client, "createGroup", {"name": "🌿🌿"}, sam))["group"]["slug"]
        for _ in range(2)
    ]

    assert slugs == ["group", "group-2"]


async def test_a_given_slug_is_kept(db: TortoiseContext, client: httpx.AsyncClient) -> None:
    payload = await mutate(
        client,
        "createGroup",
        {"name": "Tips & Tea", "slug": "ms-tea-club-2024"},
        await factories.member(),
    )

    assert payload["group"]["slug"] == "ms-tea-club-2024"
    assert await Group.filter(slug="ms-tea-club-2024").count() == 1


async def test_a_given_slug_that_is_taken_is_a_conflict(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    taken = await factories.group("tips-tea")

    payload = await mutate(
        client,
        "createGroup",
        {"name": "Another Tea", "slug": "tips-tea", "clientMutationId": "c2"},
        await factories.member(),
    )

    assert payload == {
        "group": None,
        "errors": [
            {"field": ["input", "slug"], "code": "CONFLICT", "message": "This slug is taken."}
        ],
        "clientMutationId": "c2",
    }
    assert [group.id for group in await Group.all()] == [taken.id]
    assert await Membership.all().count() == 0


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": ""}, {"field": ["input", "name"], "message": "name must not be blank."}),
        ({"name": " \t "}, {"field": ["input", "name"], "message": "name must not be blank."}),
        (
            {"name": "n" * 101},
            {
                "field": ["input", "name"],
                "message": "name must be 1 to 100 characters long; it is 101.",
            },
        ),
        (
            {"name": "Tea", "description": "d" * 2001},
            {
                "field": ["input", "description"],
                "message": "description must be 0 to 2000 characters long; it is 2001.",
            },
        ),
        *(
            (
                {"name": "Tea", "slug": slug},
                {
                    "field": ["input", "slug"],
                    "message": (
                        "slug may hold only lower-case letters, digits and single hyphens "
                        "(up to 100)."
                    ),
                },
            )
            for slug in (
                "",
                "Tea",
                "tea club",
                "tea--club",
                "-tea",
                "tea-",
                "té",
                "tea-club\n",
                "t" * 101,
            )
        ),
        (
            {"name": "Tea\x00Club"},
            {
                "field": ["input", "name"],
                "message": "name must not contain NUL or unpaired surrogate characters.",
            },
        ),
        (
            {"name": "Tea", "description": "Tea\x00"},
            {
                "field": ["input", "description"],
                "message": "description must not contain NUL or unpaired surrogate characters.",
            },
        ),
    ],
)
async def test_bad_group_input_is_invalid_and_nothing_is_stored(
    db: TortoiseContext,
    client: httpx.AsyncClient,
    fields: dict[str, Any],
    error: dict[str, Any],
) -> None:
    payload = await mutate(client, "createGroup", fields, await factories.member())

    assert payload["errors"] == [{**error, "code": "INVALID"}]
    assert payload["group"] is None
    assert await Group.all().count() == 0
    assert await Membership.all().count() == 0


async def test_the_longest_name_description_and_slug_are_accepted(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    fields = {"name": "n" * 100, "description": "d" * 2000, "slug": "s" * 100}

    payload = await mutate(client, "createGroup", fields, await factories.member())

    assert payload["errors"] == []
    group = payload["group"]
    assert (group["name"], group["description"], group["slug"]) == (
        fields["name"],
        fields["description"],
        fields["slug"],
    )


async def test_creating_a_group_needs_a_sign_in(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    payload = await mutate(client, "createGroup", {"name": "Tips & Tea", "clientMutationId": "c3"})

    assert payload == {"group": None, "errors": [UNAUTHENTICATED], "clientMutationId": "c3"}
    assert await Group.all().count() == 0


# Refusals every mutation about a group shares


@pytest.mark.parametrize("name", GROUP_MUTATIONS)
async def test_every_group_mutation_needs_a_sign_in(
    db: TortoiseContext, client: httpx.AsyncClient, name: str
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)
    before = await snapshot(people.group)

    payload = await mutate(client, name, {**inputs(people)[name], "clientMutationId": "x"})

    assert payload["errors"] == [UNAUTHENTICATED]
    assert (payload["group"], payload["clientMutationId"]) == (None, "x")
    assert await snapshot(people.group) == before


@pytest.mark.parametrize("name", GROUP_MUTATIONS)
async def test_a_secret_group_is_not_found_by_outsiders_in_every_mutation(
    db: TortoiseContext, client: httpx.AsyncClient, name: str
) -> None:
    people = await cast(GroupPrivacy.SECRET)
    before = await snapshot(people.group)

    payload = await mutate(client, name, inputs(people)[name], people.outsider)

    assert payload["errors"] == [GROUP_NOT_FOUND]
    assert payload["group"] is None
    assert await snapshot(people.group) == before


@pytest.mark.parametrize("name", GROUP_MUTATIONS)
@pytest.mark.parametrize(
    "group_id",
    [
        ids.encode("Group", 999),  # no such group
        ids.encode("Member", 1),  # not a group's id
        "not-an-id",
    ],
)
async def test_an_unknown_group_is_not_found_in_every_mutation(
    db: TortoiseContext, client: httpx.AsyncClient, name: str, group_id: str
) -> None:
    people = await cast()
    before = await snapshot(people.group)

    payload = await mutate(
        client, name, {**inputs(people)[name], "groupId": group_id}, people.owner
    )

    assert payload["errors"] == [GROUP_NOT_FOUND]
    assert await snapshot(people.group) == before


@pytest.mark.parametrize("name", MEMBER_MUTATIONS)
@pytest.mark.parametrize(
    "member_id", [ids.encode("Member", 999), ids.encode("Group", 1), "not-an-id"]
)
async def test_an_unknown_member_is_not_found_in_every_member_mutation(
    db: TortoiseContext, client: httpx.AsyncClient, name: str, member_id: str
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)
    before = await snapshot(people.group)

    payload = await mutate(
        client, name, {**inputs(people)[name], "memberId": member_id}, people.owner
    )

    assert payload["errors"] == [MEMBER_NOT_FOUND]
    assert (payload["group"], payload["member"]) == (None, None)
    assert await snapshot(people.group) == before


@pytest.mark.parametrize("name", ["updateGroup", *MEMBER_MUTATIONS])
@pytest.mark.parametrize("who", ["moderator", "member", "requester", "outsider"])
async def test_only_owners_and_admins_may_change_a_private_group(
    db: TortoiseContext, client: httpx.AsyncClient, name: str, who: str
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)
    before = await snapshot(people.group)

    payload = await mutate(client, name, inputs(people)[name], people.person(who))

    assert payload["errors"] == [MANAGERS_ONLY]
    assert payload["group"] is None
    assert await snapshot(people.group) == before


@pytest.mark.parametrize("name", ["updateGroup", *MEMBER_MUTATIONS])
@pytest.mark.parametrize("who", ["moderator", "member"])
async def test_moderators_and_members_of_a_secret_group_are_forbidden_not_blind(
    db: TortoiseContext, client: httpx.AsyncClient, name: str, who: str
) -> None:
    people = await cast(GroupPrivacy.SECRET)
    before = await snapshot(people.group)

    payload = await mutate(client, name, inputs(people)[name], people.person(who))

    assert payload["errors"] == [MANAGERS_ONLY]
    assert await snapshot(people.group) == before


# updateGroup


@pytest.mark.parametrize(("who", "role"), [("owner", "OWNER"), ("admin", "ADMIN")])
async def test_owners_and_admins_update_a_group(
    db: TortoiseContext, client: httpx.AsyncClient, who: str, role: str
) -> None:
    people = await cast()

    payload = await mutate(
        client,
        "updateGroup",
        {
            "groupId": people.group_id,
            "name": "MS & Muscle Weakness",
            "description": "Strength, fatigue and what helps.",
            "privacy": "PRIVATE",
            "clientMutationId": "u1",
        },
        people.person(who),
    )

    assert payload == {
        "group": group_fields(
            people,
            member_count=4,
            role=role,
            name="MS & Muscle Weakness",
            description="Strength, fatigue and what helps.",
            privacy="PRIVATE",
        ),
        "errors": [],
        "clientMutationId": "u1",
    }
    stored, _ = await snapshot(people.group)
    assert stored == {
        "slug": "muscle-weakness-ms",  # the slug does not follow the name
        "name": "MS & Muscle Weakness",
        "description": "Strength, fatigue and what helps.",
        "privacy": "PRIVATE",
        "member_count": 4,
    }


async def test_what_an_update_leaves_out_stays(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    people = await cast()
    await Group.filter(id=people.group.id).update(description="Strength and fatigue.")

    first = await mutate(
        client, "updateGroup", {"groupId": people.group_id, "name": "Renamed"}, people.owner
    )
    second = await mutate(
        client,
        "updateGroup",
        {"groupId": people.group_id, "name": None, "description": None, "privacy": "SECRET"},
        people.owner,
    )

    assert first["group"]["name"] == "Renamed"
    assert first["group"]["description"] == "Strength and fatigue."
    assert (second["group"]["name"], second["group"]["privacy"]) == ("Renamed", "SECRET")
    assert second["group"]["description"] == "Strength and fatigue."


async def test_a_description_can_be_emptied(db: TortoiseContext, client: httpx.AsyncClient) -> None:
    people = await cast()
    await Group.filter(id=people.group.id).update(description="Strength and fatigue.")

    payload = await mutate(
        client, "updateGroup", {"groupId": people.group_id, "description": ""}, people.owner
    )

    assert payload["group"]["description"] == ""
    assert (await Group.get(id=people.group.id)).description == ""


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": ""}, {"field": ["input", "name"], "message": "name must not be blank."}),
        (
            {"name": "n" * 101},
            {
                "field": ["input", "name"],
                "message": "name must be 1 to 100 characters long; it is 101.",
            },
        ),
        (
            {"description": "d" * 2001},
            {
                "field": ["input", "description"],
                "message": "description must be 0 to 2000 characters long; it is 2001.",
            },
        ),
        (
            {"name": "Tea\x00Club"},
            {
                "field": ["input", "name"],
                "message": "name must not contain NUL or unpaired surrogate characters.",
            },
        ),
        (
            {"name": "Fine", "description": "d" * 2001, "privacy": "SECRET"},
            {
                "field": ["input", "description"],
                "message": "description must be 0 to 2000 characters long; it is 2001.",
            },
        ),
    ],
)
async def test_a_bad_update_is_invalid_and_nothing_changes(
    db: TortoiseContext,
    client: httpx.AsyncClient,
    fields: dict[str, Any],
    error: dict[str, Any],
) -> None:
    people = await cast()
    before = await snapshot(people.group)

    payload = await mutate(
        client, "updateGroup", {"groupId": people.group_id, **fields}, people.admin
    )

    assert payload["errors"] == [{**error, "code": "INVALID"}]
    assert payload["group"] is None
    assert await snapshot(people.group) == before


@pytest.mark.parametrize("who", ["moderator", "member", "outsider"])
async def test_only_owners_and_admins_update_a_public_group(
    db: TortoiseContext, client: httpx.AsyncClient, who: str
) -> None:
    people = await cast()
    before = await snapshot(people.group)

    payload = await mutate(
        client,
        "updateGroup",
        {"groupId": people.group_id, "privacy": "SECRET"},
        people.person(who),
    )

    assert payload["errors"] == [MANAGERS_ONLY]
    assert await snapshot(people.group) == before


async def test_private_to_public_approves_every_pending_request(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)
    another = await factories.member("Ann Other")
    await factories.join(people.group, another, status=MembershipStatus.PENDING)

    payload = await mutate(
        client, "updateGroup", {"groupId": people.group_id, "privacy": "PUBLIC"}, people.owner
    )

    assert payload["group"] == group_fields(people, member_count=6, role="OWNER", privacy="PUBLIC")
    assert await snapshot(people.group) == (
        {
            "slug": "muscle-weakness-ms",
            "name": "Muscle Weakness & MS",
            "description": "",
            "privacy": "PUBLIC",
            "member_count": 6,
        },
        [
            ("Ada Adams", "ADMIN", "ACTIVE"),
            ("Ann Other", "MEMBER", "ACTIVE"),
            ("Max Miller", "MEMBER", "ACTIVE"),
            ("Mo Morgan", "MODERATOR", "ACTIVE"),
            ("Olive Owens", "OWNER", "ACTIVE"),
            ("Rae Reed", "MEMBER", "ACTIVE"),
        ],
    )
    approved = await Membership.get(group_id=people.group.id, member_id=people.requester.id)
    assert approved.joined_at == factories.NOW  # membership starts at approval


async def test_private_to_secret_rejects_every_pending_request(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)

    payload = await mutate(
        client, "updateGroup", {"groupId": people.group_id, "privacy": "SECRET"}, people.admin
    )

    new_slug = payload["group"]["slug"]  # unguessable now; see test_slugs.py
    assert new_slug.startswith("muscle-weakness-ms--")
    assert payload["group"] == group_fields(
        people, member_count=4, role="ADMIN", privacy="SECRET", slug=new_slug
    )
    assert await standing(people.group, people.requester) is None
    assert await active_count(people.group) == 4
    seen = await data_of(
        client,
        GROUP,
        {"slug": "muscle-weakness-ms"},
        headers=factories.bearer(await factories.token(people.requester)),
    )
    assert seen == {"group": None}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("PUBLIC", "PRIVATE"),
        ("PUBLIC", "SECRET"),
        ("SECRET", "PRIVATE"),
        ("SECRET", "PUBLIC"),
        ("PRIVATE", "PRIVATE"),
    ],
)
async def test_other_privacy_changes_keep_every_membership(
    db: TortoiseContext, client: httpx.AsyncClient, before: str, after: str
) -> None:
    people = await cast(GroupPrivacy(before))
    _, memberships = await snapshot(people.group)

    payload = await mutate(
        client, "updateGroup", {"groupId": people.group_id, "privacy": after}, people.owner
    )

    assert payload["errors"] == []
    assert payload["group"]["privacy"] == after
    # Only becoming SECRET changes the slug (see test_slugs.py); leaving SECRET gives back the
    # last public one, here the one it had.
    slug = payload["group"]["slug"]
    if after == "SECRET" != before:
        assert slug.startswith("muscle-weakness-ms--")
    else:
        assert slug == "muscle-weakness-ms"
    assert await snapshot(people.group) == (
        {
            "slug": slug,
            "name": "Muscle Weakness & MS",
            "description": "",
            "privacy": after,
            "member_count": 4,
        },
        memberships,
    )


# joinGroup


async def test_joining_a_public_group_is_immediate(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    people = await cast()

    payload = await mutate(
        client, "joinGroup", {"groupId": people.group_id, "clientMutationId": "j1"}, people.outsider
    )

    assert payload == {
        "group": group_fields(people, member_count=5, role="MEMBER"),
        "viewerMembership": {"role": "MEMBER", "status": "ACTIVE"},
        "errors": [],
        "clientMutationId": "j1",
    }
    assert await standing(people.group, people.outsider) == ("MEMBER", "ACTIVE")
    assert await snapshot(people.group) == (
        {
            "slug": "muscle-weakness-ms",
            "name": "Muscle Weakness & MS",
            "description": "",
            "privacy": "PUBLIC",
            "member_count": 5,
        },
        [
            ("Ada Adams", "ADMIN", "ACTIVE"),
            ("Max Miller", "MEMBER", "ACTIVE"),
            ("Mo Morgan", "MODERATOR", "ACTIVE"),
            ("Olive Owens", "OWNER", "ACTIVE"),
            ("Otto Olsen", "MEMBER", "ACTIVE"),
        ],
    )


async def test_joining_a_private_group_asks_to_join(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)

    payload = await mutate(client, "joinGroup", {"groupId": people.group_id}, people.outsider)

    assert payload == {
        "group": group_fields(people, member_count=4, role="MEMBER", status="PENDING"),
        "viewerMembership": {"role": "MEMBER", "status": "PENDING"},
        "errors": [],
        "clientMutationId": None,
    }
    assert await standing(people.group, people.outsider) == ("MEMBER", "PENDING")
    assert (await Group.get(id=people.group.id)).member_count == 4


@pytest.mark.parametrize(
    ("privacy", "who"),
    [
        ("PUBLIC", "owner"),
        ("PUBLIC", "member"),
        ("PRIVATE", "admin"),
        ("PRIVATE", "requester"),
        ("SECRET", "moderator"),
    ],
)
async def test_joining_again_is_a_conflict(
    db: TortoiseContext, client: httpx.AsyncClient, privacy: str, who: str
) -> None:
    people = await cast(GroupPrivacy(privacy))
    before = await snapshot(people.group)

    payload = await mutate(client, "joinGroup", {"groupId": people.group_id}, people.person(who))

    assert payload == {
        "group": None,
        "viewerMembership": None,
        "errors": [
            {
                "field": None,
                "code": "CONFLICT",
                "message": "You are already a member, or your request is pending.",
            }
        ],
        "clientMutationId": None,
    }
    assert await snapshot(people.group) == before


# leaveGroup


@pytest.mark.parametrize("who", ["admin", "moderator", "member"])
async def test_a_member_leaves(db: TortoiseContext, client: httpx.AsyncClient, who: str) -> None:
    people = await cast()

    payload = await mutate(
        client,
        "leaveGroup",
        {"groupId": people.group_id, "clientMutationId": "l1"},
        people.person(who),
    )

    assert payload == {
        "group": group_fields(people, member_count=3),
        "errors": [],
        "clientMutationId": "l1",
    }
    assert await standing(people.group, people.person(who)) is None
    assert await active_count(people.group) == 3


async def test_leaving_a_private_group_withdraws_a_request(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)

    payload = await mutate(client, "leaveGroup", {"groupId": people.group_id}, people.requester)

    assert payload["errors"] == []
    assert payload["group"] == group_fields(people, member_count=4)
    assert await standing(people.group, people.requester) is None


async def test_leaving_a_secret_group_puts_it_out_of_sight(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    people = await cast(GroupPrivacy.SECRET)

    payload = await mutate(client, "leaveGroup", {"groupId": people.group_id}, people.member)

    assert payload == {"group": None, "errors": [], "clientMutationId": None}
    assert await standing(people.group, people.member) is None
    assert (await Group.get(id=people.group.id)).member_count == 3


async def test_the_last_owner_cannot_leave(db: TortoiseContext, client: httpx.AsyncClient) -> None:
    people = await cast()
    before = await snapshot(people.group)

    payload = await mutate(client, "leaveGroup", {"groupId": people.group_id}, people.owner)

    assert payload == {"group": None, "errors": [LAST_OWNER], "clientMutationId": None}
    assert await snapshot(people.group) == before


async def test_an_owner_leaves_when_another_owner_stays(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    people = await cast()
    await Membership.filter(group_id=people.group.id, member_id=people.admin.id).update(
        role=MembershipRole.OWNER
    )

    payload = await mutate(client, "leaveGroup", {"groupId": people.group_id}, people.owner)

    assert payload["errors"] == []
    assert payload["group"]["memberCount"] == 3
    assert await standing(people.group, people.owner) is None


@pytest.mark.parametrize("privacy", ["PUBLIC", "PRIVATE"])
async def test_leaving_a_group_you_are_not_in_is_a_conflict(
    db: TortoiseContext, client: httpx.AsyncClient, privacy: str
) -> None:
    people = await cast(GroupPrivacy(privacy))
    before = await snapshot(people.group)

    payload = await mutate(client, "leaveGroup", {"groupId": people.group_id}, people.outsider)

    assert payload["errors"] == [
        {"field": None, "code": "CONFLICT", "message": "You are not a member of this group."}
    ]
    assert await snapshot(people.group) == before


# approveJoinRequest, rejectJoinRequest


@pytest.mark.parametrize(("who", "role"), [("owner", "OWNER"), ("admin", "ADMIN")])
async def test_owners_and_admins_approve_a_request(
    db: TortoiseContext, client: httpx.AsyncClient, who: str, role: str
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)

    payload = await mutate(
        client,
        "approveJoinRequest",
        {**inputs(people)["approveJoinRequest"], "clientMutationId": "a1"},
        people.person(who),
    )

    assert payload == {
        "group": group_fields(people, member_count=5, role=role),
        "member": {"id": factories.global_id(people.requester), "name": "Rae Reed"},
        "errors": [],
        "clientMutationId": "a1",
    }
    assert await standing(people.group, people.requester) == ("MEMBER", "ACTIVE")
    assert await active_count(people.group) == 5


@pytest.mark.parametrize(("who", "role"), [("owner", "OWNER"), ("admin", "ADMIN")])
async def test_owners_and_admins_reject_a_request(
    db: TortoiseContext, client: httpx.AsyncClient, who: str, role: str
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)

    payload = await mutate(
        client,
        "rejectJoinRequest",
        {**inputs(people)["rejectJoinRequest"], "clientMutationId": "r1"},
        people.person(who),
    )

    assert payload == {
        "group": group_fields(people, member_count=4, role=role),
        "member": {"id": factories.global_id(people.requester), "name": "Rae Reed"},
        "errors": [],
        "clientMutationId": "r1",
    }
    assert await standing(people.group, people.requester) is None
    assert (await Group.get(id=people.group.id)).member_count == 4


@pytest.mark.parametrize("name", ["approveJoinRequest", "rejectJoinRequest"])
@pytest.mark.parametrize("whom", ["outsider", "member", "owner"])
async def test_deciding_without_a_request_is_not_found(
    db: TortoiseContext, client: httpx.AsyncClient, name: str, whom: str
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)
    before = await snapshot(people.group)

    payload = await mutate(
        client,
        name,
        {**inputs(people)[name], "memberId": factories.global_id(people.person(whom))},
        people.admin,
    )

    assert payload["errors"] == [NO_REQUEST]
    assert (payload["group"], payload["member"]) == (None, None)
    assert await snapshot(people.group) == before


# addGroupMember


@pytest.mark.parametrize(("who", "role"), [("owner", "OWNER"), ("admin", "ADMIN")])
async def test_owners_and_admins_add_a_member_to_a_secret_group(
    db: TortoiseContext, client: httpx.AsyncClient, who: str, role: str
) -> None:
    people = await cast(GroupPrivacy.SECRET)

    payload = await mutate(
        client,
        "addGroupMember",
        {**inputs(people)["addGroupMember"], "clientMutationId": "m1"},
        people.person(who),
    )

    assert payload == {
        "group": group_fields(people, member_count=5, role=role),
        "member": {"id": factories.global_id(people.outsider), "name": "Otto Olsen"},
        "errors": [],
        "clientMutationId": "m1",
    }
    assert await standing(people.group, people.outsider) == ("MEMBER", "ACTIVE")
    seen = await data_of(
        client,
        GROUP,
        {"slug": "muscle-weakness-ms"},
        headers=factories.bearer(await factories.token(people.outsider)),
    )
    assert seen["group"]["viewerMembership"] == {"role": "MEMBER", "status": "ACTIVE"}


async def test_adding_someone_who_asked_approves_the_request(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)

    payload = await mutate(
        client,
        "addGroupMember",
        {**inputs(people)["addGroupMember"], "memberId": factories.global_id(people.requester)},
        people.admin,
    )

    assert payload["errors"] == []
    assert payload["group"]["memberCount"] == 5
    assert await standing(people.group, people.requester) == ("MEMBER", "ACTIVE")
    assert await Membership.filter(group_id=people.group.id).count() == 5


@pytest.mark.parametrize("whom", ["owner", "moderator", "member"])
async def test_adding_a_member_again_is_a_conflict(
    db: TortoiseContext, client: httpx.AsyncClient, whom: str
) -> None:
    people = await cast()
    before = await snapshot(people.group)

    payload = await mutate(
        client,
        "addGroupMember",
        {**inputs(people)["addGroupMember"], "memberId": factories.global_id(people.person(whom))},
        people.admin,
    )

    assert payload["errors"] == [
        {"field": None, "code": "CONFLICT", "message": "They are already a member."}
    ]
    assert await snapshot(people.group) == before


# removeGroupMember


@pytest.mark.parametrize(
    ("who", "role", "whom"),
    [
        ("owner", "OWNER", "admin"),
        ("owner", "OWNER", "moderator"),
        ("owner", "OWNER", "member"),
        ("admin", "ADMIN", "moderator"),
        ("admin", "ADMIN", "member"),
    ],
)
async def test_owners_and_admins_remove_those_below_them(
    db: TortoiseContext, client: httpx.AsyncClient, who: str, role: str, whom: str
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)
    removed = people.person(whom)

    payload = await mutate(
        client,
        "removeGroupMember",
        {
            "groupId": people.group_id,
            "memberId": factories.global_id(removed),
            "clientMutationId": "d1",
        },
        people.person(who),
    )

    assert payload == {
        "group": group_fields(people, member_count=3, role=role),
        "member": {"id": factories.global_id(removed), "name": removed.name},
        "errors": [],
        "clientMutationId": "d1",
    }
    assert await standing(people.group, removed) is None
    assert await active_count(people.group) == 3


async def test_an_owner_removes_another_owner(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    people = await cast()
    await Membership.filter(group_id=people.group.id, member_id=people.admin.id).update(
        role=MembershipRole.OWNER
    )

    payload = await mutate(
        client,
        "removeGroupMember",
        {"groupId": people.group_id, "memberId": factories.global_id(people.admin)},
        people.owner,
    )

    assert payload["errors"] == []
    assert payload["group"]["memberCount"] == 3
    assert await standing(people.group, people.admin) is None


async def test_the_last_owner_cannot_be_removed(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    people = await cast()
    before = await snapshot(people.group)

    payload = await mutate(
        client,
        "removeGroupMember",
        {"groupId": people.group_id, "memberId": factories.global_id(people.owner)},
        people.owner,
    )

    assert payload["errors"] == [LAST_OWNER]
    assert await snapshot(people.group) == before


@pytest.mark.parametrize("whom", ["owner", "admin"])
async def test_admins_may_not_remove_owners_or_admins(
    db: TortoiseContext, client: httpx.AsyncClient, whom: str
) -> None:
    people = await cast()
    before = await snapshot(people.group)

    payload = await mutate(
        client,
        "removeGroupMember",
        {"groupId": people.group_id, "memberId": factories.global_id(people.person(whom))},
        people.admin,
    )

    assert payload["errors"] == [OUTRANKED]
    assert await snapshot(people.group) == before


@pytest.mark.parametrize("name", ["removeGroupMember", "setMemberRole"])
@pytest.mark.parametrize("whom", ["requester", "outsider"])
async def test_someone_who_is_not_a_member_is_not_found(
    db: TortoiseContext, client: httpx.AsyncClient, name: str, whom: str
) -> None:
    people = await cast(GroupPrivacy.PRIVATE)
    before = await snapshot(people.group)

    payload = await mutate(
        client,
        name,
        {**inputs(people)[name], "memberId": factories.global_id(people.person(whom))},
        people.owner,
    )

    assert payload["errors"] == [NOT_A_MEMBER]
    assert await snapshot(people.group) == before


# setMemberRole


@pytest.mark.parametrize("role", ["OWNER", "ADMIN", "MODERATOR", "MEMBER"])
@pytest.mark.parametrize("whom", ["admin", "moderator", "member"])
async def test_an_owner_gives_any_role(
    db: TortoiseContext, client: httpx.AsyncClient, role: str, whom: str
) -> None:
    people = await cast()
    promoted = people.person(whom)

    payload = await mutate(
        client,
        "setMemberRole",
        {
            "groupId": people.group_id,
            "memberId": factories.global_id(promoted),
            "role": role,
            "clientMutationId": "s1",
        },
        people.owner,
    )

    assert payload == {
        "group": group_fields(people, member_count=4, role="OWNER"),
        "member": {"id": factories.global_id(promoted), "name": promoted.name},
        "errors": [],
        "clientMutationId": "s1",
    }
    assert await standing(people.group, promoted) == (role, "ACTIVE")


@pytest.mark.parametrize("role", ["MODERATOR", "MEMBER"])
@pytest.mark.parametrize("whom", ["moderator", "member"])
async def test_an_admin_sets_moderators_and_members(
    db: TortoiseContext, client: httpx.AsyncClient, role: str, whom: str
) -> None:
    people = await cast()

    payload = await mutate(
        client,
        "setMemberRole",
        {
            "groupId": people.group_id,
            "memberId": factories.global_id(people.person(whom)),
            "role": role,
        },
        people.admin,
    )

    assert payload["errors"] == []
    assert await standing(people.group, people.person(whom)) == (role, "ACTIVE")


@pytest.mark.parametrize(
    ("whom", "role"),
    [
        ("member", "ADMIN"),
        ("member", "OWNER"),
        ("moderator", "ADMIN"),
        ("admin", "MEMBER"),
        ("owner", "MEMBER"),
        ("admin", "ADMIN"),  # themselves
    ],
)
async def test_admins_may_not_give_or_take_admin_and_owner_roles(
    db: TortoiseContext, client: httpx.AsyncClient, whom: str, role: str
) -> None:
    people = await cast()
    before = await snapshot(people.group)

    payload = await mutate(
        client,
        "setMemberRole",
        {
            "groupId": people.group_id,
            "memberId": factories.global_id(people.person(whom)),
            "role": role,
        },
        people.admin,
    )

    assert payload["errors"] == [OUTRANKED]
    assert (payload["group"], payload["member"]) == (None, None)
    assert await snapshot(people.group) == before


@pytest.mark.parametrize("role", ["ADMIN", "MODERATOR", "MEMBER"])
async def test_the_last_owner_cannot_be_demoted(
    db: TortoiseContext, client: httpx.AsyncClient, role: str
) -> None:
    people = await cast()
    before = await snapshot(people.group)

    payload = await mutate(
        client,
        "setMemberRole",
        {"groupId": people.group_id, "memberId": factories.global_id(people.owner), "role": role},
        people.owner,
    )

    assert payload["errors"] == [LAST_OWNER]
    assert await snapshot(people.group) == before


async def test_an_owner_steps_down_once_there_is_another(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    people = await cast()
    owner_id, admin_id = factories.global_id(people.owner), factories.global_id(people.admin)

    promoted = await mutate(
        client,
        "setMemberRole",
        {"groupId": people.group_id, "memberId": admin_id, "role": "OWNER"},
        people.owner,
    )
    stepped_down = await mutate(
        client,
        "setMemberRole",
        {"groupId": people.group_id, "memberId": owner_id, "role": "ADMIN"},
        people.owner,
    )
    refused = await mutate(
        client,
        "setMemberRole",
        {"groupId": people.group_id, "memberId": admin_id, "role": "MEMBER"},
        people.admin,
    )

    assert (promoted["errors"], stepped_down["errors"]) == ([], [])
    assert stepped_down["group"]["viewerMembership"] == {"role": "ADMIN", "status": "ACTIVE"}
    assert refused["errors"] == [LAST_OWNER]
    assert await standing(people.group, people.owner) == ("ADMIN", "ACTIVE")
    assert await standing(people.group, people.admin) == ("OWNER", "ACTIVE")
