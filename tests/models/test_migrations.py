"""The committed migrations build exactly the models, and the database guards the counters."""

from __future__ import annotations

import pytest
from tortoise.context import TortoiseContext
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.migrations.autodetector import MigrationAutodetector

from models import Article, Group
from models.config import MODELS_APP
from tests import factories


async def test_the_models_have_no_changes_without_a_migration(db: TortoiseContext) -> None:
    assert db.apps is not None
    detector = MigrationAutodetector(db.apps, {"models": dict(MODELS_APP)})

    assert await detector.changes() == []


@pytest.mark.parametrize(
    ("model", "column"),
    [("groups", "member_count"), ("articles", "views"), ("articles", "comment_count")],
)
async def test_counters_cannot_go_below_zero(db: TortoiseContext, model: str, column: str) -> None:
    group = await factories.group()
    article = await factories.article(group, await factories.member(), views=3)
    row_id = group.id if model == "groups" else article.id

    with pytest.raises((IntegrityError, OperationalError), match=r"not_negative|check constraint"):
        await db.db().execute_query(f"UPDATE {model} SET {column} = -1 WHERE id = {row_id}")

    await article.refresh_from_db()
    assert article.views == 3
    assert (await Group.get(id=group.id)).member_count == 0
    assert await Article.all().count() == 1
