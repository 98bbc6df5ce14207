"""The SQL behind every connection: one statement per page request, whatever the parents.

A `Listing` says where a list's rows come from. `pages` reads one page for each
of many parents in one statement: a window function numbers each parent's rows
in page order and keeps the first `size + 1` (the extra row tells whether
another page follows). A first page (no cursor) also carries each list's whole
length in a `total` column (another window function), so that its `totalCount`
needs no statement of its own; `counts` answers it for later pages, for many
parents with one GROUP BY.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from models.sql import Row, fetch
from schema.core.pagination import TOTAL, Page


@dataclass(frozen=True, slots=True)
class Listing:
    """Rows of `table` (aliased `alias`) that pass `where`, a condition on that table alone.

    `parent` is the column that ties a row to its parent (None for a root list);
    `parent_key` is that column's name in the returned rows. Pages select
    `columns` from the table and `joins` (say, the author's name along with each
    comment); counts need neither.
    """

    table: str
    alias: str
    where: str
    parent: str | None = None
    parent_key: str = ""
    joins: str = ""
    extra_columns: str = ""
    params: tuple[object, ...] = ()

    def also(self, condition: str, params: Sequence[object] = ()) -> Listing:
        """This listing narrowed by one more condition (with its parameters)."""
        return replace(self, where=f"{self.where} AND {condition}", params=(*self.params, *params))

    @property
    def columns(self) -> str:
        extra = f", {self.extra_columns}" if self.extra_columns else ""
        return f"{self.alias}.*{extra}"

    @property
    def source(self) -> str:
        return f"{self.table} {self.alias} {self.joins}".rstrip()


def _keyset(listing: Listing, page: Page) -> tuple[str, str, list[Any]]:
    """The ORDER BY, the keyset condition and its parameters for `page`."""
    direction = "DESC" if page.descending else "ASC"
    sort = f"{listing.alias}.{page.order.column}"
    ordering = f"{sort} {direction}, {listing.alias}.id {direction}"
    if page.cursor is None:
        return ordering, "", []
    operator = "<" if page.descending else ">"
    return ordering, f" AND ({sort}, {listing.alias}.id) {operator} (?, ?)", list(page.cursor)


def _total(page: Page, partition: str = "") -> str:
    """The list's whole length on a first page (a window over every row the WHERE keeps,
    before the LIMIT); nothing on later pages, whose WHERE starts past the cursor."""
    if page.cursor is not None:
        return ""
    over = f"PARTITION BY {partition}" if partition else ""
    return f", COUNT(*) OVER ({over}) AS {TOTAL}"


async def page(listing: Listing, page: Page) -> list[Row]:
    """One page of a root list (or of one parent's list, with the parent id as `parent_id`)."""
    ordering, condition, params = _keyset(listing, page)
    sql = (
        f"SELECT {listing.columns}{_total(page)} FROM {listing.source} "
        f"WHERE {listing.where}{condition} ORDER BY {ordering} LIMIT ?"
    )
    return await fetch(sql, [*listing.params, *params, page.size + 1])


async def pages(listing: Listing, page: Page, parent_ids: Sequence[int]) -> dict[int, list[Row]]:
    """The same page of each parent's list, in one statement."""
    if listing.parent is None:
        raise TypeError("pages() needs a listing with a parent column")
    ordering, condition, params = _keyset(listing, page)
    if len(parent_ids) == 1:
        # One parent: a plain ORDER BY ... LIMIT walks the index and stops early.
        sql = (
            f"SELECT {listing.columns}{_total(page)} FROM {listing.source} "
            f"WHERE {listing.parent} = ? AND {listing.where}{condition} ORDER BY {ordering} LIMIT ?"
        )
        rows = await fetch(sql, [parent_ids[0], *listing.params, *params, page.size + 1])
    else:
        # Rank and cut first, join (authors, ...) after: the joins then touch only the
        # rows that are kept. The ranked rows keep the table's alias, so the joins apply.
        alias = listing.alias
        extra = f", {listing.extra_columns}" if listing.extra_columns else ""
        sql = (
            f"SELECT {alias}.*{extra} FROM (SELECT {alias}.*, ROW_NUMBER() OVER ("
            f"PARTITION BY {listing.parent} ORDER BY {ordering}) AS page_row"
            f"{_total(page, listing.parent)} "
            f"FROM {listing.table} {alias} "
            f"WHERE {listing.parent} = ANY(?) AND {listing.where}{condition}) AS {alias} "
            f"{listing.joins} WHERE {alias}.page_row <= ? "
            f"ORDER BY {alias}.{listing.parent_key}, {alias}.page_row"
        )
        rows = await fetch(sql, [list(parent_ids), *listing.params, *params, page.size + 1])
    return _by_parent(rows, listing.parent_key)


async def count(listing: Listing) -> int:
    sql = f"SELECT COUNT(*) AS n FROM {listing.table} {listing.alias} WHERE {listing.where}"
    rows = await fetch(sql, listing.params)
    return int(rows[0]["n"])


async def counts(listing: Listing, parent_ids: Sequence[int]) -> dict[int, int]:
    """How many rows each parent's list holds, in one statement."""
    sql = (
        f"SELECT {listing.parent} AS parent, COUNT(*) AS n FROM {listing.table} {listing.alias} "
        f"WHERE {listing.parent} = ANY(?) AND {listing.where} GROUP BY {listing.parent}"
    )
    rows = await fetch(sql, [list(parent_ids), *listing.params])
    return {row["parent"]: int(row["n"]) for row in rows}


def _by_parent(rows: Iterable[Row], key: str) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped
