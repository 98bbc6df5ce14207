"""Carrying events from the worker that committed a write to every worker's hub.

`MemoryBus` serves one process (REDIS_URL unset); `live.redis_bus.RedisBus`
carries events between processes and hosts over Redis pub/sub.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from live.events import Event


class Receiver(Protocol):
    def receive(self, events: Sequence[Event]) -> None:
        """Take events in (quickly: no I/O, no waiting); a RESYNC event asks for `resync`."""

    def resync(self) -> None:
        """Events may have been missed: re-read the state of everything watched."""


class Bus(Protocol):
    def publish(self, events: Sequence[Event]) -> None:
        """Deliver committed events to every receiver, here and in other processes."""

    def attach(self, receiver: Receiver) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class MemoryBus:
    """Events of this process only, delivered at once."""

    def __init__(self) -> None:
        self.receivers: list[Receiver] = []

    def publish(self, events: Sequence[Event]) -> None:
        for receiver in self.receivers:
            receiver.receive(events)

    def attach(self, receiver: Receiver) -> None:
        self.receivers.append(receiver)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
