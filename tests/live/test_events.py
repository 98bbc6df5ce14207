"""Events: ids only, and published only after the block around the transaction ends well."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from live.events import Change, Event, emit, published_after


class Recorder:
    def __init__(self) -> None:
        self.published: list[list[Event]] = []

    def publish(self, events: Sequence[Event]) -> None:
        self.published.append(list(events))


VIEWED = Event(Change.VIEWED, group_id=1, article_id=2)
COMMENTED = Event(Change.COMMENTED, group_id=1, article_id=2, comment_id=3)


def test_an_event_outside_a_transaction_is_published_at_once() -> None:
    bus = Recorder()
    emit(bus, VIEWED)
    assert bus.published == [[VIEWED]]


def test_events_inside_are_published_together_when_the_block_ends() -> None:
    bus = Recorder()
    with published_after():
        emit(bus, VIEWED)
        emit(bus, COMMENTED)
        assert bus.published == []
    assert bus.published == [[VIEWED, COMMENTED]]


def test_an_exception_drops_the_events() -> None:
    bus = Recorder()

    def rolled_back() -> None:
        with published_after():
            emit(bus, VIEWED)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        rolled_back()
    assert bus.published == []
    emit(bus, COMMENTED)  # the next write is not held back
    assert bus.published == [[COMMENTED]]


def test_nested_blocks_publish_when_the_outermost_ends() -> None:
    bus = Recorder()
    with published_after():
        with published_after():
            emit(bus, VIEWED)
        assert bus.published == []
    assert bus.published == [[VIEWED]]


def test_no_bus_no_events() -> None:
    emit(None, VIEWED)  # writes outside a server (commands, tests) publish nothing


def test_events_travel_as_ids_only() -> None:
    assert COMMENTED.encoded() == ["commented", 1, 2, 3]
    assert Event.decoded(COMMENTED.encoded()) == COMMENTED
    assert Event.decoded(Event(Change.GROUP_CHANGED, 7).encoded()) == Event(Change.GROUP_CHANGED, 7)
