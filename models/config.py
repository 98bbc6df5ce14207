"""Tortoise configuration, built from the settings.

`TORTOISE_ORM` (for the `tortoise` command line, see `[tool.tortoise]` in
pyproject.toml) reads the environment only when that command asks for it.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
from tortoise import connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.migrations import api as migrations_api
from tortoise.migrations.operations import RunPython

from settings import Settings

MODELS_APP = {"models": ["models"], "migrations": "migrations", "default_connection": "default"}
SQLITE_BUSY_TIMEOUT_MS = 5000


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]  # asyncpg has no types
    """An asyncpg connection that skips the session reset when it goes back to the pool.

    asyncpg sends `RESET ALL; UNLISTEN *; CLOSE ALL; ...` on every release: one
    more round trip per statement outside a transaction. groupql never changes
    session state (no SET, LISTEN or cursors), so there is nothing to reset; an
    open transaction is still rolled back by asyncpg. Its one advisory lock
    (`models.sql.exclusively`) is given back before release, or the connection
    closed.
    """

    def get_reset_query(self) -> str:
        return ""


def tortoise_config(settings: Settings) -> dict[str, Any]:
    url = connection_url(settings.database_url, settings.db_pool_size)
    connection = expand_db_url(url)
    if url.startswith("sqlite"):
        connection["engine"] = "models.sqlite"  # BEGIN IMMEDIATE: see models/sqlite.py
    else:
        connection["engine"] = "models.asyncpg_pool"  # a bounded wait for a connection
        connection["credentials"]["connection_class"] = PooledConnection
        connection["credentials"]["pool_timeout"] = settings.db_pool_timeout_seconds
    return {
        "connections": {"default": connection},
        "apps": {"models": MODELS_APP},
        "use_tz": True,
        "timezone": "UTC",
    }


def connection_url(database_url: str, pool_size: int) -> str:
    """Add the pool size (PostgreSQL), or WAL and a busy timeout (SQLite), unless the URL
    sets them. Each query parameter of an SQLite URL is a PRAGMA run on connecting.

    WAL lets readers go on while one process writes; the busy timeout makes a writer
    wait for another process's write lock instead of failing at once.
    """
    parts = urlsplit(database_url)
    query = dict(parse_qsl(parts.query))
    if parts.scheme == "sqlite":
        query.setdefault("journal_mode", "WAL")
        query.setdefault("busy_timeout", str(SQLITE_BUSY_TIMEOUT_MS))
    else:
        query.setdefault("minsize", "1")
        query.setdefault("maxsize", str(pool_size))
    return urlunsplit(parts._replace(query=urlencode(query)))


def for_migrations(config: dict[str, Any]) -> dict[str, Any]:
    """The configuration migrations run with: on SQLite, foreign keys off.

    SQLite rebuilds a table to change some columns, and with foreign keys on, dropping
    the old table deletes (or refuses to delete) every row that refers to it: a
    rebuilt `members` would take every membership with it. SQLite's own advice is to
    turn them off around schema changes; `migrate` checks them once done.
    """
    config = copy.deepcopy(config)
    connection = config["connections"]["default"]
    if "sqlite" in connection["engine"]:
        connection["credentials"]["foreign_keys"] = "OFF"
    return config


def __getattr__(name: str) -> Any:
    if name == "TORTOISE_ORM":  # what the `tortoise` command line migrates with
        return for_migrations(tortoise_config(Settings.from_env()))
    raise AttributeError(name)


async def migrate(
    config: dict[str, Any],
    *,
    target: str | None = None,
    reporter: Callable[[str, list[Any], bool, bool], object] | None = None,
    progress: Callable[[str, str, str], object] | None = None,
) -> None:
    """Apply every migration under `migrations/` that the database has not seen yet.

    `target` ("models.0001_initial") stops, or rolls back, to that migration.
    `reporter(connection, plan, fake, dry_run)` hears the plan first, and
    `progress(event, app_label, migration_name)` of each step as it runs.
    """
    config = for_migrations(config)

    async def checked_first(connection: str, plan: list[Any], fake: bool, dry_run: bool) -> None:
        await _refuse_before_any_step(plan)
        if reporter is not None:
            heard = reporter(connection, plan, fake, dry_run)
            if inspect.isawaitable(heard):
                await heard

    async with TortoiseContext() as context:
        await context.init(config=config)
        await migrations_api.migrate(
            config=config, target=target, reporter=checked_first, progress=progress
        )
        await _check_foreign_keys()


async def _refuse_before_any_step(plan: list[Any]) -> None:
    """A downgrade over several migrations runs every one's refusal first (the last
    operation of each, which only reads: see `migrations._downgrade`), so that a refusal
    of the third leaves the first two undone too: nothing changes."""

    class Editor:
        client = connections.get("default")

    for step in plan:
        if not step.backward or not step.migration.operations:
            continue
        last = step.migration.operations[-1]
        if isinstance(last, RunPython) and last.reverse_code is not None:
            await last.reverse_code(None, Editor())


async def _check_foreign_keys() -> None:
    """With foreign keys off (SQLite), say so if a migration left a row pointing nowhere."""
    db = connections.get("default")
    if db.capabilities.dialect != "sqlite":
        return
    _, broken = await db.execute_query("PRAGMA foreign_key_check")
    if broken:
        found = ", ".join(f"{row[0]} row {row[1]} -> {row[2]}" for row in broken[:10])
        raise RuntimeError(f"the migration left rows whose foreign keys point nowhere: {found}")
