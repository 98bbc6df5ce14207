"""Relay connections paged by keyset: `first`/`after` forwards, `last`/`before` backwards.

A cursor names the order it was made for, the sort key of its row and the
row's id. Pages continue from the cursor with `(sort_key, id) > (?, ?)` (or
`<`), never with OFFSET, so deep pages cost what the first page costs and rows
added meanwhile do not shift what comes next.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated, Any, Generic, TypeVar

import orjson
import strawberry

from models.sql import Row, timestamp
from schema.core.errors import UserInputError

TOTAL = "list_total"  # the column a first page's rows carry their list's length in
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_RANKING_KEY_LENGTH = 100

NodeT = TypeVar("NodeT")
SortKey = datetime | int

First = Annotated[
    int | None,
    strawberry.argument(
        description=(
            f"Return the first n items after `after` (0 to {MAX_PAGE_SIZE}). "
            f"When neither `first` nor `last` is given, the first {DEFAULT_PAGE_SIZE}."
        )
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="Return items after this cursor (an `endCursor` or edge cursor)."
    ),
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description=f"Return the last n items before `before` (0 to {MAX_PAGE_SIZE})."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(
        description="Return items before this cursor (a `startCursor` or edge cursor)."
    ),
]


@strawberry.type(description="Where a page sits in its list, and the cursors to move on from it.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="True when more items follow this page (paging forwards with `first`)."
    )
    has_previous_page: bool = strawberry.field(
        description=(
            "True when items come before this page. Paging forwards, true whenever `after` "
            "was given; paging backwards with `last`, true when more items precede this page."
        )
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the first item of the page; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last item of the page; null when the page is empty."
    )


@strawberry.type(description="An item in a page, with the cursor that points at it.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Pass to `after` or `before` to page from here.")
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, paged by cursor.")
class Connection(Generic[NodeT]):
    nodes: list[NodeT] = strawberry.field(description="The items of the page, without cursors.")
    # Cursors are encoded only when asked for: most pages are read as `nodes`.
    page: strawberry.Private[Page]
    rows: strawberry.Private[Sequence[Row]]
    more: strawberry.Private[bool]
    count: strawberry.Private[Callable[[], Awaitable[int] | int]]

    @strawberry.field(description="The items of the page with their cursors.")
    def edges(self) -> list[Edge[NodeT]]:
        return [
            Edge(cursor=self._cursor(row), node=item)
            for row, item in zip(self.rows, self.nodes, strict=True)
        ]

    @strawberry.field(description="How to reach the pages around this one.")
    def page_info(self) -> PageInfo:
        given = self.page.cursor is not None
        return PageInfo(
            has_next_page=given if self.page.backward else self.more,
            has_previous_page=self.more if self.page.backward else given,
            start_cursor=self._cursor(self.rows[0]) if self.rows else None,
            end_cursor=self._cursor(self.rows[-1]) if self.rows else None,
        )

    @strawberry.field(
        description="How many items the whole list holds, across all pages.", graphql_type=int
    )
    def total_count(self) -> Awaitable[int] | int:
        return self.count()

    def _cursor(self, row: Row) -> str:
        order = self.page.order
        if order.ranked:
            return encode_cursor(order, row["ranking_key"], row["ranking_position"])
        return encode_cursor(order, order.key_of(row), row["id"])


Score = Callable[[Row, datetime], float]


@dataclass(frozen=True, slots=True)
class Order:
    """One way to sort a list.

    A keyset order sorts by `column`, ties broken by id. A ranked order sorts by
    `score` (from the row's `score_columns`, higher first, ties by id), a score
    that moves while people read; its lists are frozen when their first page is
    read (see `schema.core.ranking`), so that paging on stays stable.
    """

    name: str
    column: str
    descending: bool
    score: Score | None = None
    score_columns: tuple[str, ...] = ()
    numeric: bool = False  # the column holds integers (else timestamps)

    @property
    def ranked(self) -> bool:
        return self.score is not None

    def key_of(self, row: Row) -> SortKey:
        value = row[self.column]
        return value if isinstance(value, int) else timestamp(value)


@dataclass(frozen=True, slots=True)
class Page:
    """A validated page request; hashable so DataLoaders can batch by it."""

    order: Order
    size: int
    backward: bool
    # (sort key, id) for a keyset order; (ranking key, position) for a ranked one
    cursor: tuple[SortKey | str, int] | None

    @property
    def descending(self) -> bool:
        """The direction to read rows in: the order's, reversed when paging backwards."""
        return self.order.descending != self.backward


def page_of(
    order: Order,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Page:
    """Check the paging arguments; a bad one raises an error that names it.

    Arguments left out arrive as `strawberry.UNSET` and count as not given, like null.
    """
    first, after, last, before = (_given(v) for v in (first, after, last, before))
    if first is not None and last is not None:
        raise UserInputError("Pass `first` or `last`, not both.", argument="last")
    if after is not None and before is not None:
        raise UserInputError("Pass `after` or `before`, not both.", argument="before")
    if first is not None and before is not None:
        raise UserInputError("`before` pages backwards: use it with `last`.", argument="before")
    if last is not None and after is not None:
        raise UserInputError("`after` pages forwards: use it with `first`.", argument="after")
    backward = last is not None or before is not None
    size = _size("last", last) if backward else _size("first", first)
    cursor = before if backward else after
    argument = "before" if backward else "after"
    return Page(
        order=order,
        size=size,
        backward=backward,
        cursor=None if cursor is None else decode_cursor(order, cursor, argument),
    )


def _given(value: Any) -> Any:
    return None if value is strawberry.UNSET else value


def _size(argument: str, value: int | None) -> int:
    if value is None:
        return DEFAULT_PAGE_SIZE
    if not 0 <= value <= MAX_PAGE_SIZE:
        raise UserInputError(
            f"`{argument}` must be between 0 and {MAX_PAGE_SIZE}, got {value}.", argument=argument
        )
    return value


def encode_cursor(order: Order, key: SortKey | str, pk: int) -> str:
    value: Any = key.isoformat() if isinstance(key, datetime) else key
    raw = orjson.dumps([order.name, value, pk])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(order: Order, cursor: str, argument: str) -> tuple[SortKey | str, int]:
    invalid = UserInputError(
        f"`{argument}` is not a cursor of this list in order {order.name}: pass a cursor "
        "from this connection's `pageInfo` or `edges`, unchanged.",
        argument=argument,
    )
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, value, pk = orjson.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise invalid from None
    if name != order.name or type(pk) is not int or not 0 <= pk < 2**31:
        raise invalid
    if order.ranked:  # a ranking's key and a position in it
        if not isinstance(value, str) or len(value) > MAX_RANKING_KEY_LENGTH:
            raise invalid
        return value, pk
    if pk == 0:
        raise invalid
    if order.numeric:
        if type(value) is int and -(2**31) <= value < 2**31:
            return value, pk
        raise invalid
    if isinstance(value, str):
        try:
            return timestamp(value), pk
        except ValueError:
            raise invalid from None
    raise invalid


def connection(
    rows: Sequence[Row],
    page: Page,
    node: Callable[[Row], NodeT],
    count: Callable[[], Awaitable[int] | int],
) -> Connection[NodeT]:
    """Build a page from up to `page.size + 1` rows read in `page.descending` direction.

    A first page's rows carry the list's whole length (`TOTAL`, see `schema.core.keyset`):
    then `count` is not needed."""
    if page.cursor is None and not page.order.ranked:
        total = int(rows[0][TOTAL]) if rows else 0
        count = partial(int, total)
    more = len(rows) > page.size
    rows = rows[: page.size]
    if page.backward:
        rows = rows[::-1]
    return Connection(
        nodes=[node(row) for row in rows], page=page, rows=rows, more=more, count=count
    )


async def _none() -> int:
    return 0


def empty_connection(page: Page) -> Connection[Any]:
    """A list with nothing in it, as a connection: what a list the viewer may not read shows."""
    return Connection(nodes=[], page=page, rows=[], more=False, count=_none)
