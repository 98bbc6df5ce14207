"""DataLoader factories shared by every area: rows by id, pages, counts.

Loaders live for one request (see `schema.loaders.Loaders`): never keep one in
a module global, or it caches across requests.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

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
    """Strawberry's DataLoader, with futures that a cancelled caller cannot cancel.

    One key's future is shared by everyone who asks for it. When a caller is
    cancelled (graphql-core cancels the siblings of a field that failed), asyncio
    cancels the future it was waiting on, and every other caller of that key would
    get the cancellation instead of the value. These futures refuse to be
    cancelled: the cancelled caller stops, the others get the value.
    """

    def __init__(self, load_fn: Any) -> None:
        loop: Any = _SharedFutures(asyncio.get_running_loop())
        super().__init__(load_fn=load_fn, loop=loop)


class SharedFuture(asyncio.Future[Any]):
    """A loader's future: cancelling it does nothing (its callers are cancelled alone)."""

    def cancel(self, msg: Any = None) -> bool:
        return False


class _SharedFutures:
    """The running loop, as a DataLoader sees it: its futures are `SharedFuture`s."""

    __slots__ = ("_loop",)

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def create_future(self) -> SharedFuture:
        return SharedFuture(loop=self._loop)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loop, name)


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
