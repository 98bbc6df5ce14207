"""A group's slug: chosen when it is created or changes privacy, and kept forever after.

PUBLIC and PRIVATE groups have the slug their creator gave or one made from
the name ("tips-tea", then "tips-tea-2"). SECRET groups have unguessable ones
(`secret_slug`: "tips-tea--k3x9..."), a shape no client can ask for, so no
answer to anyone outside tells whether a SECRET group has a slug. Every slug a
group has had stays in `group_slugs`, with that group only: `group(slug:)`
finds a group by any of them (for viewers who may see it), and nobody else can
take one over, so the links members keep never lead to another group.
"""

from __future__ import annotations

import re
from datetime import datetime

from models import GroupPrivacy
from models.sql import Row, fetch, fetch_one
from schema.core.mutations import Refusal, UserErrorCode, refuse
from schema.core.slugs import (
    MAX_GROUP_SLUG_LENGTH,
    numbered,
    readable_base,
    secret_slug,
    slugify,
)

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")  # matched whole (fullmatch): single hyphens only


def check_slug(slug: str) -> None:
    if len(slug) > MAX_GROUP_SLUG_LENGTH or not SLUG.fullmatch(slug):
        raise refuse(
            UserErrorCode.INVALID,
            "slug may hold only lower-case letters, digits and single hyphens (up to 100).",
            "input",
            "slug",
        )


async def is_taken(slug: str) -> bool:
    return await fetch_one("SELECT id FROM group_slugs WHERE slug = ?", [slug]) is not None


async def free_slug(base: str) -> str:
    """`base`, or the first of `base-2`, `base-3`, ... that no group has ever had."""
    taken = await fetch(
        "SELECT slug FROM group_slugs WHERE slug = ? OR slug LIKE ?", [base, f"{base}-%"]
    )
    return numbered(base, {row["slug"] for row in taken})


async def register(group_id: int, slug: str, now: datetime) -> bool:
    """Give `slug` to the group for good; False when some group has (or had) it."""
    row = await fetch_one(
        "INSERT INTO group_slugs (slug, group_id, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT (slug) DO NOTHING RETURNING id",
        [slug, group_id, now],
    )
    return row is not None


async def insert_group(
    name: str, description: str, privacy: GroupPrivacy, slug: str | None, now: datetime
) -> int:
    """Insert the group with its slug; returns its id.

    A slug made from the name (or any SECRET slug) moves on to the next
    candidate when another group took it since it was chosen (a concurrent
    createGroup); a slug the user gave for a PUBLIC or PRIVATE group is refused
    instead. For a SECRET group, the given slug is only the readable start.
    """
    if slug is not None:
        check_slug(slug)
    secret = privacy is GroupPrivacy.SECRET
    while True:
        if secret:
            candidate = secret_slug(slug or slugify(name, fallback="group"))
        elif slug is not None:
            if await is_taken(slug):
                raise taken()
            candidate = slug
        else:
            candidate = await free_slug(slugify(name, fallback="group"))
        group_id = await insert_with_slug(name, description, privacy, candidate, now)
        if group_id is not None:
            return group_id
        if slug is not None and not secret:
            raise taken()


async def insert_with_slug(
    name: str, description: str, privacy: GroupPrivacy, slug: str, now: datetime
) -> int | None:
    row = await fetch_one(
        "INSERT INTO groups (slug, name, description, privacy, member_count, created_at) "
        "VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (slug) DO NOTHING RETURNING id",
        [slug, name, description, privacy.value, now],
    )
    if row is None:
        return None
    if not await register(row["id"], slug, now):  # a former slug of another group
        await fetch_one("DELETE FROM groups WHERE id = ? RETURNING id", [row["id"]])
        return None
    return int(row["id"])


def taken() -> Refusal:
    return refuse(UserErrorCode.CONFLICT, "This slug is taken.", "input", "slug")


async def slug_after_privacy_change(group: Row, privacy: str, now: datetime) -> str | None:
    """The slug a group gets when its privacy becomes `privacy`; None when it keeps its own.

    Becoming SECRET: a new unguessable slug (the old one stays the group's,
    found only by those who may see it). Leaving SECRET: the last slug it had
    as a PUBLIC or PRIVATE group, else a free one made from its readable start.
    """
    if (group["privacy"] == GroupPrivacy.SECRET) == (privacy == GroupPrivacy.SECRET):
        return None
    if privacy != GroupPrivacy.SECRET:
        former = await fetch_one(
            "SELECT slug FROM group_slugs WHERE group_id = ? AND slug NOT LIKE '%--%' "
            "ORDER BY created_at DESC, id DESC LIMIT 1",
            [group["id"]],
        )
        if former is not None:
            return str(former["slug"])
    while True:
        if privacy == GroupPrivacy.SECRET:
            candidate = secret_slug(group["slug"])
        else:
            candidate = await free_slug(readable_base(group["slug"]))
        if await register(group["id"], candidate, now):
            return candidate
