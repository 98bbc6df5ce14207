"""Counting a view: a dedup marker and `views = views + 1`, atomically.

The marker row of (article, viewer) is claimed, or reclaimed, only when the
viewer's last counted view is at least one window old; only then does `views`
move. An author's views of their own article never count. On PostgreSQL that
is one statement (data-modifying CTEs, atomic on their own, one round trip);
SQLite has no such CTEs, so there it is the same steps in one transaction.

An anonymous view also spends its network address's allowance for the article
(`Allowance`, VIEWS_PER_ADDRESS): however many viewer keys or User-Agents one
address sends, it adds at most that many views at once, and one more every
window / VIEWS_PER_ADDRESS after. The allowance is a row of `article_views` too,
keyed by a keyed hash of the address (a namespace no viewer identity shares):
its `counted_at` is the allowance's "theoretical arrival time", the same cell
rate arithmetic as the rate limits (schema/core/rate_limits.py). Each view moves
it `step` on; a view that would move it more than a window past now is refused.
Kept in the database, it holds across every worker, and retention prunes it
with the markers (a row a window in the past is a full allowance, as no row is).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from tortoise.transactions import in_transaction

from models.sql import Row, client, fetch, fetch_one, is_postgres, timestamp
from schema.article.loaders import AUTHOR_COLUMNS, WITH_AUTHOR, readable_articles
from schema.core.access import Access

CLAIM_MARKER = (
    "INSERT INTO article_views (article_id, viewer, counted_at) VALUES (?, ?, ?) "
    "ON CONFLICT (article_id, viewer) DO UPDATE SET counted_at = excluded.counted_at "
    "WHERE article_views.counted_at <= ? RETURNING id"
)
COUNT_VIEW = "UPDATE articles SET views = views + 1 WHERE id = ? RETURNING views"
MARKER = "SELECT counted_at FROM article_views WHERE article_id = ? AND viewer = ?"
SET_ALLOWANCE = (
    "INSERT INTO article_views (article_id, viewer, counted_at) VALUES (?, ?, ?) "
    "ON CONFLICT (article_id, viewer) DO UPDATE SET counted_at = excluded.counted_at"
)
UNCLAIM_MARKER = "DELETE FROM article_views WHERE article_id = ? AND viewer = ? AND counted_at = ?"


@dataclass(frozen=True, slots=True)
class Allowance:
    """How many views one network address may add to one article per window."""

    address: str  # keyed hash of the address: the allowance row's `viewer`
    views: int

    def step(self, window: timedelta) -> timedelta:
        return window / self.views


@cache
def record_view_postgres(readable_groups: str, limited: bool) -> str:
    """The whole view in one statement. All its parts see the same snapshot, so the
    final SELECT reads the article as it was before the UPDATE: the new total comes
    from the UPDATE's RETURNING.

    `limited` adds the address's allowance: `allowed` checks it (in the snapshot),
    the marker is claimed only then, the allowance is spent (`spent`, exact under
    concurrency: the upsert re-checks the row it locks) only for a claimed marker,
    and only a spent allowance counts. A marker claimed whose allowance another view
    took meanwhile is given back by the caller (`claimed` without `counted_views`).
    """
    counting = "counting"
    allowance = ""
    spent = "claimed"
    spend = ""
    flags = ""
    if limited:
        counting = "allowed"
        allowance = (
            "), allowed AS ("
            " SELECT id FROM counting WHERE NOT EXISTS (SELECT 1 FROM article_views q"
            " WHERE q.article_id = counting.id AND q.viewer = ? AND q.counted_at > ?)"
        )
        spent = "spent"
        spend = (
            "), spent AS ("
            " INSERT INTO article_views (article_id, viewer, counted_at)"
            " SELECT article_id, ?, ? FROM claimed"
            " ON CONFLICT (article_id, viewer) DO UPDATE"
            " SET counted_at = GREATEST(article_views.counted_at, ?) + CAST(? AS interval)"
            " WHERE article_views.counted_at <= ? RETURNING article_id"
        )
        flags = (
            ", EXISTS (SELECT 1 FROM claimed) AS claimed,"
            " NOT EXISTS (SELECT 1 FROM allowed) AS over_allowance,"
            " EXISTS (SELECT 1 FROM article_views v WHERE v.article_id = a.id"
            " AND v.viewer = ? AND v.counted_at > ?) AS seen"
        )
    return (
        "WITH target AS ("
        " SELECT a.id, a.author_id FROM articles a"
        f" JOIN groups g ON g.id = a.group_id AND {readable_groups}"
        " WHERE a.id = ? AND a.deleted_at IS NULL"
        "), counting AS ("
        " SELECT id FROM target WHERE author_id IS DISTINCT FROM ?"
        f"{allowance}"
        "), claimed AS ("
        " INSERT INTO article_views (article_id, viewer, counted_at)"
        f" SELECT id, ?, ? FROM {counting}"
        " ON CONFLICT (article_id, viewer) DO UPDATE SET counted_at = excluded.counted_at"
        " WHERE article_views.counted_at <= ? RETURNING article_id"
        f"{spend}"
        "), counted AS ("
        f" UPDATE articles SET views = views + 1 WHERE id IN (SELECT article_id FROM {spent})"
        " RETURNING views"
        ")"
        f" SELECT a.*, {AUTHOR_COLUMNS}, (SELECT views FROM counted) AS counted_views{flags}"
        f" FROM articles a JOIN target ON target.id = a.id {WITH_AUTHOR}"
    )


@dataclass(frozen=True, slots=True)
class ViewOutcome:
    """The article as it is after the call, and why the view did not count (None: it did).

    `skipped` names a `ViewSkipReason`: NOT_FOUND (then `article` is None),
    SELF_VIEW, RATE_LIMITED (the address's allowance) or DUPLICATE_IN_WINDOW.
    """

    article: Row | None
    skipped: str | None


NOT_FOUND = ViewOutcome(article=None, skipped="NOT_FOUND")


async def record_view(
    access: Access,
    article_id: int,
    viewer: str,
    now: datetime,
    window: timedelta,
    allowance: Allowance | None = None,
) -> ViewOutcome:
    """Count one view of an article `access` may read, unless `viewer` was counted within
    `window`, is its author, or (with an `allowance`) its address has no views left for
    it. Nothing is written for an article that does not exist, cannot be seen, or is
    the viewer's own, nor for a view past the allowance.
    """
    if is_postgres(client()):
        return await _record_view_postgres(access, article_id, viewer, now, window, allowance)
    async with in_transaction():  # BEGIN IMMEDIATE: this process alone writes (models/sqlite.py)
        readable, params = readable_articles(access)
        article = await fetch_one(f"{readable} AND a.id = ?", [*params, article_id])
        if article is None:
            return NOT_FOUND
        if article["author_id"] == access.member_id:
            return ViewOutcome(article=article, skipped="SELF_VIEW")
        arrival = None
        if allowance is not None:
            marker = await fetch_one(MARKER, [article_id, viewer])
            if marker is not None and timestamp(marker["counted_at"]) > now - window:
                return ViewOutcome(article=article, skipped="DUPLICATE_IN_WINDOW")
            spent = await fetch_one(MARKER, [article_id, allowance.address])
            arrival = max(timestamp(spent["counted_at"]), now) if spent else now
            if arrival > now + window - allowance.step(window):
                return ViewOutcome(article=article, skipped="RATE_LIMITED")
        claimed = await fetch_one(CLAIM_MARKER, [article_id, viewer, now, now - window])
        if claimed is None:
            return ViewOutcome(article=article, skipped="DUPLICATE_IN_WINDOW")
        if allowance is not None and arrival is not None:
            next_arrival = arrival + allowance.step(window)
            await fetch(SET_ALLOWANCE, [article_id, allowance.address, next_arrival])
        counted = await fetch_one(COUNT_VIEW, [article_id])
        if counted is None:  # deleted since it was read: nothing left to count
            return NOT_FOUND
        return ViewOutcome(article={**article, "views": counted["views"]}, skipped=None)


async def _record_view_postgres(
    access: Access,
    article_id: int,
    viewer: str,
    now: datetime,
    window: timedelta,
    allowance: Allowance | None,
) -> ViewOutcome:
    readable, params = access.reads_groups_sql("g")
    values: list[object] = [*params, article_id, access.member_id]
    cutoff = now - window
    if allowance is None:
        values += [viewer, now, cutoff]
    else:
        step = allowance.step(window)
        latest = now + window - step  # the latest arrival that still leaves room for a view
        values += [allowance.address, latest, viewer, now, cutoff]
        values += [allowance.address, now + step, now, step, latest, viewer, cutoff]
    row = await fetch_one(record_view_postgres(readable, allowance is not None), values)
    if row is None:
        return NOT_FOUND
    counted_views = row.pop("counted_views")
    claimed = row.pop("claimed", False)
    over_allowance = row.pop("over_allowance", False)
    seen = row.pop("seen", False)
    if row["author_id"] == access.member_id:
        return ViewOutcome(article=row, skipped="SELF_VIEW")
    if counted_views is not None:
        return ViewOutcome(article={**row, "views": counted_views}, skipped=None)
    if claimed:  # another view of this address took the last of its allowance meanwhile
        await fetch(UNCLAIM_MARKER, [article_id, viewer, now])
        return ViewOutcome(article=row, skipped="RATE_LIMITED")
    if over_allowance and not seen:
        return ViewOutcome(article=row, skipped="RATE_LIMITED")
    return ViewOutcome(article=row, skipped="DUPLICATE_IN_WINDOW")
