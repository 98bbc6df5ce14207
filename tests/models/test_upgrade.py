"""Each migration applies to a database that already holds data, not only to an empty one."""

from __future__ import annotations

from tortoise.context import TortoiseContext

from models.config import migrate, tortoise_config
from models.sql import fetch
from tests.conftest import settings_for

FIRST_MIGRATION = "0001_initial"


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
