from __future__ import annotations

from strawberry.dataloader import DataLoader

from models.sql import Row, fetch
from schema.comment.types import Comment
from schema.core.access import AccessGetter
from schema.core.keyset import Listing
from schema.core.loaders import Clock, Loader, PageKey, count_loader, in_key_order, page_loader

# Comments come with their author's name and their group, so that `author` and the
# viewer's permissions need no query of their own.
WITH_AUTHOR = (
    "JOIN members author ON author.id = c.author_id "
    "JOIN articles on_article ON on_article.id = c.article_id"
)
AUTHOR_COLUMNS = "author.name AS author_name, on_article.group_id AS group_id"
# Pages look both up by primary key for each row they keep, rather than joining: joined
# after the per-parent cut, PostgreSQL estimated a hash join cheaper and read all 10,000
# members of the benchmark data to name the ~75 authors of a group page's comments.
LOOKED_UP_AUTHOR_COLUMNS = (
    "(SELECT author.name FROM members author WHERE author.id = c.author_id) AS author_name, "
    "(SELECT on_article.group_id FROM articles on_article WHERE on_article.id = c.article_id)"
    " AS group_id"
)
TOP_LEVEL_COMMENTS = Listing(
    table="comments",
    alias="c",
    where="c.parent_id IS NULL",
    parent="c.article_id",
    parent_key="article_id",
    extra_columns=LOOKED_UP_AUTHOR_COLUMNS,
)
REPLIES = Listing(
    table="comments",
    alias="c",
    where="TRUE",
    parent="c.parent_id",
    parent_key="parent_id",
    extra_columns=LOOKED_UP_AUTHOR_COLUMNS,
)


def readable_comments(readable_groups: str) -> str:
    """SELECT of the comments in articles that are not deleted, in groups the viewer reads."""
    return (
        f"SELECT c.*, {AUTHOR_COLUMNS} FROM comments c {WITH_AUTHOR} "
        f"JOIN groups g ON g.id = on_article.group_id AND {readable_groups} "
        "WHERE on_article.deleted_at IS NULL"
    )


def comment_by_id_loader(access: AccessGetter) -> DataLoader[int, Comment | None]:
    async def load(ids: list[int]) -> list[Comment | None]:
        readable, params = (await access()).reads_groups_sql("g")
        rows = await fetch(f"{readable_comments(readable)} AND c.id = ANY(?)", [*params, ids])
        return in_key_order(ids, rows, Comment.from_row)

    return Loader(load_fn=load)


def comments_by_article_loader(clock: Clock) -> DataLoader[PageKey, list[Row]]:
    return page_loader(TOP_LEVEL_COMMENTS, clock)


def comment_count_by_article_loader() -> DataLoader[int, int]:
    return count_loader(TOP_LEVEL_COMMENTS)


def replies_by_comment_loader(clock: Clock) -> DataLoader[PageKey, list[Row]]:
    return page_loader(REPLIES, clock)


async def last_comment_id(article_id: int) -> int:
    """The newest comment's id on an article (0 when none): where a stream of new ones starts."""
    rows = await fetch(
        "SELECT COALESCE(MAX(id), 0) AS id FROM comments WHERE article_id = ?", [article_id]
    )
    return int(rows[0]["id"])


async def comment_ids_after(article_id: int, after: int, limit: int = 100) -> list[int]:
    """Ids of an article's comments newer than `after`, oldest first (for catching up)."""
    rows = await fetch(
        "SELECT id FROM comments WHERE article_id = ? AND id > ? ORDER BY id LIMIT ?",
        [article_id, after, limit],
    )
    return [row["id"] for row in rows]
