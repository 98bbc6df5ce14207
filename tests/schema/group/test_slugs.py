"""Slugs: SECRET groups have unguessable ones, and a slug a group had stays with it."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import GroupSlug, Member
from models.sql import fetch
from schema.core import ids
from schema.core.slugs import readable_base
from tests import factories
from tests.helpers import data_of

SECRET_SLUG = re.compile(r"[a-z0-9-]+--[a-z0-9]{20}")

CREATE_GROUP = """
mutation CreateGroup($input: CreateGroupInput!) {
  createGroup(input: $input) {
    group { id slug name privacy }
    errors { field code message }
  }
}
"""
UPDATE_GROUP = """
mutation UpdateGroup($input: UpdateGroupInput!) {
  updateGroup(input: $input) {
    group { id slug name privacy }
    errors { field code message }
  }
}
"""
GROUP = "query Group($slug: String!) { group(slug: $slug) { id slug name privacy } }"
GROUPS = "query Groups { groups(first: 100) { totalCount nodes { id slug name privacy } } }"
NODE = "query Node($id: ID!) { node(id: $id) { id ... on Group { slug } } }"


def signed(token: str | None) -> dict[str, Any]:
    return {"headers": factories.bearer(token)} if token else {}


async def create(client: httpx.AsyncClient, token: str | None, **fields: Any) -> dict[str, Any]:
    data = await data_of(client, CREATE_GROUP, {"input": fields}, **signed(token))
    payload: dict[str, Any] = data["createGroup"]
    return payload


async def update(client: httpx.AsyncClient, token: str, **fields: Any) -> dict[str, Any]:
    data = await data_of(client, UPDATE_GROUP, {"input": fields}, **signed(token))
    payload: dict[str, Any] = data["updateGroup"]
    return payload


async def find(client: httpx.AsyncClient, token: str | None, slug: str) -> Any:
    return (await data_of(client, GROUP, {"slug": slug}, **signed(token)))["group"]


async def people(*names: str) -> list[str]:
    return [await factories.token(await Member.create(name=name)) for name in names]


async def test_a_secret_group_gets_an_unguessable_slug(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    [owner] = await people("Olive Owner")

    named = await create(client, owner, name="Trial Notes & Plans", privacy="SECRET")
    again = await create(client, owner, name="Trial Notes & Plans", privacy="SECRET")
    given = await create(client, owner, name="Trial Notes", slug="notes", privacy="SECRET")
    longest = await create(client, owner, name="Long", slug="s" * 100, privacy="SECRET")

    slugs = [p["group"]["slug"] for p in (named, again, given, longest)]
    assert all(SECRET_SLUG.fullmatch(slug) for slug in slugs), slugs
    assert [readable_base(slug) for slug in slugs] == [
        "trial-notes-plans",
        "trial-notes-plans",
        "notes",
        "s" * 78,
    ]
    assert slugs[0] != slugs[1]
    assert len(slugs[3]) == 100
    assert await find(client, owner, slugs[2]) == given["group"]
    assert await find(client, owner, "notes") is None  # only the start: nobody has it


async def test_the_given_slug_of_a_secret_group_is_checked_like_any_other(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    [owner] = await people("Olive Owner")

    for slug in ("Notes", "notes--abcdefghijklmnopqrst", "-notes", "s" * 101):
        payload = await create(client, owner, name="N", slug=slug, privacy="SECRET")
        assert [e["code"] for e in payload["errors"]] == ["INVALID"], slug
    assert await fetch("SELECT id FROM groups") == []


async def test_a_public_slug_never_collides_with_a_secret_one(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    owner, outsider = await people("Olive Owner", "Otto Outsider")
    secret = (await create(client, owner, name="Club", slug="club", privacy="SECRET"))["group"]

    public = await create(client, outsider, name="Club", slug="club")
    derived = await create(client, outsider, name="Club")

    assert public["group"]["slug"] == "club"
    assert derived["group"]["slug"] == "club-2"
    assert await find(client, owner, secret["slug"]) == secret
    assert await find(client, owner, "club") == public["group"]


async def test_becoming_secret_gives_a_new_slug_and_the_old_one_finds_it_for_members_only(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    owner, outsider = await people("Olive Owner", "Otto Outsider")
    created = (await create(client, owner, name="Tea Club"))["group"]

    payload = await update(client, owner, groupId=created["id"], privacy="SECRET")

    group = payload["group"]
    assert payload["errors"] == []
    assert SECRET_SLUG.fullmatch(group["slug"])
    assert readable_base(group["slug"]) == "tea-club"
    assert await find(client, owner, "tea-club") == group  # the old link still works
    assert await find(client, owner, group["slug"]) == group
    for viewer in (outsider, None):
        assert await find(client, viewer, "tea-club") is None
        assert await find(client, viewer, group["slug"]) is None


async def test_a_former_slug_stays_with_its_group(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    """Nobody can take over a link members still use: the old slug was public, so keeping
    it reveals nothing that was not known."""
    owner, outsider = await people("Olive Owner", "Otto Outsider")
    created = (await create(client, owner, name="Tea Club"))["group"]
    await update(client, owner, groupId=created["id"], privacy="SECRET")

    taken = await create(client, outsider, name="Tea Club", slug="tea-club")
    derived = await create(client, outsider, name="Tea Club")

    assert taken["errors"] == [
        {"field": ["input", "slug"], "code": "CONFLICT", "message": "This slug is taken."}
    ]
    assert derived["group"]["slug"] == "tea-club-2"


async def test_leaving_secret_gives_back_the_last_public_slug(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    owner, outsider = await people("Olive Owner", "Otto Outsider")
    created = (await create(client, owner, name="Tea Club"))["group"]
    secret = (await update(client, owner, groupId=created["id"], privacy="SECRET"))["group"]

    public = (await update(client, owner, groupId=created["id"], privacy="PRIVATE"))["group"]
    again = (await update(client, owner, groupId=created["id"], privacy="SECRET"))["group"]

    assert public["slug"] == "tea-club"
    assert await find(client, outsider, secret["slug"]) is None  # secret again: out of sight
    assert again["slug"] not in {secret["slug"], "tea-club"}  # a fresh one each time
    assert SECRET_SLUG.fullmatch(again["slug"])
    back = (await update(client, owner, groupId=created["id"], privacy="PUBLIC"))["group"]
    assert back["slug"] == "tea-club"
    for slug in ("tea-club", secret["slug"], again["slug"]):  # public now: found by everyone
        assert await find(client, None, slug) == back
    assert sorted(
        await GroupSlug.filter(group_id=ids.decode_as("Group", back["id"])).values_list(
            "slug", flat=True
        )
    ) == sorted(["tea-club", secret["slug"], again["slug"]])


async def test_a_group_created_secret_gets_a_free_slug_from_its_start_when_it_leaves(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    owner, outsider = await people("Olive Owner", "Otto Outsider")
    first = (await create(client, owner, name="Tea Club", privacy="SECRET"))["group"]
    second = (await create(client, owner, name="Tea Club", privacy="SECRET"))["group"]
    await create(client, outsider, name="Tea Club")  # takes "tea-club"

    opened = [
        (await update(client, owner, groupId=group["id"], privacy="PUBLIC"))["group"]["slug"]
        for group in (first, second)
    ]

    assert opened == ["tea-club-2", "tea-club-3"]


@pytest.mark.parametrize(("before", "after"), [("SECRET", "SECRET"), ("PUBLIC", "PRIVATE")])
async def test_other_updates_keep_the_slug(
    db: TortoiseContext, client: httpx.AsyncClient, before: str, after: str
) -> None:
    [owner] = await people("Olive Owner")
    created = (await create(client, owner, name="Tea Club", privacy=before))["group"]

    payload = await update(client, owner, groupId=created["id"], privacy=after, name="Renamed")

    assert payload["group"]["slug"] == created["slug"]
    assert await GroupSlug.all().count() == 1


# Discovery: every answer to a non-member is the same whether or not a SECRET group has a slug.

SECRET_SUFFIX = re.compile(r"--[a-z0-9]{20}")


def normalised(answer: Any, names: dict[str, str]) -> Any:
    """The answer with what must differ between two runs replaced: ids and random suffixes."""
    if isinstance(answer, dict):
        return {key: normalised(value, names) for key, value in answer.items()}
    if isinstance(answer, list):
        return [normalised(value, names) for value in answer]
    if isinstance(answer, str):
        if ids.decode(answer) is not None:
            return names.setdefault(answer, f"<id {len(names)}>")
        return SECRET_SUFFIX.sub("--<random>", answer)
    return answer


async def probe(
    client: httpx.AsyncClient, token: str | None, secret_slug: str, secret_id: str
) -> list[Any]:
    """Everything a non-member might try to learn about `secret_slug`, in order."""
    base = readable_base(secret_slug)
    steps: list[tuple[str, dict[str, Any]]] = [
        (GROUP, {"slug": secret_slug}),
        (GROUP, {"slug": base}),
        (GROUPS, {}),
        (NODE, {"id": secret_id}),
        (CREATE_GROUP, {"input": {"name": "Mine", "slug": secret_slug}}),
        (CREATE_GROUP, {"input": {"name": "Trial Coordinators"}}),
        (CREATE_GROUP, {"input": {"name": "Mine", "slug": f"{base}-2", "privacy": "PRIVATE"}}),
        (CREATE_GROUP, {"input": {"name": "Trial Coordinators", "privacy": "SECRET"}}),
        (CREATE_GROUP, {"input": {"name": "Mine", "slug": base, "privacy": "SECRET"}}),
        (CREATE_GROUP, {"input": {"name": "Trial Coordinators"}}),
        (GROUP, {"slug": secret_slug}),
        (GROUP, {"slug": base}),
        (GROUPS, {}),
    ]
    answers = []
    made: list[str] = []
    for query, variables in steps:
        body = await data_of(client, query, variables, **signed(token))
        answers.append(body)
        created = body.get("createGroup", {}).get("group")
        if created is not None:
            made.append(created["id"])
    for group_id in made:  # and their own SECRET groups opened: which slugs do they get?
        for privacy in ("PUBLIC", "SECRET", "PRIVATE"):
            answers.append(
                await data_of(
                    client,
                    UPDATE_GROUP,
                    {"input": {"groupId": group_id, "privacy": privacy}},
                    **signed(token),
                )
            )
    return answers


@pytest.mark.parametrize("viewer", ["anonymous", "outsider"])
async def test_nobody_outside_can_tell_whether_a_secret_group_has_a_slug(
    db: TortoiseContext, client: httpx.AsyncClient, viewer: str
) -> None:
    owner, outsider = await people("Olive Owner", "Otto Outsider")
    token = outsider if viewer == "outsider" else None
    secret = (await create(client, owner, name="Trial Coordinators", privacy="SECRET"))["group"]

    with_it = await probe(client, token, secret["slug"], secret["id"])
    await fetch("DELETE FROM memberships")  # now no group has the slug (nor ever had)
    await fetch("DELETE FROM group_slugs")
    await fetch("DELETE FROM groups")
    without_it = await probe(client, token, secret["slug"], secret["id"])

    assert normalised(with_it, {}) == normalised(without_it, {})
    if viewer == "outsider":  # the probe did create and open groups: it compared real answers
        assert [a["createGroup"]["errors"] for a in with_it if "createGroup" in a][:2] == [
            [
                {
                    "field": ["input", "slug"],
                    "code": "INVALID",
                    "message": "slug may hold only lower-case letters, digits and single "
                    "hyphens (up to 100).",
                }
            ],
            [],
        ]
        assert await GroupSlug.filter(slug="trial-coordinators").count() == 1
