"""Retention: what is deleted once nothing needs it, and the task that does it.

View markers (and address allowances) older than the view window decide nothing
any more: a viewer last counted a window ago counts again either way. Expired
and revoked sign-in tokens answer 401 like unknown ones. Idempotency keys older
than `KEY_LIFETIME` (24 h) are ignored by a retry. All are deleted in
batches of `BATCH_ROWS` rows per statement, each statement its own transaction,
until a batch comes back short: no statement holds locks for long, however
large the backlog; each delete finds its rows through an index on the column it
compares (migration 0004, and 0003 for the keys). One process at a time prunes
(`models.sql.exclusively`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.idempotency_key import KEY_LIFETIME
from models.sql import Fetch, exclusively

BATCH_ROWS = 1000
FIRST_RUN_SECONDS = 60  # after start, at the latest: a short-lived server prunes too
PRUNE_LOCK = int.from_bytes(b"gqlprune")  # the advisory lock's key, any fixed 64-bit number
logger = logging.getLogger("groupql.retention")

STALE_VIEW_MARKERS = (
    "DELETE FROM article_views WHERE id IN"
    " (SELECT id FROM article_views WHERE counted_at <= ? LIMIT ?) RETURNING id"
)
# Expired and revoked tokens apart, not with OR: each finds its rows through its index.
EXPIRED_AUTH_TOKENS = (
    "DELETE FROM auth_tokens WHERE id IN"
    " (SELECT id FROM auth_tokens WHERE expires_at <= ? LIMIT ?) RETURNING id"
)
REVOKED_AUTH_TOKENS = (
    "DELETE FROM auth_tokens WHERE id IN"
    " (SELECT id FROM auth_tokens WHERE revoked_at <= ? LIMIT ?) RETURNING id"
)
EXPIRED_IDEMPOTENCY_KEYS = (
    "DELETE FROM idempotency_keys WHERE id IN"
    " (SELECT id FROM idempotency_keys WHERE created_at <= ? LIMIT ?) RETURNING id"
)


@dataclass(frozen=True, slots=True)
class Pruned:
    """Rows deleted by one run, and the DELETE statements it took."""

    view_markers: int
    auth_tokens: int
    idempotency_keys: int
    statements: int

    def __str__(self) -> str:
        return (
            f"deleted {self.view_markers} view markers, {self.auth_tokens} auth tokens and "
            f"{self.idempotency_keys} idempotency keys in {self.statements} statements"
        )

    @property
    def deleted(self) -> int:
        return self.view_markers + self.auth_tokens + self.idempotency_keys


async def prune(now: datetime, window: timedelta, batch: int = BATCH_ROWS) -> Pruned | None:
    """Delete what retention allows; None when another process is pruning."""
    async with exclusively(PRUNE_LOCK) as fetch:
        if fetch is None:
            return None
        markers, marker_statements = await _in_batches(
            fetch, STALE_VIEW_MARKERS, now - window, batch
        )
        expired, expired_statements = await _in_batches(fetch, EXPIRED_AUTH_TOKENS, now, batch)
        revoked, revoked_statements = await _in_batches(fetch, REVOKED_AUTH_TOKENS, now, batch)
        keys, key_statements = await _in_batches(
            fetch, EXPIRED_IDEMPOTENCY_KEYS, now - KEY_LIFETIME, batch
        )
    statements = marker_statements + expired_statements + revoked_statements + key_statements
    return Pruned(markers, expired + revoked, keys, statements)


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
            if pruned is not None and pruned.deleted:
                logger.info("pruned: %s", pruned)
        await asyncio.sleep(interval)
