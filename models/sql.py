"""Raw SQL for what Tortoise's query API cannot say: window functions, RETURNING, upserts.

Statements are written once, in PostgreSQL's dialect with `?` placeholders, and
adapted here: asyncpg gets `$1, $2, ...`; SQLite gets `col = ANY(?)` rewritten
to `col IN (SELECT value FROM json_each(?))` with the list sent as JSON. Either
way the statement text does not depend on how many ids are asked for, so both
drivers can cache it.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import asyncpg
import orjson
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, OperationalError

from models.asyncpg_pool import AsyncpgClient

STATEMENTS = logging.getLogger("tortoise.db_client")
Row = dict[str, Any]
Fetch = Callable[[str, Sequence[Any]], Awaitable[list[Row]]]

_ANY = re.compile(r"= ANY\(\?\)")


def client() -> BaseDBAsyncClient:
    db: BaseDBAsyncClient = connections.get("default")
    return db


def is_postgres(db: BaseDBAsyncClient) -> bool:
    return db.capabilities.dialect == "postgres"


async def fetch(
    sql: str, params: Sequence[Any] = (), *, db: BaseDBAsyncClient | None = None
) -> list[Row]:
    """Run one statement and return its rows as dicts."""
    db = db or client()
    if is_postgres(db):
        statement = _for_postgres(sql)
        pool = _pool_of(db)
        if pool is not None:
            return await _fetch_pooled(pool, statement, params)
        return await db.execute_query_dict(statement, list(params))
    return await db.execute_query_dict(_for_sqlite(sql), [_sqlite_param(p) for p in params])


def _pool_of(db: BaseDBAsyncClient) -> Any:
    """The asyncpg pool behind Tortoise's pooled client, once it exists; None inside a
    transaction (its own connection) and before the first statement made the pool.

    Reads go straight to the pool: Tortoise's wrapper around each statement (a
    connection wrapper, its exception decorator) was a tenth of a page's CPU. Its
    `_pool` attribute is Tortoise's own (tortoise-orm is pinned in pyproject.toml).
    """
    return db.__dict__.get("_pool") if type(db) is AsyncpgClient else None


async def _fetch_pooled(pool: Any, statement: str, params: Sequence[Any]) -> list[Row]:
    """One statement on a pooled connection, failures named as Tortoise names them."""
    if STATEMENTS.isEnabledFor(logging.DEBUG):  # as Tortoise logs the statements it sends
        STATEMENTS.debug("%s: %s", statement, params)
    try:
        records = await pool.fetch(statement, *params)
    except (asyncpg.SyntaxOrAccessError, asyncpg.exceptions.DataError) as error:
        raise OperationalError(error) from error
    except asyncpg.IntegrityConstraintViolationError as error:
        raise IntegrityError(error) from error
    return [dict(record) for record in records]


async def fetch_one(
    sql: str, params: Sequence[Any] = (), *, db: BaseDBAsyncClient | None = None
) -> Row | None:
    rows = await fetch(sql, params, db=db)
    return rows[0] if rows else None


async def execute_many(
    sql: str, rows: Sequence[Sequence[Any]], *, db: BaseDBAsyncClient | None = None
) -> None:
    """Run one statement for each row, in one transaction (bulk loads)."""
    db = db or client()
    if is_postgres(db):
        await db.execute_many(_for_postgres(sql), [list(row) for row in rows])
    else:
        await db.execute_many(sql, [[_sqlite_param(p) for p in row] for row in rows])


@contextlib.asynccontextmanager
async def exclusively(key: int) -> AsyncIterator[Fetch | None]:
    """A `fetch` that runs while no other process holds the lock `key`, or None when one
    does (nothing waits for it).

    PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on one connection of
    the pool, which every statement of the block then uses, so a pool of one connection
    does not deadlock. SQLite: an exclusive `flock` on a file beside the database, so
    several workers on one file take turns too (an in-memory database has one process).
    """
    db = client()
    if is_postgres(db):
        async with db.acquire_connection() as connection:
            if not await connection.fetchval("SELECT pg_try_advisory_lock($1)", key):
                yield None
                return
            try:
                yield _fetch_on(connection)
            finally:
                await _unlock(connection, key)
        return
    path = getattr(db, "filename", ":memory:")
    if path == ":memory:":
        yield fetch
        return
    lock = os.open(f"{path}-lock-{key}", os.O_WRONLY | os.O_CREAT, 0o600)  # local: no wait
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        yield fetch
    finally:
        os.close(lock)  # and the lock with it


def _fetch_on(connection: Any) -> Fetch:
    async def fetch_on(sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return [dict(row) for row in await connection.fetch(_for_postgres(sql), *params)]

    return fetch_on


async def _unlock(connection: Any, key: int) -> None:
    """Give the lock back; a connection that cannot is closed, and its lock with it, so
    no pooled connection keeps holding it."""
    try:
        await connection.execute("SELECT pg_advisory_unlock($1)", key)
    except BaseException:
        connection.terminate()
        raise


@lru_cache(maxsize=256)
def _for_postgres(sql: str) -> str:
    pieces = sql.split("?")
    return pieces[0] + "".join(f"${n}{piece}" for n, piece in enumerate(pieces[1:], start=1))


@lru_cache(maxsize=256)
def _for_sqlite(sql: str) -> str:
    return _ANY.sub("IN (SELECT value FROM json_each(?))", sql)


def _sqlite_param(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return orjson.dumps(value).decode()
    return value


def timestamp(value: datetime | str) -> datetime:
    """A UTC datetime from a column: asyncpg returns datetimes, SQLite ISO strings."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
