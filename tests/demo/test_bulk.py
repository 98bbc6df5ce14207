from __future__ import annotations

import pytest
from tortoise.context import TortoiseContext

from demo.bulk import (
    PER_THREAD,
    THREAD_COMMENTS,
    THREAD_REPLIES,
    Generator,
    Sizes,
    generate,
    thread_articles,
)
from models import Article, Comment, Group, GroupPrivacy, Member, Reaction
from models.sql import fetch

SMALL = Sizes(members=120, groups=10, articles=200, comments=1500, threads=3)


async def test_generate_writes_the_sizes_asked_for(db: TortoiseContext) -> None:
    await generate(SMALL)

    assert await Member.all().count() == 120
    assert await Group.all().count() == 10
    assert await Article.all().count() == 200
    assert await Comment.all().count() == 1500
    assert await Comment.filter(parent_id__not_isnull=True).count() > 0
    assert await Group.filter(privacy=GroupPrivacy.PRIVATE).count() == 1
    assert await Reaction.all().count() > 0


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


async def test_generated_reaction_counts_are_exact(db: TortoiseContext) -> None:
    await generate(SMALL)

    wrong = await fetch(
        "SELECT a.id FROM articles a WHERE a.reaction_count <> "
        "(SELECT COUNT(*) FROM reactions r WHERE r.article_id = a.id) "
        "UNION SELECT c.id FROM comments c WHERE c.reaction_count <> "
        "(SELECT COUNT(*) FROM reactions r WHERE r.comment_id = c.id)"
    )
    assert wrong == []
    assert await Comment.filter(reaction_count__gt=0).count() > 0


async def test_replies_stay_in_their_parents_article(db: TortoiseContext) -> None:
    await generate(SMALL)

    strays = await fetch(
        "SELECT c.id FROM comments c JOIN comments p ON p.id = c.parent_id "
        "WHERE p.article_id <> c.article_id OR c.created_at < p.created_at"
    )
    assert strays == []


async def test_depth_is_one_more_than_the_parents(db: TortoiseContext) -> None:
    await generate(SMALL)

    wrong = await fetch(
        "SELECT c.id FROM comments c LEFT JOIN comments p ON p.id = c.parent_id "
        "WHERE c.depth <> COALESCE(p.depth + 1, 0)"
    )
    assert wrong == []
    assert await Comment.filter(depth__gt=1).count() > 0


async def test_full_threads_have_their_comments_and_replies(db: TortoiseContext) -> None:
    await generate(SMALL)

    rows = await fetch(
        "SELECT c.article_id, COUNT(*) AS n, MIN(c.reply_count) AS fewest, "
        "MAX(c.reply_count) AS most FROM comments c JOIN articles a ON a.id = c.article_id "
        "JOIN groups g ON g.id = a.group_id AND g.privacy = 'PUBLIC' "
        "WHERE c.parent_id IS NULL GROUP BY c.article_id HAVING COUNT(*) >= ? "
        "ORDER BY c.article_id",
        [THREAD_COMMENTS],
    )
    assert [row["article_id"] for row in rows] == thread_articles(SMALL)
    assert {(row["n"], row["fewest"], row["most"]) for row in rows} == {
        (THREAD_COMMENTS, THREAD_REPLIES, THREAD_REPLIES)
    }
    assert await Comment.filter(article_id__in=thread_articles(SMALL)).count() == 3 * PER_THREAD


def test_generation_is_deterministic() -> None:
    def rows() -> tuple[object, ...]:
        generator = Generator(SMALL)
        _, members_of = generator.memberships()
        articles = generator.articles(members_of)
        comments = generator.comments(articles, members_of)
        return articles, comments, generator.reactions(articles, comments, members_of)

    assert rows() == rows()


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ({"comments": 100, "threads": 1}, "need 175 comments"),
        ({"groups": 1, "articles": 2, "comments": 10_000, "threads": 3}, "public articles"),
        ({"groups": 1, "articles": 1, "comments": 10_000, "threads": 1}, "without one"),
    ],
)
def test_sizes_refuse_threads_that_cannot_be_made(sizes: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Sizes(**sizes)


async def test_generate_refuses_a_database_with_data(db: TortoiseContext) -> None:
    await generate(Sizes(members=5, groups=1, articles=1, comments=1, threads=0))

    with pytest.raises(RuntimeError, match="empty database"):
        await generate(SMALL)


async def test_ids_continue_after_generated_rows(db: TortoiseContext) -> None:
    await generate(Sizes(members=5, groups=2, articles=3, comments=4, threads=0))

    member = await Member.create(name="After the load")

    assert member.id == 6
