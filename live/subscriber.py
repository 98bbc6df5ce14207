"""One subscription as the hub keeps it, and the stream of results the transport reads."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from graphql import ExecutionResult

from live.mailbox import Mailbox, SubscriberTooSlow
from schema.context import Context


@dataclass(eq=False, slots=True)
class Subscriber:
    connection: Hashable
    context: Context  # the subscriber's own: viewer, request; its loaders are never used
    mailbox: Mailbox
    remaining: set[int] = field(default_factory=set)  # a live query's articles still watched

    @property
    def member_id(self) -> int | None:
        viewer = self.context.viewer
        return viewer.member_id if viewer is not None else None

    @property
    def rank(self) -> tuple[bool, int]:
        """Anonymous subscribers first, then by member id: who executes for a shared group."""
        return (self.member_id is not None, self.member_id or 0)


class Stream:
    """The results of one subscription: `async for result in stream` sends each as `next`;
    the end of the loop is `complete`. Call `aclose()` when the client stops it or goes
    (cancelling a wait for the next result does not end the subscription)."""

    def __init__(self, mailbox: Mailbox, on_close: Callable[[], None] = lambda: None) -> None:
        self.mailbox = mailbox
        self.on_close = on_close
        self.closed = False

    @classmethod
    def of(cls, result: ExecutionResult) -> Stream:
        """A stream of one result (a query or mutation sent as a subscription message)."""
        mailbox = Mailbox(coalesced=False, size=1, max_lag=float("inf"), clock=lambda: 0.0)
        mailbox.put(result)
        mailbox.finish()
        return cls(mailbox)

    def __aiter__(self) -> Stream:
        return self

    async def __anext__(self) -> ExecutionResult:
        try:
            return await self.mailbox.take()
        except (StopAsyncIteration, SubscriberTooSlow):
            await self.aclose()
            raise

    async def aclose(self) -> None:
        if not self.closed:
            self.closed = True
            self.mailbox.finish()
            self.on_close()
