"""Tortoise's SQLite client, made safe for several processes on one database file.

Tortoise opens every transaction with a plain (deferred) `BEGIN`: it takes the
write lock only at its first write. In WAL mode, when another process has
committed since this transaction first read, that upgrade fails at once with
"database is locked": SQLite does not wait out its busy timeout there, since
waiting could not help (the transaction read an outdated snapshot). Two workers
recording views lost a third of them that way. `BEGIN IMMEDIATE` takes the write
lock first, waiting up to the busy timeout, so a transaction never reads a
snapshot it cannot write on. Reads outside transactions stay concurrent (WAL).

This module is the connection's `engine` (see models/config.py); Tortoise's
migration executor picks its SQLite schema editor by the "sqlite" in its name.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tortoise.backends.base.client import TransactionalDBClient
from tortoise.backends.sqlite.client import (
    SqliteClient as TortoiseSqliteClient,
)
from tortoise.backends.sqlite.client import (
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.connection import get_connections
from tortoise.exceptions import OperationalError


class ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:  # busy past the timeout: say so, as Tortoise does
            raise OperationalError(error) from error


class ImmediateTransactionContext(SqliteTransactionContext):
    async def __aenter__(self) -> TransactionalDBClient:
        # Tortoise's own context keeps the connection's lock when BEGIN fails, and
        # every later query of the process then hangs: release it instead.
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            try:
                await self.connection.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:
            self._trxlock.release()
            raise
        client: TransactionalDBClient = self.connection
        return client


class SqliteClient(TortoiseSqliteClient):
    def _in_transaction(self) -> ImmediateTransactionContext:
        return ImmediateTransactionContext(ImmediateTransaction(self), self._lock)


def get_client_class(db_info: dict[str, Any]) -> type[SqliteClient]:
    return SqliteClient


client_class = SqliteClient
