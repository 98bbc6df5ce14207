"""The subscribers of `make bench-live`: one process holding thousands of graphql-transport-ws
connections (the `websockets` library), each subscribed to `articleChanged` for a list of
articles, recording what arrived and when (`time.time()`, the clock the writer stamps its
views with).

The parent drives it over a pipe: `connect` (answered once every subscriber has its first
state), `final` (how many subscribers' last values equal the database's), `latencies`
(given the writes, every write's delay to every subscriber watching it), `stop`.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import resource
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

ARTICLE_CHANGED = (
    "subscription ArticleChanged($ids: [ID!]!) { articleChanged(ids: $ids) { id views } }"
)
CONNECTING_AT_ONCE = 50  # per process: uvicorn's accept backlog is 2048
CONNECT_SECONDS = 120.0

Write = tuple[int, int]  # (article id, views after it)


def article_id(global_id: str) -> int:
    return int(base64.b64decode(global_id + "=" * (-len(global_id) % 4)).split(b":")[1])


def global_id(article: int) -> str:
    return base64.b64encode(f"Article:{article}".encode()).decode().rstrip("=")


class Received:
    """What one subscriber received for one article: views and times, in arrays (which the
    garbage collector never walks: a client holding millions of receipts would otherwise
    pause for seconds, and its pauses would count as the server's latency)."""

    __slots__ = ("times", "views")

    def __init__(self) -> None:
        self.views = array("q")
        self.times = array("d")

    def __len__(self) -> int:
        return len(self.views)


@dataclass(slots=True)
class Subscriber:
    articles: tuple[int, ...]
    received: dict[int, Received] = field(default_factory=dict)
    first: asyncio.Event = field(default_factory=asyncio.Event)
    closed: str | None = None

    def last(self) -> dict[int, int]:
        return {article: got.views[-1] for article, got in self.received.items() if got}


async def subscribe(url: str, subscriber: Subscriber, gate: asyncio.Semaphore) -> None:
    try:
        socket_ = await opened(url, subscriber, gate)
    except (OSError, TimeoutError, ConnectionClosed) as error:
        subscriber.closed = f"{type(error).__name__}: {error}"
        subscriber.first.set()
        raise
    await receive(socket_, subscriber)


async def opened(url: str, subscriber: Subscriber, gate: asyncio.Semaphore) -> ClientConnection:
    async with gate:
        socket_ = await connect(
            url,
            subprotocols=[Subprotocol("graphql-transport-ws")],
            compression=None,
            ping_interval=None,  # the server pings; the library answers
            open_timeout=CONNECT_SECONDS,
        )
        await socket_.send('{"type":"connection_init"}')
        await socket_.recv()  # connection_ack
        variables = {"ids": [global_id(article) for article in subscriber.articles]}
        payload = {"query": ARTICLE_CHANGED, "variables": variables}
        subscribing = {"id": "1", "type": "subscribe", "payload": payload}
        await socket_.send(orjson.dumps(subscribing).decode())
    return socket_


async def receive(socket_: ClientConnection, subscriber: Subscriber) -> None:
    try:
        async for raw in socket_:
            now = time.time()
            message = orjson.loads(raw)
            if message.get("type") != "next":
                continue
            changed = message["payload"]["data"]["articleChanged"]
            got = subscriber.received.get(article_id(changed["id"]))
            if got is None:
                got = subscriber.received[article_id(changed["id"])] = Received()
            got.views.append(changed["views"])
            got.times.append(now)
            if len(subscriber.received) == len(subscriber.articles):
                subscriber.first.set()
    except ConnectionClosed as closed:
        subscriber.closed = str(closed)
    finally:
        subscriber.first.set()


def latencies(subscribers: Sequence[Subscriber], writes: dict[Write, float]) -> list[float]:
    """For every write and every subscriber watching its article: from the moment the write
    was sent to the first receipt of a state that includes it (the same or more views)."""
    by_article: dict[int, list[tuple[int, float]]] = {}
    for (article, views), sent in writes.items():
        by_article.setdefault(article, []).append((views, sent))
    for listed in by_article.values():
        listed.sort()
    delays = []
    for subscriber in subscribers:
        for article in subscriber.articles:
            got = subscriber.received.get(article) or Received()
            position = 0
            for views, sent in by_article.get(article, ()):
                while position < len(got) and got.views[position] < views:
                    position += 1
                if position == len(got):
                    break  # never received: counted by `final`
                delays.append(got.times[position] - sent)
    return delays


def raise_file_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def serve(pipe: Connection, url: str, watched: list[tuple[int, ...]]) -> None:
    loop = asyncio.get_running_loop()
    subscribers = [Subscriber(articles) for articles in watched]
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    started = time.perf_counter()
    tasks = [asyncio.create_task(subscribe(url, s, gate)) for s in subscribers]
    connecting = asyncio.gather(*(s.first.wait() for s in subscribers))
    await asyncio.wait_for(connecting, CONNECT_SECONDS)
    # Everything made so far lives as long as the run: out of the collector's way.
    gc.collect()
    gc.freeze()
    failed = sorted({s.closed for s in subscribers if s.closed is not None})
    subscribers = [s for s in subscribers if s.closed is None]
    pipe.send(("connected", time.perf_counter() - started, len(watched) - len(subscribers), failed))
    while True:
        command, argument = await loop.run_in_executor(None, pipe.recv)
        if command == "final":  # of those that connected (and are still connected)
            database: dict[int, int] = argument
            equal = sum(
                s.closed is None and all(s.last().get(a) == database[a] for a in s.articles)
                for s in subscribers
            )
            pipe.send(equal)
        elif command == "events":
            pipe.send(sum(sum(len(got) for got in s.received.values()) for s in subscribers))
        elif command == "latencies":
            pipe.send(latencies(subscribers, argument))
        elif command == "stop":
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            pipe.send("stopped")
            return


def main(pipe: Connection, url: str, watched: list[tuple[int, ...]]) -> None:
    """The client process's entry point (multiprocessing, spawned)."""
    raise_file_limit()
    try:
        import uvloop

        runner: Any = uvloop.run
    except ImportError:  # uvloop comes with uvicorn[standard]; plain asyncio works too
        runner = asyncio.run
    runner(serve(pipe, url, watched))
