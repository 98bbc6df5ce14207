"""Migration 0004: the indexes retention deletes through, and a downgrade that keeps every row."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from demo.seed import seed_if_empty
from models.config import migrate, tortoise_config
from models.retention import (
    EXPIRED_AUTH_TOKENS,
    EXPIRED_IDEMPOTENCY_KEYS,
    REVOKED_AUTH_TOKENS,
    STALE_VIEW_MARKERS,
)
from models.sql import client, fetch, is_postgres
from tests import factories
from tests.conftest import settings_for
from tests.models.test_downgrade import connected, schema

BEFORE = "models.0003_group_slugs_idempotency_keys"
INDEXES = {"article_views_by_age", "auth_tokens_by_expiry", "auth_tokens_by_revocation"}


async def index_names() -> set[str]:
    if is_postgres(client()):
        rows = await fetch("SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public'")
    else:
        rows = await fetch("SELECT name FROM sqlite_master WHERE type = 'index'")
    return {row["name"] for row in rows}


async def every_row() -> dict[str, list[dict[str, Any]]]:
    if is_postgres(client()):
        tables = await fetch(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT LIKE '%migration%'"
        )
    else:
        tables = await fetch(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%migration%'"
        )
    return {
        row["name"]: await fetch(f'SELECT * FROM "{row["name"]}" ORDER BY 1')
        for row in sorted(tables, key=lambda row: str(row["name"]))
    }


async def plan_of(delete: str) -> str:
    """How the database finds the rows of one of retention's deletes (its inner SELECT).
    PostgreSQL is told to avoid a sequential scan where it can: the test tables are small,
    and it would rather read a few pages than an index; without one it has no choice."""
    select = delete[delete.index("(SELECT") + 1 : delete.rindex(")")]
    params = [factories.NOW, 1000]
    if not is_postgres(client()):
        rows = await fetch(f"EXPLAIN QUERY PLAN {select}", params)
        return " ".join(str(row["detail"]) for row in rows)
    async with in_transaction() as connection:
        await connection.execute_query("SET LOCAL enable_seqscan = off")
        numbered = select.replace("?", "$1", 1).replace("?", "$2", 1)
        rows = await connection.execute_query_dict(f"EXPLAIN {numbered}", params)
    return " ".join(str(row["QUERY PLAN"]) for row in rows)


async def test_retention_deletes_find_their_rows_through_an_index(empty_database_url: str) -> None:
    await migrate(tortoise_config(settings_for(empty_database_url)))

    async with connected(empty_database_url):
        plans = {
            "markers": await plan_of(STALE_VIEW_MARKERS),
            "expired tokens": await plan_of(EXPIRED_AUTH_TOKENS),
            "revoked tokens": await plan_of(REVOKED_AUTH_TOKENS),
            "keys": await plan_of(EXPIRED_IDEMPOTENCY_KEYS),
        }

    assert "article_views_by_age" in plans["markers"], plans
    assert "auth_tokens_by_expiry" in plans["expired tokens"], plans
    assert "auth_tokens_by_revocation" in plans["revoked tokens"], plans
    assert "idempotency_keys_by_age" in plans["keys"], plans


async def test_the_downgrade_drops_the_indexes_keeps_every_row_and_upgrades_again(
    empty_database_url: str,
) -> None:
    config = tortoise_config(settings_for(empty_database_url))
    await migrate(config, target=BEFORE)
    async with connected(empty_database_url):
        schema_of_0003 = await schema()
    await migrate(config)
    async with connected(empty_database_url):
        schema_of_0004 = await schema()
        added = await index_names()
        await seed_if_empty()
        member = await factories.member("Ops Bot")
        await factories.token(member)
        await fetch(
            "INSERT INTO article_views (article_id, viewer, counted_at) VALUES (1, 'v', ?)",
            [factories.NOW],
        )
        rows = await every_row()

    await migrate(config, target=BEFORE)
    async with connected(empty_database_url):
        downgraded = (await schema(), await every_row(), await index_names())
    await migrate(config)
    async with connected(empty_database_url):
        upgraded = (await schema(), await every_row())

    assert added >= INDEXES
    assert downgraded == (schema_of_0003, rows, added - INDEXES)
    assert upgraded == (schema_of_0004, rows)
    assert schema_of_0004 != schema_of_0003
    assert (len(rows["article_views"]), len(rows["auth_tokens"])) == (1, 1)
