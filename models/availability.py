"""Whether a failure means the database cannot be reached right now (try again later),
rather than a fault of the request or of the code.

Connection refused or lost, the server starting up or shutting down, too many
connections, no pooled connection free in time, SQLite busy or locked: these answer
503 with `Retry-After`. The drivers raise them as their own exceptions or as OS
errors, sometimes wrapped by Tortoise: the whole chain of causes is looked at.
"""

from __future__ import annotations

import sqlite3

import asyncpg
from tortoise.exceptions import DBConnectionError

UNAVAILABLE_STATES = (
    "08",  # connection exception
    "53",  # insufficient resources (too many connections)
    "57P",  # operator intervention: shutdown, crash, cannot connect now
)
CLOSED_INTERFACE = ("connection is closed", "pool is closing", "connection was closed")
SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")
RETRY_AFTER_SECONDS = 2


class PoolTimeoutError(ConnectionError):
    """No pooled connection came free within DB_POOL_TIMEOUT_SECONDS (models.asyncpg_pool)."""


def unavailable(error: BaseException | None) -> bool:
    """True when `error`, or one of its causes, says the database cannot be reached."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if _unavailable(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def _unavailable(error: BaseException) -> bool:
    if isinstance(error, PoolTimeoutError | ConnectionError | DBConnectionError):
        return True
    if isinstance(error, TimeoutError):
        return False  # the request's own deadline (an OSError since Python 3.10)
    if isinstance(error, OSError) and not isinstance(error, FileNotFoundError | PermissionError):
        return True
    if isinstance(error, asyncpg.PostgresError):
        state = getattr(error, "sqlstate", "") or ""
        return state.startswith(UNAVAILABLE_STATES)
    if isinstance(error, asyncpg.InterfaceError):
        return any(text in str(error) for text in CLOSED_INTERFACE)
    if isinstance(error, sqlite3.OperationalError):
        return any(text in str(error) for text in SQLITE_BUSY)
    return False
