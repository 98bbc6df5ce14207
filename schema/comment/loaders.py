from __future__ import annotations

from strawberry.dataloader import DataLoader

from models.sql import Row, fetch
from schema.comment.types import Comment
from schema.core.access import AccessGetter
from schema.core.keyset import Listing
from schema.core.loaders import PageKey, count_loader, in_key_order, page_loader

# Comments come with their author's name, so `author` needs no query of its own.
WITH_AUTHOR = "JOIN members author ON author.id = c.author_id"
AUTHOR_COLUMNS = "author.name AS author_name"
TOP_LEVEL_COMMENTS = Listing(
    table="comments",
    alias="c",
    where="c.parent_id IS NULL",
    parent="c.article_id",
    parent_key="article_id",
    joins=WITH_AUTHOR,
    extra_columns=AUTHOR_COLUMNS,
)
REPLIES = Listing(
    table="comments",
    alias="c",
    where="TRUE",
    parent="c.parent_id",
    parent_key="parent_id",
    joins=WITH_AUTHOR,
    extra_columns=AUTHOR_COLUMNS,
)


def comment_by_id_loader(access: AccessGetter) -> DataLoader[int, Comment | None]:
    async def load(ids: list[int]) -> list[Comment | None]:
        readable, params = (await access()).reads_groups_sql("g")
        sql = (
            f"SELECT c.*, {AUTHOR_COLUMNS} FROM comments c {WITH_AUTHOR} "
            "JOIN articles a ON a.id = c.article_id AND a.deleted_at IS NULL "
            f"JOIN groups g ON g.id = a.group_id AND {readable} WHERE c.id = ANY(?)"
        )
        rows = await fetch(sql, [*params, ids])
        return in_key_order(ids, rows, Comment.from_row)

    return DataLoader(load_fn=load)


def comments_by_article_loader() -> DataLoader[PageKey, list[Row]]:
    return page_loader(TOP_LEVEL_COMMENTS)


def comment_count_by_article_loader() -> DataLoader[int, int]:
    return count_loader(TOP_LEVEL_COMMENTS)


def replies_by_comment_loader() -> DataLoader[PageKey, list[Row]]:
    return page_loader(REPLIES)
