"""Every downgrade restores the previous schema with nothing lost, or refuses and says why."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext

from demo.seed import seed_if_empty
from migrations._downgrade import DowngradeRefused
from models.config import migrate, tortoise_config
from models.sql import client, fetch, is_postgres
from tests import factories
from tests.conftest import settings_for
from tests.models.test_upgrade import FIRST_MIGRATION, ROWS_OF_THE_FIRST_SCHEMA

FIRST = f"models.{FIRST_MIGRATION}"
SECOND = "models.0002_accounts_membership_reactions"
NOTHING = "models.__first__"
# What the demo data holds that the first schema has no place for.
LOST_WITH_0002 = [
    "reactions (8 rows)",
    "members.email (5 rows)",
    "members.password_hash (5 rows)",
    "articles.deleted_at (1 rows)",
    "articles.pinned_at (1 rows)",
    "pending join requests (memberships.status) (1 rows)",
]
KEPT_TABLES = ["groups", "members", "memberships", "articles", "comments", "article_views"]


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[None]:
    EXECUTOR_CACHE.clear()  # see the `db` fixture: cached INSERTs are per connection name
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(settings_for(url)))
        yield


async def schema() -> dict[str, Any]:
    """Tables, columns, keys, indexes, checks and triggers, without the migration records."""
    if is_postgres(client()):
        return {
            "columns": await fetch(
                "SELECT table_name, column_name, data_type, is_nullable, column_default "
                "FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name NOT LIKE '%migration%' ORDER BY 1, 2"
            ),
            "indexes": await fetch(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "AND tablename NOT LIKE '%migration%' ORDER BY 1"
            ),
            "constraints": await fetch(
                "SELECT conrelid::regclass::text AS owner, conname, "
                "pg_get_constraintdef(oid) AS definition FROM pg_constraint "
                "WHERE connamespace = 'public'::regnamespace "
                "AND conrelid::regclass::text NOT LIKE '%migration%' ORDER BY 1, 2"
            ),
        }
    tables = await fetch(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE '%migration%' ORDER BY name"
    )
    found: dict[str, Any] = {}
    for row in tables:
        name = row["name"]
        indexes = []
        for index in await fetch(f'PRAGMA index_list("{name}")'):
            columns = [c["name"] for c in await fetch(f'PRAGMA index_info("{index["name"]}")')]
            indexes.append((index["unique"], columns, index["origin"]))
        found[name] = {
            "columns": sorted(
                (c["name"], c["type"], c["notnull"], c["dflt_value"], c["pk"])
                for c in await fetch(f'PRAGMA table_info("{name}")')
            ),
            "foreign keys": sorted(
                (k["table"], k["from"], k["to"], k["on_delete"])
                for k in await fetch(f'PRAGMA foreign_key_list("{name}")')
            ),
            "indexes": sorted(indexes, key=str),
        }
    found["triggers"] = await fetch(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    )
    return found


async def rows_of_kept_tables() -> dict[str, list[dict[str, Any]]]:
    """Every row of the first schema's tables, in the first schema's columns."""
    columns = {
        "groups": "id, slug, name, description, privacy, member_count",
        "members": "id, name",
        "memberships": "id, member_id, group_id, role",
        "articles": "id, group_id, author_id, slug, title, body, views, comment_count",
        "comments": "id, article_id, author_id, parent_id, body, reply_count",
        "article_views": "id, article_id, viewer",
    }
    return {
        name: await fetch(f"SELECT {selected} FROM {name} ORDER BY id")
        for name, selected in columns.items()
    }


async def test_downgrading_the_demo_data_refuses_and_names_everything_it_would_lose(
    empty_database_url: str,
) -> None:
    config = tortoise_config(settings_for(empty_database_url))
    await migrate(config)
    async with connected(empty_database_url):
        await seed_if_empty()
        await fetch("UPDATE articles SET deleted_at = updated_at WHERE id = 1")
        before = (await schema(), await rows_of_kept_tables())

    with pytest.raises(DowngradeRefused) as refused:
        await migrate(config, target=FIRST)

    async with connected(empty_database_url):
        after = (await schema(), await rows_of_kept_tables())
        still_applied = await fetch("SELECT email FROM members WHERE id = 1")
    for lost in LOST_WITH_0002:
        assert lost in str(refused.value)
    assert "Nothing was changed" in str(refused.value)
    assert after == before
    assert still_applied == [{"email": "dana@example.org"}]


async def test_once_cleared_the_demo_data_downgrades_to_the_first_schema_and_back(
    empty_database_url: str,
) -> None:
    config = tortoise_config(settings_for(empty_database_url))
    await migrate(config, target=FIRST)
    async with connected(empty_database_url):
        first_schema = await schema()
    await migrate(config)
    async with connected(empty_database_url):
        await seed_if_empty()
        await fetch(
            "INSERT INTO article_views (article_id, viewer, counted_at) VALUES (1, 'v', ?)",
            [factories.NOW],
        )
        for clearing in (
            "DELETE FROM reactions",
            "DELETE FROM memberships WHERE status <> 'ACTIVE'",
            "UPDATE members SET email = NULL, password_hash = NULL",
            "UPDATE articles SET pinned_at = NULL, reaction_count = 0",
            "UPDATE comments SET reaction_count = 0",
        ):
            await fetch(clearing)
        kept = await rows_of_kept_tables()

    await migrate(config, target=FIRST)

    async with connected(empty_database_url):
        downgraded = (await schema(), await rows_of_kept_tables())
    await migrate(config)
    async with connected(empty_database_url):
        upgraded_again = await rows_of_kept_tables()
    assert downgraded == (first_schema, kept)
    assert upgraded_again == kept
    assert len(kept["comments"]) > 0
    assert len(kept["memberships"]) > 0


async def test_downgrading_to_nothing_refuses_while_a_table_has_rows(
    empty_database_url: str,
) -> None:
    config = tortoise_config(settings_for(empty_database_url))
    await migrate(config, target=FIRST)
    async with connected(empty_database_url):
        for statement in ROWS_OF_THE_FIRST_SCHEMA:
            await fetch(statement)

    with pytest.raises(DowngradeRefused, match=r"groups \(1 rows\), members \(1 rows\)"):
        await migrate(config, target=NOTHING)

    async with connected(empty_database_url):
        assert len((await rows_of_kept_tables())["comments"]) == 1


async def test_an_empty_database_downgrades_to_nothing(empty_database_url: str) -> None:
    config = tortoise_config(settings_for(empty_database_url))
    await migrate(config)

    await migrate(config, target=NOTHING)

    async with connected(empty_database_url):
        left = await schema()
    assert left in ({"columns": [], "indexes": [], "constraints": []}, {"triggers": []})


async def test_a_downgrade_that_fails_midway_changes_nothing(empty_database_url: str) -> None:
    """Past the check, a database error rolls the migration's whole downgrade back. Here it
    is the index the first schema had, whose name another index took meanwhile: putting it
    back comes after dropping the checks, a column and an index. (Each migration's downgrade
    is one transaction: the later migrations, reverted before, stay reverted.)"""
    config = tortoise_config(settings_for(empty_database_url))
    await migrate(config)
    await migrate(config, target=SECOND)
    async with connected(empty_database_url):
        for statement in ROWS_OF_THE_FIRST_SCHEMA:
            await fetch(statement)
        await fetch("CREATE INDEX memberships_by_group ON groups (name)")
        before = await schema()

    with pytest.raises(Exception, match="memberships_by_group"):
        await migrate(config, target=FIRST)

    async with connected(empty_database_url):
        assert await schema() == before
