"""Real servers for transport tests: uvicorn in this process, a graphql-transport-ws client
speaking the protocol message by message, and a reader of Server-Sent Events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.servers import free_port

GRAPHQL_TRANSPORT_WS = Subprotocol("graphql-transport-ws")
RECEIVE_SECONDS = 10.0


@asynccontextmanager
async def serving_live(app: Starlette) -> AsyncIterator[str]:
    """`serving(app)` with its live data running (the bus and the hub: subscriptions)."""
    live = app.state.live
    await live.start()
    try:
        async with serving(app) as address:
            yield address
    finally:
        await live.stop()


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """`app` under a real uvicorn on a loopback port, in this event loop (so it shares the
    test's database and monkeypatches); yields `host:port`."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="error")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


class GraphQLWebSocketClient:
    """One graphql-transport-ws connection, read and written one message at a time."""

    def __init__(self, socket_: ClientConnection) -> None:
        self.socket = socket_

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(orjson.dumps(message).decode())

    async def receive(self) -> dict[str, Any]:
        async with asyncio.timeout(RECEIVE_SECONDS):
            message: dict[str, Any] = orjson.loads(await self.socket.recv())
        return message

    async def init(self, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        await self.send({"type": "connection_init", **({"payload": payload} if payload else {})})
        return await self.receive()

    async def execute(
        self,
        query: str | None,
        variables: dict[str, Any] | None = None,
        identifier: str = "1",
        extensions: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Subscribe with one operation; every message for it up to `complete` or `error`."""
        payload: dict[str, Any] = {} if query is None else {"query": query}
        if variables is not None:
            payload["variables"] = variables
        if extensions is not None:
            payload["extensions"] = extensions
        await self.send({"id": identifier, "type": "subscribe", "payload": payload})
        messages = []
        while True:
            message = await self.receive()
            if message.get("id") != identifier:
                continue
            messages.append(message)
            if message["type"] in {"complete", "error"}:
                return messages


@asynccontextmanager
async def graphql_ws(
    address: str, payload: dict[str, Any] | None = None, *, init: bool = True
) -> AsyncIterator[GraphQLWebSocketClient]:
    """A graphql-transport-ws connection to `address`, acknowledged unless `init` is False."""
    async with connect(f"ws://{address}/graphql", subprotocols=[GRAPHQL_TRANSPORT_WS]) as socket_:
        client = GraphQLWebSocketClient(socket_)
        if init:
            assert await client.init(payload) == {"type": "connection_ack"}
        yield client


async def until(condition: Callable[[], bool], seconds: float = RECEIVE_SECONDS) -> None:
    """Wait until `condition()` holds (checked every 20 ms), or fail."""
    for _ in range(int(seconds * 50)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("it did not happen in time")


class ServerSentEvents:
    """The events of one `text/event-stream` response, read one at a time: `(event, data)`
    with the data parsed as JSON (None when empty), and comments as `(":", text)`."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.aiter_lines()

    async def receive(self, *, comments: bool = False) -> tuple[str, Any]:
        async with asyncio.timeout(RECEIVE_SECONDS):
            while True:
                event, data = await self.read()
                if comments or event != ":":
                    return event, data

    async def read(self) -> tuple[str, Any]:
        event, data = "", list[str]()
        async for line in self.lines:
            if line == "":
                if event or data:
                    text = "\n".join(data)
                    return event or "message", orjson.loads(text) if text else None
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "":
                return ":", value
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
        raise EOFError("the stream ended")

    async def until_complete(self) -> list[tuple[str, Any]]:
        """Every event up to and including `complete`."""
        events = []
        while True:
            events.append(await self.receive())
            if events[-1][0] == "complete":
                return events


@asynccontextmanager
async def event_stream(
    address: str,
    body: dict[str, Any] | None = None,
    *,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> AsyncIterator[ServerSentEvents]:
    """POST `body` (or GET with `params`) to /graphql asking for `text/event-stream`; the
    response (its status and headers checked by the caller) is `events.response`."""
    asked = {"accept": "text/event-stream", **(headers or {})}
    async with httpx.AsyncClient(base_url=f"http://{address}", timeout=RECEIVE_SECONDS) as http:
        method = "GET" if body is None else "POST"
        async with http.stream(
            method, "/graphql", json=body, params=params, headers=asked
        ) as response:
            yield ServerSentEvents(response)
