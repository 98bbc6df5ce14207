"""Counting a view: a dedup marker and `views = views + 1` in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from models.sql import Row, fetch_one
from schema.article.loaders import VISIBLE_ARTICLE

# The marker row of (article, viewer) is (re)claimed only when the viewer's last
# counted view is at least one window old; RETURNING says whether it was.
CLAIM_MARKER = (
    "INSERT INTO article_views (article_id, viewer, counted_at) VALUES (?, ?, ?) "
    "ON CONFLICT (article_id, viewer) DO UPDATE SET counted_at = excluded.counted_at "
    "WHERE article_views.counted_at <= ? RETURNING id"
)
COUNT_VIEW = "UPDATE articles SET views = views + 1 WHERE id = ? RETURNING views"


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
    async with in_transaction() as db:
        article = await fetch_one(f"{VISIBLE_ARTICLE} WHERE a.id = ?", [article_id], db=db)
        if article is None:
            return ViewOutcome(article=None, counted=False)
        claimed = await fetch_one(CLAIM_MARKER, [article_id, viewer, now, now - window], db=db)
        if claimed is None:
            return ViewOutcome(article=article, counted=False)
        counted = await fetch_one(COUNT_VIEW, [article_id], db=db)
        if counted is None:  # deleted since it was read: nothing left to count
            return ViewOutcome(article=None, counted=False)
        return ViewOutcome(article={**article, "views": counted["views"]}, counted=True)
