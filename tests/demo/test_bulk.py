from __future__ import annotations

import pytest
from tortoise.context import TortoiseContext

from demo.bulk import Sizes, generate
from models import Article, Comment, Group, GroupPrivacy, Member
from models.sql import fetch

SMALL = Sizes(members=120, groups=10, articles=200, comments=1500)


async def test_generate_writes_the_sizes_asked_for(db: TortoiseContext) -> None:
    await generate(SMALL)

    assert await Member.all().count() == 120
    assert await Group.all().count() == 10
    assert await Article.all().count() == 200
    assert await Comment.all().count() == 1500
    assert await Comment.filter(parent_id__not_isnull=True).count() > 0
    assert await Group.filter(privacy=GroupPrivacy.PRIVATE).count() == 1


async def test_generated_counters_are_exact(db: TortoiseContext) -> None:
    await generate(SMALL)

    wrong = await fetch(
        "SELECT g.id FROM groups g WHERE g.member_count <> "
        "(SELECT COUNT(*) FROM memberships m WHERE m.group_id = g.id) "
        "UNION SELECT a.id FROM articles a WHERE a.comment_count <> "
        "(SELECT COUNT(*) FROM comments c WHERE c.article_id = a.id) "
        "UNION SELECT p.id FROM comments p WHERE p.reply_count <> "
        "(SELECT COUNT(*) FROM comments c WHERE c.parent_id = p.id)"
    )
    assert wrong == []


async def test_replies_stay_in_their_parents_article(db: TortoiseContext) -> None:
    await generate(SMALL)

    strays = await fetch(
        "SELECT c.id FROM comments c JOIN comments p ON p.id = c.parent_id "
        "WHERE p.article_id <> c.article_id OR c.created_at < p.created_at"
    )
    assert strays == []


async def test_generate_refuses_a_database_with_data(db: TortoiseContext) -> None:
    await generate(Sizes(members=5, groups=1, articles=1, comments=1))

    with pytest.raises(RuntimeError, match="empty database"):
        await generate(SMALL)


async def test_ids_continue_after_generated_rows(db: TortoiseContext) -> None:
    await generate(Sizes(members=5, groups=2, articles=3, comments=4))

    member = await Member.create(name="After the load")

    assert member.id == 6
