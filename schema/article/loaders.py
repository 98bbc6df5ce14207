from __future__ import annotations

from strawberry.dataloader import DataLoader

from models.sql import Row, fetch
from schema.article.types import Article
from schema.core.access import Access, AccessGetter
from schema.core.keyset import Listing
from schema.core.loaders import Clock, Loader, PageKey, count_loader, in_key_order, page_loader

# Articles come with their author's name, so `author` needs no query of its own.
WITH_AUTHOR = "JOIN members author ON author.id = a.author_id"
AUTHOR_COLUMNS = "author.name AS author_name"
ARTICLES_OF_GROUP = Listing(
    table="articles",
    alias="a",
    where="a.deleted_at IS NULL",
    parent="a.group_id",
    parent_key="group_id",
    joins=WITH_AUTHOR,
    extra_columns=AUTHOR_COLUMNS,
)


def readable_articles(access: Access) -> tuple[str, list[object]]:
    """SELECT of the articles `access` may read (not deleted, in a group it reads)."""
    readable, params = access.reads_groups_sql("g")
    return (
        f"SELECT a.*, {AUTHOR_COLUMNS} FROM articles a {WITH_AUTHOR} "
        f"JOIN groups g ON g.id = a.group_id AND {readable} WHERE a.deleted_at IS NULL",
        params,
    )


def article_by_id_loader(access: AccessGetter) -> DataLoader[int, Article | None]:
    async def load(ids: list[int]) -> list[Article | None]:
        readable, params = readable_articles(await access())
        rows = await fetch(f"{readable} AND a.id = ANY(?)", [*params, ids])
        return in_key_order(ids, rows, Article.from_row)

    return Loader(load_fn=load)


def article_by_group_slug_loader(
    access: AccessGetter,
) -> DataLoader[tuple[int, str], Article | None]:
    """Articles by (group id, slug): one statement for every key of the batch."""

    async def load(keys: list[tuple[int, str]]) -> list[Article | None]:
        readable, params = readable_articles(await access())
        groups = sorted({group_id for group_id, _ in keys})
        slugs = sorted({slug for _, slug in keys})
        # Groups and slugs are matched separately, so a batch over several groups may read
        # a few rows no key asked for (another group's article with one of the slugs); the
        # dict below keeps only the pairs asked for.
        rows = await fetch(
            f"{readable} AND a.group_id = ANY(?) AND a.slug = ANY(?)", [*params, groups, slugs]
        )
        found = {(row["group_id"], row["slug"]): Article.from_row(row) for row in rows}
        return [found.get(key) for key in keys]

    return Loader(load_fn=load)


def articles_by_group_loader(clock: Clock) -> DataLoader[PageKey, list[Row]]:
    return page_loader(ARTICLES_OF_GROUP, clock)


def article_count_by_group_loader() -> DataLoader[int, int]:
    return count_loader(ARTICLES_OF_GROUP)


async def load_pinned(group_ids: list[int]) -> list[list[Article]]:
    rows = await fetch(
        f"SELECT a.*, {AUTHOR_COLUMNS} FROM articles a {WITH_AUTHOR} "
        "WHERE a.group_id = ANY(?) AND a.pinned_at IS NOT NULL AND a.deleted_at IS NULL "
        "ORDER BY a.pinned_at DESC, a.id DESC",
        [group_ids],
    )
    pinned: dict[int, list[Article]] = {group_id: [] for group_id in group_ids}
    for row in rows:
        pinned[row["group_id"]].append(Article.from_row(row))
    return [pinned[group_id] for group_id in group_ids]


def pinned_articles_by_group_loader() -> DataLoader[int, list[Article]]:
    return Loader(load_fn=load_pinned)


def article_exists_loader() -> DataLoader[int, bool]:
    """Whether each article exists (is not deleted), whoever asks: to tell a deleted
    article from one the viewer lost sight of."""

    async def load(ids: list[int]) -> list[bool]:
        rows = await fetch(
            "SELECT id FROM articles WHERE id = ANY(?) AND deleted_at IS NULL", [ids]
        )
        found = {row["id"] for row in rows}
        return [article_id in found for article_id in ids]

    return Loader(load_fn=load)
