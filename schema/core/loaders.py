"""DataLoader factories shared by every area: rows by id, pages, counts.

Loaders live for one request (see `schema.loaders.Loaders`): never keep one in
a module global, or it caches across requests.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TypeVar

from strawberry.dataloader import DataLoader

from models.sql import Row
from schema.core import keyset, ranking
from schema.core.keyset import Listing
from schema.core.pagination import Page

K = TypeVar("K")
T = TypeVar("T")
PageKey = tuple[int, Page]
Clock = Callable[[], datetime]


class Loader(DataLoader[K, T]):
    """Strawberry's DataLoader, handing each caller its own future of a key's value.

    One key's future is shared by everyone who asks for it; when a caller is
    cancelled (graphql-core cancels the siblings of a field that failed), asyncio
    cancels the future it waited on, and every other caller of that key would get
    the cancellation instead of the value. Shielded, only the cancelled caller's
    own future is cancelled.
    """

    def load(self, key: K) -> Awaitable[T]:
        future = super().load(key)
        return future if future.done() else asyncio.shield(future)  # type: ignore[attr-defined]


def in_key_order(
    keys: Sequence[int], rows: Sequence[Row], make: Callable[[Row], T]
) -> list[T | None]:
    found = {row["id"]: make(row) for row in rows}
    return [found.get(key) for key in keys]


def page_loader(listing: Listing, clock: Clock) -> DataLoader[PageKey, list[Row]]:
    """Pages of `listing` keyed by (parent id, page): one statement per distinct page
    (a few for the first page of a ranked order, see `schema.core.ranking`)."""

    async def load(keys: list[PageKey]) -> list[list[Row]]:
        parents_by_page: dict[Page, list[int]] = defaultdict(list)
        for parent, page in keys:
            parents_by_page[page].append(parent)
        found: dict[PageKey, list[Row]] = {}
        for page, parents in parents_by_page.items():
            if page.order.ranked:
                rows_by_parent = await ranking.pages(listing, page, parents, clock())
            else:
                rows_by_parent = await keyset.pages(listing, page, parents)
            for parent in parents:
                found[parent, page] = rows_by_parent.get(parent, [])
        return [found[key] for key in keys]

    return Loader(load_fn=load)


def count_loader(listing: Listing) -> DataLoader[int, int]:
    """How many rows of `listing` each parent has, in one statement."""

    async def load(parents: list[int]) -> list[int]:
        found = await keyset.counts(listing, parents)
        return [found.get(parent, 0) for parent in parents]

    return Loader(load_fn=load)
