"""One deadline per operation, that the answer never waits past, whatever the database does.

`asyncio.timeout` cancels the work at the deadline and then waits for the
cancellation to finish. On a database that hangs (frozen, or gone without closing
the connection) that wait has no end: asyncpg gives a connection back to its pool
only once the server has answered the cancel request, and a signed-in request
answered after 20 s, past a deadline of 10 (issue 8). Here the work runs in a task
of its own: at the deadline it is cancelled and waited for at most
`CANCEL_GRACE_SECONDS`, enough on a database that answers to roll back what the
request started before it is answered; past that the answer goes out and the task
ends in the background when the database lets it (kept in `ABANDONED` meanwhile,
its outcome nobody's error).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

CANCEL_GRACE_SECONDS = 0.25
ABANDONED: set[asyncio.Task[Any]] = set()

T = TypeVar("T")


async def within(seconds: float, work: Coroutine[Any, Any, T]) -> T:
    """`work`'s result, or TimeoutError once `seconds` have passed (the work cancelled)."""
    task = asyncio.create_task(work)
    try:
        await asyncio.wait({task}, timeout=seconds)
    except asyncio.CancelledError:  # the caller is cancelled (the client went): so is the work
        task.cancel()
        abandon(task)
        raise
    if task.cancel():
        await asyncio.wait({task}, timeout=CANCEL_GRACE_SECONDS)
        if task.done() and not task.cancelled() and task.exception() is None:
            return task.result()  # it finished after all (say, a commit): its answer stands
        abandon(task)
        raise TimeoutError(f"past the {seconds:g} s deadline")
    return task.result()  # done before the deadline: its value, or its exception


def abandon(task: asyncio.Task[Any]) -> None:
    """Let a cancelled task end by itself, however long the database takes. Cancelled once
    only: a second cancellation would interrupt its cleanup (a connection's release)."""
    if not task.done():
        ABANDONED.add(task)
    task.add_done_callback(_forget)


def _forget(task: asyncio.Task[Any]) -> None:
    ABANDONED.discard(task)
    if not task.cancelled():
        task.exception()  # seen: an abandoned task's failure is no one's to report
