"""Events between processes and hosts over Redis pub/sub (REDIS_URL set).

Each worker publishes its committed events on one channel and delivers them to
its own hub at once; it ignores its own messages coming back. Redis pub/sub
keeps nothing for a subscriber that is away, so:

- when the listening connection drops, the worker re-subscribes (backing off
  while Redis is away) and then asks its hub to re-read everything watched:
  no final value is lost, whatever was missed meanwhile;
- when publishing fails, events wait in a bounded buffer and go out once Redis
  is back; if the buffer overflowed, a RESYNC event goes with them, and every
  worker re-reads what it watches.

Failures are logged once when an outage starts and once when it ends, never
per event. Redis's own silent reconnects are off, so that no outage goes
unnoticed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import Sequence
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from live.bus import Receiver
from live.events import RESYNC, Event

logger = logging.getLogger("groupql.live")

CHANNEL = "groupql:live"
BATCH = 500  # events per PUBLISH


class Backoff:
    """Waits that double from `first` up to `most` seconds; back to `first` on success."""

    def __init__(self, first: float = 0.05, most: float = 5.0) -> None:
        self.first, self.most = first, most
        self.wait = first

    def next(self) -> float:
        wait, self.wait = self.wait, min(self.wait * 2, self.most)
        return wait

    def reset(self) -> None:
        self.wait = self.first


class RedisBus:
    def __init__(
        self,
        url: str,
        *,
        channel: str = CHANNEL,
        buffer: int = 10_000,
        retry_most_seconds: float = 5.0,
    ) -> None:
        self.url = url
        self.channel = channel
        self.buffer = buffer
        self.retry_most_seconds = retry_most_seconds
        self.origin = uuid.uuid4().hex  # tells this worker's own messages apart
        self.receivers: list[Receiver] = []
        self.outbox: deque[Event] = deque()
        self.overflowed = False
        self.wake = asyncio.Event()
        self.healthy = {"publishing": True, "listening": True}
        self.subscribed = asyncio.Event()  # set while the listener is subscribed
        self.tasks: list[asyncio.Task[None]] = []

    def attach(self, receiver: Receiver) -> None:
        self.receivers.append(receiver)

    def publish(self, events: Sequence[Event]) -> None:
        if not events:
            return
        self._deliver(events)
        self.outbox.extend(events)
        self._trim()
        self.wake.set()

    async def start(self) -> None:
        self.tasks = [
            asyncio.create_task(self._publishing(), name="live-redis-publish"),
            asyncio.create_task(self._listening(), name="live-redis-listen"),
        ]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks = []

    def _deliver(self, events: Sequence[Event]) -> None:
        for receiver in self.receivers:
            receiver.receive(events)

    def _trim(self) -> None:
        while len(self.outbox) > self.buffer:
            self.outbox.popleft()
            self.overflowed = True

    def _client(self) -> Any:
        return Redis.from_url(
            self.url,
            socket_timeout=5.0,
            socket_connect_timeout=2.0,
            health_check_interval=10,
            retry=Retry(NoBackoff(), 0),
        )

    async def _publishing(self) -> None:
        redis = self._client()
        backoff = Backoff(most=self.retry_most_seconds)
        try:
            while True:
                await self.wake.wait()
                self.wake.clear()
                while self.outbox or self.overflowed:
                    batch = [self.outbox.popleft() for _ in range(min(BATCH, len(self.outbox)))]
                    resync = self.overflowed
                    self.overflowed = False
                    encoded = [e.encoded() for e in batch] + ([RESYNC.encoded()] if resync else [])
                    message = {"o": self.origin, "e": encoded}
                    try:
                        await redis.publish(self.channel, orjson.dumps(message))
                    except Exception as error:  # noqa: BLE001 - any failure: keep the events, retry
                        self.outbox.extendleft(reversed(batch))
                        self.overflowed = self.overflowed or resync
                        self._trim()
                        self._down("publishing", error)
                        await asyncio.sleep(backoff.next())
                        continue
                    backoff.reset()
                    self._up("publishing")
        finally:
            await redis.aclose()

    async def _listening(self) -> None:
        backoff = Backoff(most=self.retry_most_seconds)
        while True:
            redis = self._client()
            pubsub = redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self.subscribed.set()
                self._up("listening")
                backoff.reset()
                # Whatever was published while this worker was not subscribed is lost:
                # its hub re-reads the state of everything watched instead.
                for receiver in self.receivers:
                    receiver.resync()
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._received(message["data"])
            except Exception as error:  # noqa: BLE001 - any failure: reconnect with backoff
                self._down("listening", error)
            finally:
                self.subscribed.clear()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await redis.aclose()
            await asyncio.sleep(backoff.next())

    def _received(self, data: bytes) -> None:
        try:
            message = orjson.loads(data)
            if message["o"] == self.origin:
                return
            events = [Event.decoded(raw) for raw in message["e"]]
        except (ValueError, KeyError, TypeError):
            logger.debug("live events: ignored a malformed message on %s", self.channel)
            return
        self._deliver(events)

    def _down(self, role: str, error: BaseException) -> None:
        if self.healthy[role]:
            self.healthy[role] = False
            logger.warning(
                "live events: Redis %s failed (%s: %s); retrying with backoff",
                role,
                type(error).__name__,
                error,
            )

    def _up(self, role: str) -> None:
        if not self.healthy[role]:
            self.healthy[role] = True
            logger.warning("live events: Redis %s works again", role)
