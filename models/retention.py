"""Retention: what is deleted once nothing needs it, and the task that does it.

View markers (and address allowances) older than the view window decide nothing
any more: a viewer last counted a window ago counts again either way. Expired
and revoked sign-in tokens answer 401 like unknown ones. Both are deleted in
batches of `BATCH_ROWS` rows per statement, each statement its own transaction,
until a batch comes back short: no statement holds locks for long, however
large the backlog. One process at a time prunes (`models.sql.exclusively`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.sql import Fetch, exclusively

BATCH_ROWS = 1000
FIRST_RUN_SECONDS = 60  # after start, at the latest: a short-lived server prunes too
PRUNE_LOCK = int.from_bytes(b"gqlprune")  # the advisory lock's key, any fixed 64-bit number
logger = logging.getLogger("groupql.retention")

STALE_VIEW_MARKERS = (
    "DELETE FROM article_views WHERE id IN"
    " (SELECT id FROM article_views WHERE counted_at <= ? LIMIT ?) RETURNING id"
)
DEAD_AUTH_TOKENS = (
    "DELETE FROM auth_tokens WHERE id IN (SELECT id FROM auth_tokens"
    " WHERE expires_at <= ? OR revoked_at IS NOT NULL LIMIT ?) RETURNING id"
)


@dataclass(frozen=True, slots=True)
class Pruned:
    """Rows deleted by one run, and the DELETE statements it took."""

    view_markers: int
    auth_tokens: int
    statements: int

    def __str__(self) -> str:
        return (
            f"deleted {self.view_markers} view markers and {self.auth_tokens} auth tokens "
            f"in {self.statements} statements"
        )


async def prune(now: datetime, window: timedelta, batch: int = BATCH_ROWS) -> Pruned | None:
    """Delete what retention allows; None when another process is pruning."""
    async with exclusively(PRUNE_LOCK) as fetch:
        if fetch is None:
            return None
        markers, marker_statements = await _in_batches(
            fetch, STALE_VIEW_MARKERS, now - window, batch
        )
        tokens, token_statements = await _in_batches(fetch, DEAD_AUTH_TOKENS, now, batch)
    return Pruned(markers, tokens, marker_statements + token_statements)


async def _in_batches(fetch: Fetch, sql: str, before: datetime, batch: int) -> tuple[int, int]:
    deleted = statements = 0
    while True:
        rows = await fetch(sql, [before, batch])
        deleted += len(rows)
        statements += 1
        if len(rows) < batch:
            return deleted, statements


async def prune_periodically(
    interval: float, window: timedelta, clock: Callable[[], datetime]
) -> None:
    """Prune every `interval` seconds until cancelled. Each run is a task of its own (a
    long-lived task can keep a broken connection), and a run that fails is logged and
    tried again at the next interval."""
    await asyncio.sleep(min(interval, FIRST_RUN_SECONDS))
    while True:
        run = asyncio.create_task(prune(clock(), window))
        try:
            pruned = await run
        except Exception as error:  # noqa: BLE001 - the database may be down: try again later
            logger.warning(
                "pruning failed (%s: %s); trying again in %g s",
                type(error).__name__,
                error,
                interval,
            )
        else:
            if pruned is not None and (pruned.view_markers or pruned.auth_tokens):
                logger.info("pruned: %s", pruned)
        await asyncio.sleep(interval)
