from __future__ import annotations

import os
import sys
import time

import pytest

from bench import procfs

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_cpu_seconds_grow_while_a_process_works() -> None:
    before = procfs.cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.1
    while time.process_time() < deadline:
        pass

    after = procfs.cpu_seconds(os.getpid())

    assert before is not None
    assert after is not None
    assert after >= before + 0.05


def test_rss_of_this_process_is_read() -> None:
    rss = procfs.rss_megabytes(os.getpid())

    assert rss is not None
    assert 1 < rss < 10_000


def test_a_gone_process_has_nothing() -> None:
    gone = 2**22 + 1  # above Linux's largest pid

    assert procfs.cpu_seconds(gone) is None
    assert procfs.rss_megabytes(gone) is None
    assert procfs.command_name(gone) is None
    assert procfs.total_cpu_seconds([gone, os.getpid()]).keys() == {os.getpid()}


def test_waiting_seconds_reads_the_run_queue_of_every_thread() -> None:
    waited = procfs.waiting_seconds(os.getpid())

    assert isinstance(waited, float)
    assert waited >= 0
    assert procfs.waiting_seconds(2**22 + 1) == 0.0  # no such process
