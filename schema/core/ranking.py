"""Ranked lists (TOP, HOT) frozen when their first page is read, so paging on is stable.

A score made of reactions, comments and views moves while people page through
it: ordinary keyset paging would then repeat or skip items. So the first page
of a ranked list ranks the list once (its best `RANKED_ITEMS`) and stores the
order as a ranking; every cursor names its ranking and its position in it, and
the next pages are read from the same ranking. Readers of the same list within
`BUCKET_SECONDS` share one ranking, which also spares the database. Rankings
are stored in the database, so any server process can continue a paging that
another began; they are kept for `LIFETIME`, after which a cursor into one
answers an error asking to start again from the first page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import orjson

from models.sql import Row, fetch
from schema.core.errors import UserInputError
from schema.core.keyset import Listing
from schema.core.pagination import Order, Page

RANKED_ITEMS = 1000
BUCKET_SECONDS = 30
LIFETIME = timedelta(hours=1)
# Extra ids read past a page, to fill in for items deleted since the ranking was made.
SLACK = 10


def ranking_key(order: Order, parent: int, now: datetime) -> str:
    return f"{order.name}:{parent}:{int(now.timestamp()) // BUCKET_SECONDS}"


async def pages(
    listing: Listing, page: Page, parent_ids: Sequence[int], now: datetime
) -> dict[int, list[Row]]:
    """The same page of each parent's ranked list: up to `page.size + 1` rows each, in the
    direction of reading, each row carrying its `ranking_key` and `ranking_position`."""
    if page.cursor is None:
        keys = {parent: ranking_key(page.order, parent, now) for parent in parent_ids}
        rankings = await _rankings(keys.values(), now)
        missing = [parent for parent in parent_ids if keys[parent] not in rankings]
        if missing:
            fresh = await _rank(listing, page.order, missing, now)
            made = {keys[parent]: fresh.get(parent, []) for parent in missing}
            await _store(made, now)
            rankings |= made
        starts = {
            parent: (keys[parent], len(rankings[keys[parent]]) if page.backward else -1)
            for parent in parent_ids
        }
    else:
        key, position = page.cursor
        assert isinstance(key, str)  # decode_cursor gives a ranked order a ranking key
        rankings = await _rankings([key], now)
        if key not in rankings:
            raise _expired(page)
        starts = {parent: (key, position) for parent in parent_ids if _belongs(key, page, parent)}
    windows = {
        parent: _window(rankings[key], position, page) for parent, (key, position) in starts.items()
    }
    rows = await _rows(listing, [pk for window in windows.values() for pk, _ in window])
    found: dict[int, list[Row]] = {}
    for parent, window in windows.items():
        key = starts[parent][0]
        kept = [
            {**rows[pk], "ranking_key": key, "ranking_position": position}
            for pk, position in window
            if pk in rows
        ]
        found[parent] = kept[: page.size + 1]
    return found


def _belongs(key: str, page: Page, parent: int) -> bool:
    if not key.startswith(f"{page.order.name}:{parent}:"):
        argument = "before" if page.backward else "after"
        raise UserInputError(f"`{argument}` is a cursor of another list.", argument=argument)
    return True


def _expired(page: Page) -> UserInputError:
    argument = "before" if page.backward else "after"
    hours = int(LIFETIME.total_seconds() // 3600)
    return UserInputError(
        f"`{argument}` points into a ranking that has expired (rankings are kept for "
        f"{hours} hour): start again from the first page.",
        argument=argument,
    )


def _window(ids: list[int], position: int, page: Page) -> list[tuple[int, int]]:
    """(id, position) pairs from just past `position`, in the direction of reading."""
    wanted = page.size + 1 + SLACK
    if page.backward:
        start = max(0, position - wanted)
        return [(ids[n], n) for n in range(position - 1, start - 1, -1)]
    return [(ids[n], n) for n in range(position + 1, min(len(ids), position + 1 + wanted))]


async def _rankings(keys: Iterable[str], now: datetime) -> dict[str, list[int]]:
    rows = await fetch(
        "SELECT key, item_ids FROM rankings WHERE key = ANY(?) AND created_at > ?",
        [list(keys), now - LIFETIME],
    )
    return {row["key"]: orjson.loads(row["item_ids"]) for row in rows}


async def _rank(
    listing: Listing, order: Order, parent_ids: Sequence[int], now: datetime
) -> dict[int, list[int]]:
    """Each parent's best `RANKED_ITEMS` ids, best first (ties: newest id first)."""
    # Only ranked orders of lists with parents come here.
    assert order.score is not None
    assert listing.parent is not None
    alias = listing.alias
    columns = ", ".join(f"{alias}.{column}" for column in ("id", *order.score_columns))
    rows = await fetch(
        f"SELECT {columns}, {listing.parent} AS ranked_parent FROM {listing.table} {alias} "
        f"WHERE {listing.parent} = ANY(?) AND {listing.where}",
        [list(parent_ids), *listing.params],
    )
    scored: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for row in rows:
        scored[row["ranked_parent"]].append((order.score(row, now), row["id"]))
    return {
        parent: [pk for _, pk in sorted(items, reverse=True)[:RANKED_ITEMS]]
        for parent, items in scored.items()
    }


async def _store(rankings: dict[str, list[int]], now: datetime) -> None:
    """Keep the new rankings (another process may have stored the same key: fine) and
    drop the expired ones."""
    values = ", ".join("(?, ?, ?)" for _ in rankings)
    params: list[object] = []
    for key, ids in rankings.items():
        params += [key, orjson.dumps(ids).decode(), now]
    await fetch(
        f"INSERT INTO rankings (key, item_ids, created_at) VALUES {values} "
        "ON CONFLICT (key) DO NOTHING RETURNING key",
        params,
    )
    await fetch("DELETE FROM rankings WHERE created_at <= ? RETURNING key", [now - LIFETIME])


async def _rows(listing: Listing, ids: list[int]) -> dict[int, Row]:
    """The rows of these ids that are still in the list (deleted ones drop out)."""
    if not ids:
        return {}
    rows = await fetch(
        f"SELECT {listing.columns} FROM {listing.source} "
        f"WHERE {listing.alias}.id = ANY(?) AND {listing.where}",
        [ids, *listing.params],
    )
    return {row["id"]: row for row in rows}
