from __future__ import annotations

from strawberry.dataloader import DataLoader

from models.sql import Row, fetch
from schema.comment.types import Comment
from schema.core.keyset import Listing
from schema.core.loaders import PageKey, count_loader, in_key_order, page_loader
from schema.core.visibility import visible_group

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
VISIBLE_COMMENT = (
    f"SELECT c.*, {AUTHOR_COLUMNS} FROM comments c {WITH_AUTHOR} "
    "JOIN articles a ON a.id = c.article_id "
    f"JOIN groups g ON g.id = a.group_id AND {visible_group('g')}"
)


async def load_comments(ids: list[int]) -> list[Comment | None]:
    rows = await fetch(f"{VISIBLE_COMMENT} WHERE c.id = ANY(?)", [ids])
    return in_key_order(ids, rows, Comment.from_row)


def comment_by_id_loader() -> DataLoader[int, Comment | None]:
    return DataLoader(load_fn=load_comments)


def comments_by_article_loader() -> DataLoader[PageKey, list[Row]]:
    return page_loader(TOP_LEVEL_COMMENTS)


def comment_count_by_article_loader() -> DataLoader[int, int]:
    return count_loader(TOP_LEVEL_COMMENTS)


def replies_by_comment_loader() -> DataLoader[PageKey, list[Row]]:
    return page_loader(REPLIES)
