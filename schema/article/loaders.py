from __future__ import annotations

from strawberry.dataloader import DataLoader

from models.sql import Row, fetch
from schema.article.types import Article
from schema.core.keyset import Listing
from schema.core.loaders import PageKey, count_loader, in_key_order, page_loader
from schema.core.visibility import visible_group

# Articles come with their author's name, so `author` needs no query of its own.
WITH_AUTHOR = "JOIN members author ON author.id = a.author_id"
AUTHOR_COLUMNS = "author.name AS author_name"
ARTICLES_OF_GROUP = Listing(
    table="articles",
    alias="a",
    where="TRUE",
    parent="a.group_id",
    parent_key="group_id",
    joins=WITH_AUTHOR,
    extra_columns=AUTHOR_COLUMNS,
)
VISIBLE_ARTICLE = (
    f"SELECT a.*, {AUTHOR_COLUMNS} FROM articles a {WITH_AUTHOR} "
    f"JOIN groups g ON g.id = a.group_id AND {visible_group('g')}"
)


async def load_articles(ids: list[int]) -> list[Article | None]:
    rows = await fetch(f"{VISIBLE_ARTICLE} WHERE a.id = ANY(?)", [ids])
    return in_key_order(ids, rows, Article.from_row)


def article_by_id_loader() -> DataLoader[int, Article | None]:
    return DataLoader(load_fn=load_articles)


def articles_by_group_loader() -> DataLoader[PageKey, list[Row]]:
    return page_loader(ARTICLES_OF_GROUP)


def article_count_by_group_loader() -> DataLoader[int, int]:
    return count_loader(ARTICLES_OF_GROUP)
