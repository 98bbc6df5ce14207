"""How busy the database connections are, for `/metrics`: read when scraped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from models.sql import is_postgres


@dataclass(frozen=True, slots=True)
class PoolUsage:
    size: int  # connections open
    in_use: int
    waiting: int  # callers waiting for a free connection


def pool_usage() -> PoolUsage | None:
    """The pool of the default connection; None before Tortoise is set up.

    PostgreSQL: asyncpg's pool (no connection before the first statement); callers waiting
    are its queue's getters (`_queue`, asyncpg's own: tortoise-orm and asyncpg pinned).
    SQLite: one connection behind a lock, in use while the lock is held.
    """
    try:
        db: BaseDBAsyncClient = connections.get("default")
    except Exception:  # noqa: BLE001 - Tortoise not initialised (yet, or any more)
        return None
    if is_postgres(db):
        pool: Any = db.__dict__.get("_pool")
        if pool is None:
            return PoolUsage(0, 0, 0)
        size = pool.get_size()
        queue = getattr(pool, "_queue", None)
        waiting = len(getattr(queue, "_getters", ()) or ())
        return PoolUsage(size, size - pool.get_idle_size(), waiting)
    lock: Any = getattr(db, "_lock", None)
    if lock is None:
        return PoolUsage(1, 0, 0)
    return PoolUsage(1, int(lock.locked()), len(getattr(lock, "_waiters", None) or ()))
