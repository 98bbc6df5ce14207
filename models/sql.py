"""Raw SQL for what Tortoise's query API cannot say: window functions, RETURNING, upserts.

Statements are written once, in PostgreSQL's dialect with `?` placeholders, and
adapted here: asyncpg gets `$1, $2, ...`; SQLite gets `col = ANY(?)` rewritten
to `col IN (SELECT value FROM json_each(?))` with the list sent as JSON. Either
way the statement text does not depend on how many ids are asked for, so both
drivers can cache it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

Row = dict[str, Any]

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
        return await db.execute_query_dict(_for_postgres(sql), list(params))
    return await db.execute_query_dict(_for_sqlite(sql), [_sqlite_param(p) for p in params])


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
