"""Values still to come: resolvers' coroutines, driven without a task each.

A coroutine is stepped on the spot, in a context of its own as a task would run
it: most finish at once (a loader's value already there). One that waits is
kept with the future it waits on; the execution's own task waits for the first
of those futures to finish, then steps on every coroutine whose future is done
(a loader's batch completes them together), until nothing waits.

asyncio's protocol for this: a future marks itself "blocking" when it is
awaited, and whoever drives the coroutine clears the mark; while it is set,
anything else awaiting that future fails ("await wasn't used with future"), so
it is cleared as soon as the coroutine yields.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Coroutine
from contextvars import Context, copy_context
from typing import TYPE_CHECKING, Any

from engine.positions import DEPTH, Position

if TYPE_CHECKING:
    from engine.executor import PlannedExecution
    from engine.plan import Completion, FieldPlan

SYNC_TYPES = frozenset({str, int, bool, float, type(None), list, dict, tuple})
_awaitable_types: dict[type, bool] = {}


def is_awaitable(value: Any) -> bool:
    kind = type(value)
    if kind in SYNC_TYPES:
        return False
    if kind is types.CoroutineType:
        return True
    known = _awaitable_types.get(kind)
    if known is None:
        known = _awaitable_types[kind] = hasattr(kind, "__await__")
    return known


class Waiting:
    """A value still to come, and where it goes once it does."""

    __slots__ = (
        "completion",
        "container",
        "context",
        "coroutine",
        "key",
        "ordinal",
        "parent",
        "plan",
        "waits_on",
    )

    def __init__(
        self,
        coroutine: Coroutine[Any, Any, Any] | None,
        context: Context | None,
        waits_on: asyncio.Future[Any] | None,
        plan: FieldPlan,
        completion: Completion,
        container: Any,
        key: str | int,
        parent: Position,
        ordinal: int,
    ) -> None:
        self.coroutine = coroutine  # None: a plain future a resolver returned
        self.context = context
        self.waits_on = waits_on  # None: a bare `yield` (asyncio.sleep(0)), go on next round
        self.plan = plan
        self.completion = completion
        self.container = container
        self.key = key
        self.parent = parent
        self.ordinal = ordinal


class Waits:
    """What one execution waits for."""

    def __init__(self, execution: PlannedExecution) -> None:
        self.execution = execution
        self.entries: list[Waiting] = []

    def __bool__(self) -> bool:
        return bool(self.entries)

    def add(
        self,
        awaitable: Any,
        plan: FieldPlan,
        completion: Completion,
        container: Any,
        key: str | int,
        parent: Position,
        ordinal: int,
    ) -> None:
        container[key] = None  # keeps the key's place in the object
        if type(awaitable) is types.CoroutineType:
            entry = Waiting(
                awaitable, copy_context(), None, plan, completion, container, key, parent, ordinal
            )
            self.step(entry)
        else:
            future = asyncio.ensure_future(awaitable)
            self.entries.append(
                Waiting(None, None, future, plan, completion, container, key, parent, ordinal)
            )

    async def settle(self) -> None:
        """Wait until something waited for is done, and go on with what waited on it."""
        try:
            if any(entry.waits_on is None for entry in self.entries):
                await asyncio.sleep(0)
            else:
                futures = {entry.waits_on for entry in self.entries if entry.waits_on}
                await asyncio.wait(futures, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            self.abandon()
            raise
        entries, self.entries = self.entries, []
        for entry in entries:
            future = entry.waits_on
            if future is not None and not future.done():
                self.entries.append(entry)
            elif entry.coroutine is None:
                assert future is not None
                self.resolved(entry, future)
            else:
                self.step(entry)

    def step(self, entry: Waiting) -> None:
        """Go on with a coroutine until it waits again (kept) or finishes (completed)."""
        coroutine, context = entry.coroutine, entry.context
        assert coroutine is not None
        assert context is not None
        try:
            yielded = context.run(coroutine.send, None)
        except StopIteration as done:
            self.execution.arrived(entry, done.value)
            return
        except Exception as error:  # noqa: BLE001 - a field error, reported
            self.execution.failed(entry, error)
            return
        except asyncio.CancelledError as cancelled:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # this operation is being cancelled (its deadline)
            self.execution.failed(entry, cancelled)  # something it awaited was cancelled
            return
        if yielded is None:
            entry.waits_on = None
        elif isinstance(yielded, asyncio.Future):
            yielded._asyncio_future_blocking = False
            entry.waits_on = yielded
        else:
            coroutine.close()
            problem = RuntimeError(f"a resolver awaited {yielded!r}, not an asyncio future")
            self.execution.failed(entry, problem)
            return
        self.entries.append(entry)

    def resolved(self, entry: Waiting, future: asyncio.Future[Any]) -> None:
        if future.cancelled():
            self.execution.failed(entry, asyncio.CancelledError())
            return
        error = future.exception()
        if isinstance(error, Exception):
            self.execution.failed(entry, error)
        elif error is not None:
            raise error
        else:
            self.execution.arrived(entry, future.result())

    def abandon(self) -> None:
        """The operation is cancelled (its deadline): close what still waits."""
        for entry in self.entries:
            if entry.coroutine is not None:
                entry.coroutine.close()
            elif entry.waits_on is not None:
                entry.waits_on.cancel()
        self.entries = []


def depth_below(entry: Waiting) -> int:
    """The depth of a waited value: one more awaited resolver than its parent's."""
    return int(entry.parent[DEPTH]) + 1
