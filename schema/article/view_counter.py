"""Counting a view: a dedup marker and `views = views + 1`, atomically.

The marker row of (article, viewer) is claimed, or reclaimed, only when the
viewer's last counted view is at least one window old; only then does `views`
move. On PostgreSQL that is one statement (data-modifying CTEs, atomic on
their own, one round trip); SQLite has no such CTEs, so there it is the same
three steps in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from models.sql import Row, client, fetch_one, is_postgres
from schema.article.loaders import AUTHOR_COLUMNS, VISIBLE_ARTICLE, WITH_AUTHOR
from schema.core.visibility import visible_group

CLAIM_MARKER = (
    "INSERT INTO article_views (article_id, viewer, counted_at) VALUES (?, ?, ?) "
    "ON CONFLICT (article_id, viewer) DO UPDATE SET counted_at = excluded.counted_at "
    "WHERE article_views.counted_at <= ? RETURNING id"
)
COUNT_VIEW = "UPDATE articles SET views = views + 1 WHERE id = ? RETURNING views"

# All parts see the same snapshot, so the final SELECT reads the article as it
# was before the UPDATE: the new total comes from the UPDATE's RETURNING.
RECORD_VIEW_POSTGRES = (
    "WITH target AS ("
    f" SELECT a.id FROM articles a JOIN groups g ON g.id = a.group_id AND {visible_group('g')}"
    " WHERE a.id = ?"
    "), claimed AS ("
    " INSERT INTO article_views (article_id, viewer, counted_at) SELECT id, ?, ? FROM target"
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
    article: Row | None
    counted: bool


async def record_view(
    article_id: int, viewer: str, now: datetime, window: timedelta
) -> ViewOutcome:
    """Count one view of a visible article unless `viewer` was counted within `window`.

    The article comes back as it is after this call. Nothing is written for an
    article that does not exist or cannot be seen.
    """
    if is_postgres(client()):
        return await _record_view_postgres(article_id, viewer, now, window)
    async with in_transaction():
        article = await fetch_one(f"{VISIBLE_ARTICLE} WHERE a.id = ?", [article_id])
        if article is None:
            return ViewOutcome(article=None, counted=False)
        claimed = await fetch_one(CLAIM_MARKER, [article_id, viewer, now, now - window])
        if claimed is None:
            return ViewOutcome(article=article, counted=False)
        counted = await fetch_one(COUNT_VIEW, [article_id])
        if counted is None:  # deleted since it was read: nothing left to count
            return ViewOutcome(article=None, counted=False)
        return ViewOutcome(article={**article, "views": counted["views"]}, counted=True)


async def _record_view_postgres(
    article_id: int, viewer: str, now: datetime, window: timedelta
) -> ViewOutcome:
    row = await fetch_one(RECORD_VIEW_POSTGRES, [article_id, viewer, now, now - window])
    if row is None:
        return ViewOutcome(article=None, counted=False)
    counted_views = row.pop("counted_views")
    if counted_views is None:
        return ViewOutcome(article=row, counted=False)
    return ViewOutcome(article={**row, "views": counted_views}, counted=True)
