"""Ending event streams when the server is told to stop.

uvicorn, on SIGTERM or SIGINT, stops accepting and then waits for every open
response before the lifespan ends (WebSockets it closes itself, with 1012). An
event stream of a subscription never ends by itself, so a worker would wait for
its clients forever: on those signals, `on_exit` runs first, then uvicorn's own
handler as before.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

EXIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def call_on_exit(on_exit: Callable[[], None]) -> None:
    """Call `on_exit` in the running loop when the process gets SIGTERM or SIGINT, before
    the handler that was there (uvicorn's). Nothing outside the main thread (no signals
    there)."""
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    for number in EXIT_SIGNALS:
        previous = signal.getsignal(number)

        def handler(received: int, frame: FrameType | None, previous: Any = previous) -> None:
            loop.call_soon_threadsafe(on_exit)
            if callable(previous):
                previous(received, frame)
            elif previous == signal.SIG_DFL:
                signal.default_int_handler(received, frame)

        signal.signal(number, handler)
