"""What a committed write tells subscribers: what changed, and the ids it concerns.

An event carries ids only (no text, nothing private): subscribers read the
current state themselves, through the visibility rule. Writes emit events
while their transaction runs; the events are published only once it has
committed (`published_after`), so a write that rolled back publishes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class Change(StrEnum):
    VIEWED = "viewed"  # a view was counted
    REACTED = "reacted"  # a reaction given or taken back (comment_id set for a comment's)
    COMMENTED = "commented"  # a comment or reply added (comment_id set)
    COMMENT_CHANGED = "comment_changed"  # a comment edited or deleted
    ADDED = "added"  # an article posted
    EDITED = "edited"  # an article's title, subtitle, body or cover image changed
    PINNED = "pinned"
    UNPINNED = "unpinned"
    DELETED = "deleted"  # an article deleted
    GROUP_CHANGED = "group_changed"  # the group's privacy, name or memberships changed
    RESYNC = "resync"  # a worker may have missed events: re-read everything watched


@dataclass(frozen=True, slots=True)
class Event:
    change: Change
    group_id: int = 0
    article_id: int | None = None
    comment_id: int | None = None

    def encoded(self) -> list[Any]:
        return [self.change.value, self.group_id, self.article_id, self.comment_id]

    @classmethod
    def decoded(cls, raw: Sequence[Any]) -> Event:
        change, group_id, article_id, comment_id = raw
        return cls(Change(change), int(group_id), article_id, comment_id)


RESYNC = Event(Change.RESYNC)


class Publisher(Protocol):
    def publish(self, events: Sequence[Event]) -> None:
        """Hand committed events on; never blocks and never raises."""


_pending: ContextVar[list[tuple[Publisher, Event]] | None] = ContextVar(
    "groupql_pending_events", default=None
)


def emit(publisher: Publisher | None, *events: Event) -> None:
    """Publish `events`: at once outside a transaction, else once it commits."""
    if publisher is None:
        return
    pending = _pending.get()
    if pending is None:
        publisher.publish(events)
    else:
        pending.extend((publisher, event) for event in events)


@contextmanager
def published_after() -> Iterator[None]:
    """Hold the events emitted inside; publish them when the block ends without an exception.

    Wrap it around a transaction: an exception (a rollback) drops them. Nested,
    the outermost block publishes.
    """
    if _pending.get() is not None:
        yield
        return
    pending: list[tuple[Publisher, Event]] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    by_publisher: dict[int, tuple[Publisher, list[Event]]] = {}
    for publisher, event in pending:
        by_publisher.setdefault(id(publisher), (publisher, []))[1].append(event)
    for publisher, events in by_publisher.values():
        publisher.publish(events)
