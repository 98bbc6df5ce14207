"""What one subscriber has not taken yet, with bounded memory.

A live query keeps only the latest result per watched article (a subscriber
that cannot keep up skips to the newest state); an event stream keeps at most
`size` results. A subscriber that still falls behind (a stream's queue full,
or a result left untaken for `max_lag` seconds) is cut off: its iterator
raises `SubscriberTooSlow`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import OrderedDict
from collections.abc import Callable, Hashable

from graphql import ExecutionResult, GraphQLError

from schema.core.errors import ErrorCode

# graphql-ws clients retry after 1013 (Try Again Later) and then subscribe afresh,
# which starts from the current state; 4429 is fatal to them.
SLOW_CLOSE_CODE = 1013
SLOW_CLOSE_REASON = "Subscriber too slow"


class SubscriberTooSlow(Exception):  # noqa: N818 - named after the error code it carries
    """The subscriber fell too far behind; `error` is what to send before closing."""

    close_code = SLOW_CLOSE_CODE
    close_reason = SLOW_CLOSE_REASON

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.error = GraphQLError(message, extensions={"code": ErrorCode.SUBSCRIBER_TOO_SLOW.value})


class Mailbox:
    def __init__(
        self,
        *,
        coalesced: bool,
        size: int,
        max_lag: float,
        clock: Callable[[], float],
    ) -> None:
        self.coalesced = coalesced
        self.size = size
        self.max_lag = max_lag
        self.clock = clock
        self.pending: OrderedDict[Hashable, ExecutionResult] = OrderedDict()
        self.waiting_since: float | None = None  # when the oldest untaken result came
        self.last: ExecutionResult | None = None  # sent after everything pending, then the end
        self.finished = False
        self.failure: SubscriberTooSlow | None = None
        self.ready = asyncio.Event()
        self.numbers = itertools.count()

    @property
    def open(self) -> bool:
        return not self.finished and self.failure is None

    def put(self, result: ExecutionResult, key: Hashable | None = None) -> None:
        """Add a result; for a live query, `key` (the article) replaces its older result."""
        if not self.open:
            return
        now = self.clock()
        if self.waiting_since is not None and now - self.waiting_since > self.max_lag:
            self.fail(f"No result was taken for {self.max_lag:g} s.")
            return
        if self.coalesced and key is not None:
            self.pending[key] = result  # an older one, if any, keeps its place in line
        else:
            if len(self.pending) >= self.size:
                self.fail(f"More than {self.size} events waited to be sent.")
                return
            self.pending[next(self.numbers)] = result
        if self.waiting_since is None:
            self.waiting_since = now
        self.ready.set()

    def finish(self, last: ExecutionResult | None = None) -> None:
        """End after what is pending, and `last` (e.g. an error saying why)."""
        if self.open:
            self.last = last
            self.finished = True
            self.ready.set()

    def fail(self, message: str) -> None:
        if self.open:
            self.pending.clear()
            self.failure = SubscriberTooSlow(message)
            self.ready.set()

    async def take(self) -> ExecutionResult:
        """The next result; StopAsyncIteration at the end; SubscriberTooSlow when cut off."""
        while True:
            if self.failure is not None:
                raise self.failure
            if self.pending:
                _, result = self.pending.popitem(last=False)
                self.waiting_since = self.clock() if self.pending else None
                return result
            if self.finished:
                if self.last is not None:
                    result, self.last = self.last, None
                    return result
                raise StopAsyncIteration
            self.ready.clear()
            await self.ready.wait()
