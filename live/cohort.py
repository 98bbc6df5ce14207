"""Subscribers that share one operation, variables and visibility: executed once per event.

A cohort's answer is the same for each of its subscribers, so it is computed
once, by the first of them in rank (anonymous first), and put in every
subscriber's mailbox. Before every execution each subscriber's access is
checked again: one who lost sight of what they watch gets the NOT_FOUND error
an unknown id gets, and no more events for it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Hashable, Iterable

from graphql import ExecutionResult, GraphQLError

from live.batch import Batch
from live.events import Change, Event
from live.execution import Engine, Operation
from live.feed import LiveFeed, StreamFeed, Watch
from live.subscriber import Subscriber
from schema.context import Context

ARTICLE_CHANGES = frozenset(
    {
        Change.VIEWED,
        Change.REACTED,
        Change.COMMENTED,
        Change.COMMENT_CHANGED,
        Change.EDITED,
        Change.PINNED,
        Change.UNPINNED,
        Change.DELETED,
    }
)


def failed(error: GraphQLError) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[error])


class Cohort:
    def __init__(self, key: Hashable, operation: Operation, watch: Watch, engine: Engine) -> None:
        self.key = key
        self.operation = operation
        self.watch = watch
        self.engine = engine
        self.subscribers: dict[int, Subscriber] = {}

    def add(self, subscriber: Subscriber) -> None:
        self.subscribers[id(subscriber)] = subscriber

    def discard(self, subscriber: Subscriber) -> None:
        self.subscribers.pop(id(subscriber), None)

    def active(self) -> list[Subscriber]:
        return [s for s in self.subscribers.values() if s.mailbox.open]

    def note(self, event: Event) -> bool:
        """Take an event in; True when the cohort has work for the next flush."""
        raise NotImplementedError

    def resync(self) -> bool:
        """Events may have been missed; True when the cohort has work for the next flush."""
        raise NotImplementedError

    def has_work(self) -> bool:
        """Whether something is left for the next flush (e.g. a key to read again)."""
        raise NotImplementedError

    async def flush(self, batch: Batch) -> None:
        raise NotImplementedError

    def context(self, batch: Batch) -> Context:
        """The fresh context the cohort executes with: its first subscriber's viewer."""
        return batch.context(min(self.active(), key=lambda s: s.rank))

    async def execute(self, context: Context, roots: Iterable[object]) -> list[ExecutionResult]:
        return list(
            await asyncio.gather(
                *(self.engine.execute(self.operation, context, root) for root in roots)
            )
        )


class LiveCohort(Cohort):
    """`articleChanged`: each article's latest state, coalesced per flush."""

    def __init__(
        self, key: Hashable, operation: Operation, watch: Watch, engine: Engine, feed: LiveFeed
    ) -> None:
        super().__init__(key, operation, watch, engine)
        self.feed = feed
        self.remaining = set(watch.articles)  # not deleted
        self.dirty: set[int] = set()
        self.last: dict[int, ExecutionResult] = {}
        self.reading: set[int] = set()  # keys a flush is reading now

    def join(self, subscriber: Subscriber) -> bool:
        """Add a subscriber and give it the current state known; True when some must be read."""
        self.add(subscriber)
        subscriber.remaining = set(self.remaining)
        for key in sorted(self.remaining):
            if key in self.last:
                subscriber.mailbox.put(self.last[key], key)
        # Keys read by a flush under way, or due to be, come with it; only others need one.
        unread = self.remaining - self.last.keys() - self.reading - self.dirty
        self.dirty |= unread
        return bool(unread)

    def note(self, event: Event) -> bool:
        if event.change is Change.GROUP_CHANGED:
            touched = {a for a in self.remaining if self.watch.articles[a] == event.group_id}
        elif event.change in ARTICLE_CHANGES and event.article_id in self.remaining:
            touched = {event.article_id}
        else:
            return False
        self.dirty |= touched
        return bool(touched)

    def resync(self) -> bool:
        self.dirty |= self.remaining
        return bool(self.remaining)

    def has_work(self) -> bool:
        return bool(self.dirty & self.remaining)

    async def flush(self, batch: Batch) -> None:
        for subscriber in self.active():
            for key in sorted(subscriber.remaining):
                if not batch.reads(subscriber, self.watch.articles[key]):
                    self.lose(subscriber, key)
        keys = sorted(self.dirty & self.remaining)
        self.dirty.clear()
        if not keys or not self.active():
            return
        self.reading = set(keys)
        try:
            context = self.context(batch)
            roots = await self.feed.current(context, keys)
            found = [(key, root) for key, root in zip(keys, roots, strict=True) if root is not None]
            missing = [key for key, root in zip(keys, roots, strict=True) if root is None]
            exists = await context.loaders.article_exists.load_many(missing)
            results = await self.execute(context, [root for _, root in found])
        except BaseException:
            self.dirty.update(keys)
            raise
        finally:
            self.reading = set()
        for key, still in zip(missing, exists, strict=True):
            if still:  # out of sight only since the batch read memberships: read it again
                self.dirty.add(key)
            else:
                self.remaining.discard(key)
                for subscriber in self.active():
                    self.lose(subscriber, key)
        for (key, _), result in zip(found, results, strict=True):
            self.last[key] = result
            for subscriber in self.active():
                if key in subscriber.remaining:
                    subscriber.mailbox.put(result, key)

    def lose(self, subscriber: Subscriber, key: int) -> None:
        if key in subscriber.remaining:
            subscriber.remaining.discard(key)
            subscriber.mailbox.put(failed(self.feed.gone(key)), key)
            if not subscriber.remaining:
                subscriber.mailbox.finish()


class StreamCohort(Cohort):
    """`commentAdded`, `groupActivity`: every event, in order, while in sight."""

    def __init__(
        self, key: Hashable, operation: Operation, watch: Watch, engine: Engine, feed: StreamFeed
    ) -> None:
        super().__init__(key, operation, watch, engine)
        self.feed = feed
        self.pending: list[Event] = []
        self.check = False  # whether what is watched may be gone
        self.catch_up = False
        self.position = watch.position
        self.delivered: deque[int] = deque(maxlen=1000)  # positions, against doubles

    def note(self, event: Event) -> bool:
        if self.feed.accepts(self.watch, event):
            self.pending.append(event)
            return True
        if event.change is Change.GROUP_CHANGED or self.feed.ends(self.watch, event):
            self.check = True
            return True
        return False

    def resync(self) -> bool:
        self.check = self.catch_up = True
        return True

    def has_work(self) -> bool:
        return bool(self.pending) or self.check or self.catch_up

    async def flush(self, batch: Batch) -> None:
        for subscriber in self.active():
            if not all(batch.reads(subscriber, group) for group in self.watch.groups):
                subscriber.mailbox.finish(failed(self.feed.gone(self.watch)))
        events, self.pending = self.pending, []
        check, catch_up = self.check, self.catch_up
        self.check = self.catch_up = False
        if not self.active():
            return
        try:
            context = self.context(batch)
            if (check or catch_up) and not await self.feed.exists(context, self.watch):
                for subscriber in self.active():
                    subscriber.mailbox.finish(failed(self.feed.gone(self.watch)))
                return
            if catch_up:
                events = await self.feed.missed(context, self.watch, self.position) + events
            events = self.unseen(events)
            roots = await asyncio.gather(*(self.feed.root(context, event) for event in events))
            kept = [(e, root) for e, root in zip(events, roots, strict=True) if root is not None]
            results = await self.execute(context, [root for _, root in kept])
        except BaseException:
            self.pending[:0] = events
            self.check, self.catch_up = self.check or check, self.catch_up or catch_up
            raise
        for (event, _), result in zip(kept, results, strict=True):
            position = self.feed.position(event)
            if position is not None:
                self.position = max(self.position, position)
                self.delivered.append(position)
            for subscriber in self.active():
                subscriber.mailbox.put(result)

    def unseen(self, events: list[Event]) -> list[Event]:
        seen = set(self.delivered)
        kept = []
        for event in events:
            position = self.feed.position(event)
            if position is None or position not in seen:
                kept.append(event)
                if position is not None:
                    seen.add(position)
        return kept
