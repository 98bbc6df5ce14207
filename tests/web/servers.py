"""Real servers for transport tests: uvicorn in this process, and a graphql-transport-ws
client speaking the protocol message by message."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.servers import free_port

GRAPHQL_TRANSPORT_WS = Subprotocol("graphql-transport-ws")
RECEIVE_SECONDS = 10.0


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
        query: str,
        variables: dict[str, Any] | None = None,
        identifier: str = "1",
    ) -> list[dict[str, Any]]:
        """Subscribe with one operation; every message for it up to `complete` or `error`."""
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
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
