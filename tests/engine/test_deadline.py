"""The deadline: the answer never waits past it (and a short grace), whatever the work does."""

from __future__ import annotations

import asyncio
import time

import pytest

from engine.deadline import ABANDONED, CANCEL_GRACE_SECONDS, within


async def test_work_done_in_time_gives_its_value_or_its_error() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    async def fail() -> None:
        raise ValueError("the work's own error")

    assert await within(1, answer()) == 42
    with pytest.raises(ValueError, match="the work's own error"):
        await within(1, fail())


async def test_work_past_the_deadline_is_cancelled_and_rolled_back_before_the_answer() -> None:
    steps: list[str] = []

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            steps.append("rolled back")
            raise

    with pytest.raises(TimeoutError):
        await within(0.1, slow())

    assert steps == ["rolled back"]
    assert not ABANDONED


async def test_work_that_finishes_within_the_grace_keeps_its_answer() -> None:
    """Work that completes despite the cancellation (a commit that was under way) answers
    with what it did, never with a timeout that would say nothing was kept."""

    async def committing() -> str:
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            await asyncio.sleep(0)  # the commit goes through
            return "committed"
        return "early"

    assert await within(0.01, committing()) == "committed"


async def test_work_that_cannot_be_stopped_in_time_is_left_to_end_by_itself() -> None:
    """As a query on a frozen database: its cancellation waits until the server answers."""
    server_answers = asyncio.Event()
    ended: list[str] = []

    async def stuck() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            await server_answers.wait()  # the cancellation itself hangs
            ended.append("ended")
            raise

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await within(0.1, stuck())
    elapsed = time.monotonic() - started
    still_running = len(ABANDONED)
    server_answers.set()
    for _ in range(100):
        if not ABANDONED:
            break
        await asyncio.sleep(0.01)

    assert 0.1 <= elapsed < 0.1 + CANCEL_GRACE_SECONDS + 0.2
    assert still_running == 1
    assert ended == ["ended"]
    assert not ABANDONED


async def test_a_cancelled_caller_cancels_the_work() -> None:
    cancelled = asyncio.Event()

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    caller = asyncio.create_task(within(10, slow()))
    await asyncio.sleep(0.05)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    await asyncio.wait_for(cancelled.wait(), 1)
