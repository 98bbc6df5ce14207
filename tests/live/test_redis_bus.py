"""Events between workers over Redis, and no final value lost when Redis goes away."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import redis
from tortoise.context import TortoiseContext

from live.events import Change, Event
from live.redis_bus import RedisBus
from models import Article
from settings import Settings
from tests import factories
from tests.factories import global_id
from tests.live.helpers import (
    ARTICLE_CHANGED,
    RECORD_VIEW,
    WAIT,
    context_for,
    next_data,
    running_live,
    subscribe,
    write,
)

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture
def shared_redis() -> str:
    """The local Redis (REDIS_URL): each test talks on a channel of its own."""
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must test live events over Redis: set REDIS_URL")
        pytest.skip("REDIS_URL is not set: Redis runs skipped")
    return REDIS_URL


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """A redis-server of this test's own, to stop and start again (never the shared one)."""

    def __init__(self, executable: str, directory: Path) -> None:
        self.executable = executable
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def throwaway_redis(tmp_path: Path) -> Iterator[RedisServer]:
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(executable, tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def bus_for(url: str, channel: str) -> RedisBus:
    return RedisBus(url, channel=channel, retry_most_seconds=0.2)


async def subscribed(*buses: RedisBus) -> None:
    await asyncio.wait_for(asyncio.gather(*(bus.subscribed.wait() for bus in buses)), WAIT)


async def test_a_view_recorded_on_one_worker_reaches_a_subscriber_on_the_other(
    db: TortoiseContext, settings: Settings, shared_redis: str
) -> None:
    fast = dataclasses.replace(settings, live_interval_ms=50)
    article = await factories.article(await factories.group(), await factories.member())
    gid = global_id(article)
    channel = f"groupql:test:{uuid.uuid4().hex}"
    one, two = bus_for(shared_redis, channel), bus_for(shared_redis, channel)
    async with (
        running_live(fast, one) as (writer, _, schema),
        running_live(fast, two) as (reader, _, _),
    ):
        await subscribed(one, two)
        stream = await subscribe(reader, context_for(fast), ARTICLE_CHANGED, {"ids": [gid]})
        assert (await next_data(stream))["articleChanged"]["views"] == 0
        await write(
            schema,
            context_for(fast, bus=writer.bus),
            RECORD_VIEW,
            {"input": {"articleId": gid, "viewerKey": "reader-on-worker-one"}},
        )
        assert (await next_data(stream))["articleChanged"]["views"] == 1


async def test_redis_stopped_mid_stream_loses_no_final_value(
    db: TortoiseContext,
    settings: Settings,
    throwaway_redis: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fast = dataclasses.replace(settings, live_interval_ms=50)
    article = await factories.article(await factories.group(), await factories.member())
    gid = global_id(article)
    url, channel = throwaway_redis.url, "groupql:live"
    one, two = bus_for(url, channel), bus_for(url, channel)
    async with (
        running_live(fast, one) as (writer, _, schema),
        running_live(fast, two) as (reader, _, _),
    ):
        await subscribed(one, two)
        stream = await subscribe(reader, context_for(fast), ARTICLE_CHANGED, {"ids": [gid]})
        assert (await next_data(stream))["articleChanged"]["views"] == 0

        async def view(key: str) -> None:
            await write(
                schema,
                context_for(fast, bus=writer.bus),
                RECORD_VIEW,
                {"input": {"articleId": gid, "viewerKey": key}},
            )

        await view("before")
        assert (await next_data(stream))["articleChanged"]["views"] == 1
        throwaway_redis.stop()
        with caplog.at_level(logging.WARNING, logger="groupql.live"):
            for n in range(5):  # while Redis is away: published nowhere
                await view(f"during-{n}")
                await asyncio.sleep(0.05)
            throwaway_redis.start()
            await subscribed(one, two)
            views = 1
            while views != 6:
                views = (await next_data(stream))["articleChanged"]["views"]
    assert (await Article.get(id=article.id)).views == 6
    failures = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    # once per outage for each connection, not once per event or per retry
    assert sorted(message.split(" failed")[0] for message in failures) == [
        "live events: Redis listening",
        "live events: Redis listening",
        "live events: Redis publishing",
    ]


async def test_events_that_overflow_the_buffer_become_a_resync(shared_redis: str) -> None:
    channel = f"groupql:test:{uuid.uuid4().hex}"
    unreachable = RedisBus("redis://127.0.0.1:9/0", channel=channel, buffer=3)
    listener = bus_for(shared_redis, channel)

    class Receiver:
        def __init__(self) -> None:
            self.received: list[Event] = []
            self.resyncs = 0

        def receive(self, events: Sequence[Event]) -> None:
            self.received.extend(events)

        def resync(self) -> None:
            self.resyncs += 1

    receiver = Receiver()
    listener.attach(receiver)
    await listener.start()
    try:
        await subscribed(listener)
        receiver.resyncs = 0
        for article in range(5):  # nothing can send them: the oldest are dropped
            unreachable.publish([Event(Change.VIEWED, 1, article)])
        assert [event.article_id for event in unreachable.outbox] == [2, 3, 4]
        assert unreachable.overflowed
        unreachable.url = shared_redis  # Redis is back
        await unreachable.start()
        deadline = asyncio.get_running_loop().time() + WAIT
        while not any(event.change is Change.RESYNC for event in receiver.received):
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.02)
        kept = [event.article_id for event in receiver.received if event.change is Change.VIEWED]
        assert kept == [2, 3, 4]
    finally:
        await unreachable.stop()
        await listener.stop()


COMMENT_ADDED = """
subscription CommentAdded($articleId: ID!) { commentAdded(articleId: $articleId) { body } }
"""
ADD_COMMENT = """
mutation AddComment($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }
"""


async def test_comments_added_while_redis_was_away_are_delivered_once_each(
    db: TortoiseContext, settings: Settings, throwaway_redis: RedisServer
) -> None:
    fast = dataclasses.replace(settings, live_interval_ms=50)
    sam = await factories.member()
    group = await factories.group()
    await factories.join(group, sam)
    article = await factories.article(group, sam)
    await factories.comment(article, sam, "Before subscribing")
    one, two = (
        bus_for(throwaway_redis.url, "groupql:live"),
        bus_for(throwaway_redis.url, "groupql:live"),
    )
    async with (
        running_live(fast, one) as (writer, _, schema),
        running_live(fast, two) as (reader, _, _),
    ):
        await subscribed(one, two)
        stream = await subscribe(
            reader, context_for(fast), COMMENT_ADDED, {"articleId": global_id(article)}
        )

        async def comment(body: str) -> None:
            await write(
                schema,
                context_for(fast, sam, bus=writer.bus),
                ADD_COMMENT,
                {"input": {"articleId": global_id(article), "body": body}},
            )

        await comment("First")
        assert (await next_data(stream))["commentAdded"]["body"] == "First"
        throwaway_redis.stop()
        await comment("Second")
        await comment("Third")
        one.outbox.clear()  # as if worker one went down before it could send them
        throwaway_redis.start()
        bodies = [(await next_data(stream))["commentAdded"]["body"] for _ in range(2)]
        assert bodies == ["Second", "Third"]
        await comment("Fourth")
        assert (await next_data(stream))["commentAdded"]["body"] == "Fourth"  # no doubles before
