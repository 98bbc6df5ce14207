"""Counting a view: a dedup marker and `views = views + 1`, atomically.

The marker row of (article, viewer) is claimed, or reclaimed, only when the
viewer's last counted view is at least one window old; only then does `views`
move. An author's views of their own article never count. On PostgreSQL that
is one statement (data-modifying CTEs, atomic on their own, one round trip);
SQLite has no such CTEs, so there it is the same steps in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from models.sql import Row, client, fetch_one, is_postgres
from schema.article.loaders import AUTHOR_COLUMNS, WITH_AUTHOR, readable_articles
from schema.core.access import Access

CLAIM_MARKER = (
    "INSERT INTO article_views (article_id, viewer, counted_at) VALUES (?, ?, ?) "
    "ON CONFLICT (article_id, viewer) DO UPDATE SET counted_at = excluded.counted_at "
    "WHERE article_views.counted_at <= ? RETURNING id"
)
COUNT_VIEW = "UPDATE articles SET views = views + 1 WHERE id = ? RETURNING views"


def record_view_postgres(readable_groups: str) -> str:
    """The whole view in one statement. All its parts see the same snapshot, so the
    final SELECT reads the article as it was before the UPDATE: the new total comes
    from the UPDATE's RETURNING."""
    return (
        "WITH target AS ("
        " SELECT a.id, a.author_id FROM articles a"
        f" JOIN groups g ON g.id = a.group_id AND {readable_groups}"
        " WHERE a.id = ? AND a.deleted_at IS NULL"
        "), counting AS ("
        " SELECT id FROM target WHERE author_id IS DISTINCT FROM ?"
        "), claimed AS ("
        " INSERT INTO article_views (article_id, viewer, counted_at) SELECT id, ?, ? FROM counting"
        " ON CONFLICT (article_id, viewer) DO UPDATE SET counted_at = excluded.counted_at"
        " WHERE article_views.counted_at <= ? RETURNING article_id"
        "), counted AS ("
        " UPDATE articles SET views = views + 1 WHERE id IN (SELECT article_id FROM claimed)"
        " RETURNING views"
        ")"
        f" SELECT a.*, {AUTHOR_COLUMNS}, (SELECT views FROM counted) AS counted_views"
        f" FROM articles a JOIN target ON target.id = a.id {WITH_AUTHOR}"
    )


@dataclass(frozen=True, slots=True)
class ViewOutcome:
    """The article as it is after the call, and why the view did not count (None: it did).

    `skipped` names a `ViewSkipReason`: NOT_FOUND (then `article` is None),
    SELF_VIEW or DUPLICATE_IN_WINDOW.
    """

    article: Row | None
    skipped: str | None


NOT_FOUND = ViewOutcome(article=None, skipped="NOT_FOUND")


async def record_view(
    access: Access, article_id: int, viewer: str, now: datetime, window: timedelta
) -> ViewOutcome:
    """Count one view of an article `access` may read, unless `viewer` was counted within
    `window` or is its author. Nothing is written for an article that does not exist,
    cannot be seen, or is the viewer's own.
    """
    if is_postgres(client()):
        return await _record_view_postgres(access, article_id, viewer, now, window)
    async with in_transaction():
        readable, params = readable_articles(access)
        article = await fetch_one(f"{readable} AND a.id = ?", [*params, article_id])
        if article is None:
            return NOT_FOUND
        if article["author_id"] == access.member_id:
            return ViewOutcome(article=article, skipped="SELF_VIEW")
        claimed = await fetch_one(CLAIM_MARKER, [article_id, viewer, now, now - window])
        if claimed is None:
            return ViewOutcome(article=article, skipped="DUPLICATE_IN_WINDOW")
        counted = await fetch_one(COUNT_VIEW, [article_id])
        if counted is None:  # deleted since it was read: nothing left to count
            return NOT_FOUND
        return ViewOutcome(article={**article, "views": counted["views"]}, skipped=None)


async def _record_view_postgres(
    access: Access, article_id: int, viewer: str, now: datetime, window: timedelta
) -> ViewOutcome:
    readable, params = access.reads_groups_sql("g")
    row = await fetch_one(
        record_view_postgres(readable),
        [*params, article_id, access.member_id, viewer, now, now - window],
    )
    if row is None:
        return NOT_FOUND
    counted_views = row.pop("counted_views")
    if row["author_id"] == access.member_id:
        return ViewOutcome(article=row, skipped="SELF_VIEW")
    if counted_views is None:
        return ViewOutcome(article=row, skipped="DUPLICATE_IN_WINDOW")
    return ViewOutcome(article={**row, "views": counted_views}, skipped=None)
