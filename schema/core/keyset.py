"""The SQL behind every connection: one statement per page request, whatever the parents.

A `Listing` says where a list's rows come from. `pages` reads one page for each
of many parents in one statement: a window function numbers each parent's rows
in page order and keeps the first `size + 1` (the extra row tells whether
another page follows). `counts` answers `totalCount` for many parents with one
GROUP BY.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from models.sql import Row, fetch
from schema.core.pagination import Page


@dataclass(frozen=True, slots=True)
class Listing:
    """Rows of `source` (a FROM clause whose main table is `alias`) that pass `where`.

    `parent` is the column that ties a row to its parent (None for a root list);
    `parent_key` is that column's name in the returned rows.
    """

    source: str
    alias: str
    where: str
    parent: str | None = None
    parent_key: str = ""

    @property
    def columns(self) -> str:
        return f"{self.alias}.*"


def _keyset(listing: Listing, page: Page) -> tuple[str, str, list[Any]]:
    """The ORDER BY, the keyset condition and its parameters for `page`."""
    direction = "DESC" if page.descending else "ASC"
    sort = f"{listing.alias}.{page.order.column}"
    ordering = f"{sort} {direction}, {listing.alias}.id {direction}"
    if page.cursor is None:
        return ordering, "", []
    operator = "<" if page.descending else ">"
    return ordering, f" AND ({sort}, {listing.alias}.id) {operator} (?, ?)", list(page.cursor)


async def page(listing: Listing, page: Page) -> list[Row]:
    """One page of a root list (or of one parent's list, with the parent id as `parent_id`)."""
    ordering, condition, params = _keyset(listing, page)
    sql = (
        f"SELECT {listing.columns} FROM {listing.source} WHERE {listing.where}{condition} "
        f"ORDER BY {ordering} LIMIT ?"
    )
    return await fetch(sql, [*params, page.size + 1])


async def pages(listing: Listing, page: Page, parent_ids: Sequence[int]) -> dict[int, list[Row]]:
    """The same page of each parent's list, in one statement."""
    if listing.parent is None:
        raise TypeError("pages() needs a listing with a parent column")
    ordering, condition, params = _keyset(listing, page)
    if len(parent_ids) == 1:
        # One parent: a plain ORDER BY ... LIMIT walks the index and stops early.
        sql = (
            f"SELECT {listing.columns} FROM {listing.source} "
            f"WHERE {listing.parent} = ? AND {listing.where}{condition} ORDER BY {ordering} LIMIT ?"
        )
        rows = await fetch(sql, [parent_ids[0], *params, page.size + 1])
    else:
        sql = (
            f"SELECT * FROM (SELECT {listing.columns}, ROW_NUMBER() OVER ("
            f"PARTITION BY {listing.parent} ORDER BY {ordering}) AS page_row "
            f"FROM {listing.source} WHERE {listing.parent} = ANY(?) AND {listing.where}{condition}"
            f") AS ranked WHERE page_row <= ? ORDER BY {listing.parent_key}, page_row"
        )
        rows = await fetch(sql, [list(parent_ids), *params, page.size + 1])
    return _by_parent(rows, listing.parent_key)


async def count(listing: Listing) -> int:
    rows = await fetch(f"SELECT COUNT(*) AS n FROM {listing.source} WHERE {listing.where}")
    return int(rows[0]["n"])


async def counts(listing: Listing, parent_ids: Sequence[int]) -> dict[int, int]:
    """How many rows each parent's list holds, in one statement."""
    sql = (
        f"SELECT {listing.parent} AS parent, COUNT(*) AS n FROM {listing.source} "
        f"WHERE {listing.parent} = ANY(?) AND {listing.where} GROUP BY {listing.parent}"
    )
    rows = await fetch(sql, [list(parent_ids)])
    return {row["parent"]: int(row["n"]) for row in rows}


def _by_parent(rows: Iterable[Row], key: str) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped
