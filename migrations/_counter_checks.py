"""Counters never go below zero: the checks, for migrations to add and drop.

Tortoise 1.1 drops CheckConstraint from CreateModel and, on SQLite, adds one by
rebuilding the table without its indexes, so the checks are written here:
CHECK constraints on PostgreSQL, triggers on SQLite (which cannot add a CHECK
to an existing table). Not a migration itself: the leading underscore keeps
Tortoise's loader away.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

Step = Callable[[Any, Any], Awaitable[None]]


def _name(table: str, column: str) -> str:
    return f"{table}_{column}_not_negative"


def _add(dialect: str, table: str, column: str) -> list[str]:
    name = _name(table, column)
    if dialect != "sqlite":
        return [f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" CHECK ("{column}" >= 0)']
    return [
        f'CREATE TRIGGER "{name}_{suffix}" BEFORE {event} ON "{table}" '
        f'WHEN NEW."{column}" < 0 '
        f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
        for suffix, event in (("insert", "INSERT"), ("update", f"UPDATE OF {column}"))
    ]


def _drop(dialect: str, table: str, column: str) -> list[str]:
    name = _name(table, column)
    if dialect != "sqlite":
        return [f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"']
    return [f'DROP TRIGGER "{name}_insert"', f'DROP TRIGGER "{name}_update"']


def counter_checks(columns: Sequence[tuple[str, str]]) -> tuple[Step, Step]:
    """RunPython steps that add, and drop, a not-negative check on each (table, column)."""

    async def run(schema_editor: Any, statements: Callable[[str, str, str], list[str]]) -> None:
        client = schema_editor.client
        for table, column in columns:
            for statement in statements(client.capabilities.dialect, table, column):
                # Not execute_script: on SQLite it COMMITs first, and a downgrade that
                # fails after it could not be rolled back.
                await client.execute_query(statement)

    async def add(apps: Any, schema_editor: Any) -> None:
        await run(schema_editor, _add)

    async def drop(apps: Any, schema_editor: Any) -> None:
        await run(schema_editor, _drop)

    return add, drop
