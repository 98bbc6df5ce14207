"""A subscriber's pending results: coalesced for live queries, bounded for streams."""

from __future__ import annotations

import pytest
from graphql import ExecutionResult

from live.mailbox import SLOW_CLOSE_CODE, Mailbox, SubscriberTooSlow


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def result(views: int) -> ExecutionResult:
    return ExecutionResult(data={"articleChanged": {"views": views}})


def views_of(taken: ExecutionResult) -> int:
    assert taken.data is not None
    views: int = taken.data["articleChanged"]["views"]
    return views


async def test_a_live_query_keeps_only_the_latest_state_of_each_article() -> None:
    mailbox = Mailbox(coalesced=True, size=2, max_lag=30, clock=Clock())
    for views in range(1, 1001):
        mailbox.put(result(views), key=1)
    mailbox.put(result(7), key=2)
    assert len(mailbox.pending) == 2
    assert views_of(await mailbox.take()) == 1000
    assert views_of(await mailbox.take()) == 7


async def test_a_stream_keeps_every_event_in_order_up_to_its_size() -> None:
    mailbox = Mailbox(coalesced=False, size=3, max_lag=30, clock=Clock())
    for views in (1, 2, 3):
        mailbox.put(result(views))
    assert [views_of(await mailbox.take()) for _ in range(3)] == [1, 2, 3]


async def test_a_stream_that_overflows_is_cut_off_with_a_code() -> None:
    mailbox = Mailbox(coalesced=False, size=3, max_lag=30, clock=Clock())
    for views in range(4):
        mailbox.put(result(views))
    with pytest.raises(SubscriberTooSlow) as slow:
        await mailbox.take()
    assert slow.value.error.extensions == {"code": "SUBSCRIBER_TOO_SLOW"}
    assert slow.value.close_code == SLOW_CLOSE_CODE == 1013
    assert not mailbox.open
    mailbox.put(result(9))  # nothing more is kept
    assert not mailbox.pending


async def test_a_live_query_left_untaken_too_long_is_cut_off() -> None:
    clock = Clock()
    mailbox = Mailbox(coalesced=True, size=3, max_lag=30, clock=clock)
    mailbox.put(result(1), key=1)
    clock.now = 29
    mailbox.put(result(2), key=1)
    assert mailbox.open
    clock.now = 31
    mailbox.put(result(3), key=1)
    with pytest.raises(SubscriberTooSlow, match="30 s"):
        await mailbox.take()


async def test_taking_keeps_a_subscriber_in_time() -> None:
    clock = Clock()
    mailbox = Mailbox(coalesced=True, size=3, max_lag=30, clock=clock)
    for second in range(0, 300, 20):
        clock.now = second
        mailbox.put(result(second), key=1)
        assert views_of(await mailbox.take()) == second
    assert mailbox.open


async def test_the_end_comes_after_what_is_pending_and_the_last_word() -> None:
    mailbox = Mailbox(coalesced=True, size=3, max_lag=30, clock=Clock())
    mailbox.put(result(1), key=1)
    mailbox.finish(result(2))
    assert views_of(await mailbox.take()) == 1
    assert views_of(await mailbox.take()) == 2
    with pytest.raises(StopAsyncIteration):
        await mailbox.take()
