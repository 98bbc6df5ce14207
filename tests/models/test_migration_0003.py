"""Migration 0003: SECRET groups get unguessable slugs; its downgrade never loses data silently."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise.context import TortoiseContext

from models.config import migrate, tortoise_config
from models.sql import client, fetch, is_postgres
from tests.conftest import settings_for

BEFORE = "models.0002_accounts_membership_reactions"
GROUPS_OF_0002 = [
    "INSERT INTO groups (slug, name, description, privacy, member_count, created_at) "
    f"VALUES ('{slug}', '{slug}', '', '{privacy}', 0, '2023-06-01 10:00:00+00')"
    for slug, privacy in (("ms", "PUBLIC"), ("research", "PRIVATE"), ("trial-team", "SECRET"))
]


async def tables() -> set[str]:
    if is_postgres(client()):
        rows = await fetch("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'")
    else:
        rows = await fetch("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row["name"] for row in rows}


async def at_0002_with_groups(url: str) -> dict[str, Any]:
    config = tortoise_config(settings_for(url))
    await migrate(config, target=BEFORE)
    async with TortoiseContext() as context:
        await context.init(config=config)
        for statement in GROUPS_OF_0002:
            await fetch(statement)
    return config


async def test_secret_groups_get_unguessable_slugs_and_keep_the_old_one(
    empty_database_url: str,
) -> None:
    config = await at_0002_with_groups(empty_database_url)

    await migrate(config)

    async with TortoiseContext() as context:
        await context.init(config=config)
        groups = await fetch("SELECT id, slug, privacy FROM groups ORDER BY id")
        slugs = await fetch("SELECT slug, group_id FROM group_slugs ORDER BY id")
    assert [g["slug"] for g in groups[:2]] == ["ms", "research"]
    assert re.fullmatch(r"trial-team--[a-z0-9]{20}", groups[2]["slug"])
    assert slugs == [
        {"slug": "ms", "group_id": 1},
        {"slug": "research", "group_id": 2},
        {"slug": "trial-team", "group_id": 3},  # kept: members' links still find it
        {"slug": groups[2]["slug"], "group_id": 3},
    ]


async def test_the_downgrade_refuses_to_lose_former_slugs_and_live_keys(
    empty_database_url: str,
) -> None:
    config = await at_0002_with_groups(empty_database_url)
    await migrate(config)
    async with TortoiseContext() as context:
        await context.init(config=config)
        await fetch(
            "INSERT INTO idempotency_keys (scope, mutation, key_hash, input_hash, result, "
            "created_at) VALUES ('member:1', 'createGroup', 'k', 'i', '{}', ?)",
            [datetime.now(UTC) - timedelta(hours=1)],
        )

    with pytest.raises(RuntimeError) as refused:
        await migrate(config, target=BEFORE)

    assert str(refused.value) == (
        "Downgrading 0003_group_slugs_idempotency_keys would lose 1 former group slug(s), "
        "links members of SECRET groups still use (to accept losing them: DELETE FROM "
        "group_slugs WHERE slug NOT IN (SELECT slug FROM groups)); and 1 idempotency key(s) "
        "younger than 24 hours, so retries of those calls would write again (wait for them "
        "to expire, or: DELETE FROM idempotency_keys)."
    )
    async with TortoiseContext() as context:
        await context.init(config=config)
        assert {"group_slugs", "idempotency_keys"} <= await tables()  # nothing was dropped
        assert len(await fetch("SELECT id FROM group_slugs")) == 4


async def test_the_downgrade_restores_the_previous_schema_when_nothing_is_lost(
    empty_database_url: str,
) -> None:
    config = await at_0002_with_groups(empty_database_url)
    async with TortoiseContext() as context:
        await context.init(config=config)
        before = await tables()
    await migrate(config)
    async with TortoiseContext() as context:
        await context.init(config=config)
        await fetch("DELETE FROM group_slugs WHERE slug NOT IN (SELECT slug FROM groups)")
        await fetch(
            "INSERT INTO idempotency_keys (scope, mutation, key_hash, input_hash, result, "
            "created_at) VALUES ('member:1', 'createGroup', 'k', 'i', '{}', ?)",
            [datetime.now(UTC) - timedelta(hours=25)],  # expired: nothing of value
        )

    await migrate(config, target=BEFORE)

    async with TortoiseContext() as context:
        await context.init(config=config)
        assert await tables() == before
        groups = await fetch("SELECT slug FROM groups ORDER BY id")
    assert [g["slug"] for g in groups][:2] == ["ms", "research"]
    assert groups[2]["slug"].startswith("trial-team--")  # the SECRET group keeps its new slug
    await migrate(config)  # and up again
