"""What a subscription field tells the hub: what a subscriber watches, and what to execute.

Two kinds: a `LiveFeed` is a live query (each watched article's latest state,
coalesced), a `StreamFeed` an event stream (every event, in order). The feeds
are written next to their fields (`schema/<area>/subscriptions.py`), with the
area's loaders; `live.hub` runs them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from graphql import GraphQLError

from live.events import Event
from schema.context import Context


@dataclass(frozen=True, slots=True)
class Watch:
    """What one subscription watches: articles (each with its group), and groups."""

    articles: Mapping[int, int] = field(default_factory=dict)  # article id -> group id
    groups: frozenset[int] = frozenset()
    position: int = 0  # a stream's place when it was subscribed (e.g. the last comment id)


class LiveFeed(Protocol):
    """The current state of each watched article, first at once, then after each change."""

    async def watch(self, context: Context, arguments: Mapping[str, Any]) -> Watch:
        """Check the arguments and what the viewer may see; raise the GraphQL error to answer."""

    async def current(self, context: Context, keys: Sequence[int]) -> list[object | None]:
        """The root objects now, in key order; None for one `context` cannot read."""

    def gone(self, key: int) -> GraphQLError:
        """The error for a key deleted or out of sight: the same as for an unknown id."""


class StreamFeed(Protocol):
    """Events delivered one by one, in order, while what is watched stays in sight."""

    async def watch(self, context: Context, arguments: Mapping[str, Any]) -> Watch: ...

    def accepts(self, watch: Watch, event: Event) -> bool:
        """Whether the event is one to deliver."""

    def ends(self, watch: Watch, event: Event) -> bool:
        """Whether the event may have removed what is watched (check it exists again)."""

    async def exists(self, context: Context, watch: Watch) -> bool:
        """Whether what is watched still exists (visibility is checked by the hub)."""

    async def root(self, context: Context, event: Event) -> object | None:
        """The root object for an event; None to skip it (gone since)."""

    async def missed(self, context: Context, watch: Watch, after: int) -> list[Event]:
        """Events after `after` that may have been missed (Redis away), oldest first."""

    def position(self, event: Event) -> int | None:
        """An event's place in the stream, for `missed`; None when it has none."""

    def gone(self, watch: Watch) -> GraphQLError: ...
