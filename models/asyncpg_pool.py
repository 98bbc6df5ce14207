"""Tortoise's asyncpg client, with a pool whose every acquire waits a bounded time.

asyncpg waits for a free connection as long as it takes, and Tortoise never asks it
to stop: with every connection busy, a request only learnt so at its deadline, as a
TIMEOUT. Here a wait longer than `DB_POOL_TIMEOUT_SECONDS` fails with `PoolTimeoutError`,
a database that cannot take more now (503 with Retry-After, see
`models.availability`), which a client knows to retry. Only asyncpg's public API is
used (`Pool.acquire(timeout=)`).

This module is the connection's `engine` (see models/config.py); Tortoise's
migration executor picks its PostgreSQL schema editor by the "asyncpg" in its name.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient

from models.availability import PoolTimeoutError

# asyncpg.create_pool's defaults, which its Pool class wants spelled out
POOL_DEFAULTS = {
    "max_queries": 50000,
    "max_inactive_connection_lifetime": 300.0,
    "record_class": asyncpg.Record,
}


class Pool(asyncpg.Pool):  # type: ignore[misc]  # asyncpg has no types
    def __init__(self, *args: Any, acquire_timeout: float | None, **kwargs: Any) -> None:
        super().__init__(*args, **(POOL_DEFAULTS | kwargs))
        self.acquire_timeout = acquire_timeout

    def acquire(self, *, timeout: float | None = None) -> Acquiring:
        timeout = self.acquire_timeout if timeout is None else timeout
        return Acquiring(super().acquire(timeout=timeout), timeout)


class Acquiring:
    """asyncpg's acquire (awaited, or as a context), its timeout raised as PoolTimeoutError.
    The request's own deadline cancels it instead (a CancelledError): not confused."""

    def __init__(self, inner: Any, timeout: float | None) -> None:
        self.inner = inner
        self.timeout = timeout

    async def __aenter__(self) -> Any:
        try:
            return await self.inner.__aenter__()
        except TimeoutError as error:
            raise self.timed_out() from error

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.inner.__aexit__(kind, error, traceback)

    def __await__(self) -> Any:
        return self.acquired().__await__()

    async def acquired(self) -> Any:
        try:
            return await self.inner
        except TimeoutError as error:
            raise self.timed_out() from error

    def timed_out(self) -> PoolTimeoutError:
        return PoolTimeoutError(f"no database connection was free within {self.timeout:g} s")


class AsyncpgClient(AsyncpgDBClient):
    def __init__(self, *, pool_timeout: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pool_timeout = pool_timeout

    async def create_pool(self, **kwargs: Any) -> asyncpg.Pool:
        return await Pool(None, acquire_timeout=self.pool_timeout, **kwargs)


def get_client_class(db_info: dict[str, Any]) -> type[AsyncpgClient]:
    return AsyncpgClient


client_class = AsyncpgClient
