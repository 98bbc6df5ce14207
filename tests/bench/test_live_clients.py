"""What `make bench-live`'s subscribers compute: each write's delay to each subscriber."""

from __future__ import annotations

from bench.live_clients import Received, Subscriber, article_id, global_id, latencies


def received(*pairs: tuple[int, float]) -> Received:
    got = Received()
    for views, at in pairs:
        got.views.append(views)
        got.times.append(at)
    return got


def test_ids_are_the_apis_global_ids() -> None:
    assert global_id(3) == "QXJ0aWNsZToz"
    assert article_id(global_id(12345)) == 12345


def test_a_write_is_received_with_the_first_state_that_includes_it() -> None:
    one = Subscriber((1, 2))
    one.received = {1: received((10, 0.0), (12, 5.0)), 2: received((7, 0.0), (8, 3.5))}
    other = Subscriber((1,))
    other.received = {1: received((10, 0.0), (11, 4.0), (12, 4.5))}
    writes = {(1, 11): 3.0, (1, 12): 3.25, (2, 8): 3.0}

    delays = sorted(latencies([one, other], writes))

    # one: views 11 and 12 came together at 5.0 (coalesced), 8 at 3.5; other: 11 at 4.0, 12 at 4.5
    assert delays == sorted([2.0, 1.75, 0.5, 1.0, 1.25])


def test_a_write_never_received_has_no_delay() -> None:
    late = Subscriber((1,))
    late.received = {1: received((10, 0.0))}

    assert latencies([late], {(1, 11): 1.0}) == []
    assert late.last() == {1: 10}
