"""Each migration applies to a database that already holds data, not only to an empty one."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tortoise.context import TortoiseContext

from models.config import migrate, tortoise_config
from models.sql import fetch
from tests.conftest import POSTGRES_URL, admin, settings_for, with_database

FIRST_MIGRATION = "0001_initial"


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path}/upgrade.sqlite3"
        return
    if not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL runs skipped")
    name = f"groupql_upgrade_{uuid.uuid4().hex[:12]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield with_database(POSTGRES_URL, name)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


ROWS_OF_THE_FIRST_SCHEMA = [
    "INSERT INTO members (name, created_at) VALUES ('Sam Harrison', '2023-10-16 08:05:00+00')",
    "INSERT INTO groups (slug, name, description, privacy, member_count, created_at) "
    "VALUES ('ms', 'Muscle Weakness & MS', '', 'PUBLIC', 1, '2023-06-01 10:00:00+00')",
    "INSERT INTO memberships (role, joined_at, group_id, member_id) "
    "VALUES ('OWNER', '2023-06-01 10:00:00+00', 1, 1)",
    "INSERT INTO articles (slug, title, body, views, comment_count, published_at, updated_at, "
    "author_id, group_id) VALUES ('a', 'Managing Hand Tremors in MS', 'b', 299, 1, "
    "'2023-09-28 14:00:00+00', '2023-09-28 14:00:00+00', 1, 1)",
    "INSERT INTO comments (body, reply_count, created_at, article_id, author_id) "
    "VALUES ('Oregon or Maine?', 0, '2023-10-16 08:05:00+00', 1, 1)",
]


async def test_the_migrations_upgrade_a_database_with_data(empty_database_url: str) -> None:
    config = tortoise_config(settings_for(empty_database_url))
    await migrate(config, target=f"models.{FIRST_MIGRATION}")
    async with TortoiseContext() as context:
        await context.init(config=config)
        for statement in ROWS_OF_THE_FIRST_SCHEMA:
            await fetch(statement)

    await migrate(config)

    async with TortoiseContext() as context:
        await context.init(config=config)
        [comment] = await fetch("SELECT depth, reaction_count FROM comments")
        [membership] = await fetch("SELECT status FROM memberships")
        [article] = await fetch("SELECT views, reaction_count, deleted_at FROM articles")
    assert comment == {"depth": 0, "reaction_count": 0}
    assert membership == {"status": "ACTIVE"}
    assert article == {"views": 299, "reaction_count": 0, "deleted_at": None}
