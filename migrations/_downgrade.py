"""Downgrades that lose nothing: they restore the previous schema, or refuse and say why.

Two tools for every migration (not a migration itself: the leading underscore
keeps Tortoise's loader away):

- `refuse_losing(...)`, the LAST operation of a migration: a downgrade runs the
  operations in reverse, so it runs first and, before anything changes, refuses
  when a table or column the downgrade would drop holds data, naming each with
  its row count. List what the migration adds that holds data of its own:
  `table(...)` for a new table, `column(...)` for a new column (rows where it is
  not NULL), `rows(...)` for rows whose meaning the old schema cannot keep
  (a status the old schema lacks). Leave out what is derived and rebuilt from
  what is listed (counters, depths) and caches; say so in a comment.
- `AddField` instead of Tortoise's, so that on SQLite the downgrade drops the
  column in place (`ALTER TABLE ... DROP COLUMN`) where Tortoise rebuilds the
  whole table, losing its indexes and triggers. A column SQLite cannot drop in
  place (UNIQUE) still gets the rebuild, with the table's indexes and triggers
  put back; that needs foreign keys off, which `models.config.migrate` sees to
  (with them on, dropping the old table deletes the rows that refer to it).

For a migration that adds a column:

    operations = [
        AddField(model_name="Member", name="nickname", field=fields.CharField(...)),
        refuse_losing(column("members", "nickname")),
    ]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tortoise.migrations import operations as ops


class DowngradeRefused(RuntimeError):
    """A downgrade would lose data; the message names it. Nothing was changed."""


@dataclass(frozen=True, slots=True)
class Kept:
    """Data a downgrade would lose: rows of `table` where `condition` holds."""

    what: str
    table: str
    condition: str = "1 = 1"


def table(name: str) -> Kept:
    return Kept(name, name)


def column(table_name: str, name: str) -> Kept:
    return Kept(f"{table_name}.{name}", table_name, f'"{name}" IS NOT NULL')


def rows(table_name: str, condition: str, what: str) -> Kept:
    return Kept(what, table_name, condition)


def refuse_losing(*kept: Kept) -> ops.RunPython:
    async def check(apps: Any, schema_editor: Any) -> None:
        client = schema_editor.client
        lost = []
        for item in kept:
            _, found = await client.execute_query(
                f'SELECT COUNT(*) AS n FROM "{item.table}" WHERE {item.condition}'
            )
            count = int(found[0]["n"])
            if count:
                lost.append(f"{item.what} ({count} rows)")
        if lost:
            raise DowngradeRefused(
                "This downgrade would lose data: "
                + ", ".join(lost)
                + ". Nothing was changed. Delete or clear that data first if it may go, "
                "or restore a backup from before this migration."
            )

    return ops.RunPython(ops.RunPython.noop, check)


class AddField(ops.AddField):
    """Tortoise's AddField, whose downgrade on SQLite keeps the rest of the table as it was."""

    async def database_backward(
        self,
        app_label: str,
        old_state: Any,
        new_state: Any,
        state_editor: Any = None,
    ) -> None:
        if state_editor is None or state_editor.client.capabilities.dialect != "sqlite":
            await super().database_backward(app_label, old_state, new_state, state_editor)
            return
        model = old_state.apps.get_model(f"{app_label}.{self.model_name}")
        field = model._meta.fields_map[self.name]
        name = model._meta.db_table
        dropped = field.source_field or field.model_field_name
        client = state_editor.client
        if not await _is_unique(client, name, dropped):
            # As PostgreSQL does, the column's indexes go with it (SQLite refuses otherwise).
            for index in await _indexes_of(client, name, dropped):
                await client.execute_query(f'DROP INDEX "{index}"')
            await client.execute_query(f'ALTER TABLE "{name}" DROP COLUMN "{dropped}"')
            return
        _, foreign_keys = await client.execute_query("PRAGMA foreign_keys")
        if foreign_keys and foreign_keys[0]["foreign_keys"]:
            raise DowngradeRefused(
                f'Dropping {name}.{dropped} rebuilds "{name}", which with foreign keys on '
                "deletes every row that refers to it: run the downgrade with "
                "`manage.py migrate --target ...`. Nothing was changed."
            )
        _, kept_sql = await client.execute_query(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL",
            [name],
        )
        await state_editor.remove_field(model, field)  # the rebuild, without those
        mentions = re.compile(rf'\b{re.escape(dropped)}\b|"{re.escape(dropped)}"')
        for row in kept_sql:
            if not mentions.search(row["sql"]):
                await client.execute_query(row["sql"])


async def _is_unique(client: Any, name: str, column_name: str) -> bool:
    """Whether a UNIQUE constraint or the primary key covers the column: SQLite cannot
    drop such a column in place."""
    return bool(await _indexes_of(client, name, column_name, origins=("u", "pk")))


async def _indexes_of(
    client: Any, name: str, column_name: str, origins: tuple[str, ...] = ("c",)
) -> list[str]:
    """The table's indexes over the column: made by CREATE INDEX ("c"), or by a UNIQUE
    constraint ("u") or the primary key ("pk")."""
    _, indexes = await client.execute_query(f'PRAGMA index_list("{name}")')
    found = []
    for index in indexes:
        if index["origin"] in origins:
            _, columns = await client.execute_query(f'PRAGMA index_info("{index["name"]}")')
            if any(entry["name"] == column_name for entry in columns):
                found.append(index["name"])
    return found
