"""GraphQL over WebSocket: the graphql-transport-ws protocol (the `graphql-ws` library's,
spoken by Apollo Client's GraphQLWsLink and urql's subscriptionExchange).

https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md

- Only `graphql-transport-ws` is spoken. The legacy `graphql-ws` subprotocol
  (subscriptions-transport-ws, unmaintained since 2021) is refused at the
  handshake, like any other subprotocol, and so is a browser page from another
  origin that is not in CORS_ORIGINS (cross-site WebSocket hijacking); a page
  of this server's own origin (the app at `/`, GraphiQL) is let in.
- `connection_init` may carry `{"Authorization": "Bearer <token>"}`: the whole
  connection runs as that member; an invalid token closes it with 4403.
- Every `subscribe` runs through the engine, with fresh loaders, the same
  deadline, limits, budgets and log line as over HTTP. An answer that executed
  (data, with or without field errors) is a `next` then a `complete`; a refusal
  (parse, validation, a limit, a budget, variables, the deadline, the database)
  is an `error` carrying the same errors, with the same `extensions.code`, as
  the HTTP answer would.
- A subscription is checked by the engine the same way, then its results come
  from the hub (`live.hub`): one `next` per result, `complete` when it ends. A
  subscriber too far behind gets an `error` (SUBSCRIBER_TOO_SLOW) and the socket
  closes with 1013 (try again later: graphql-ws clients reconnect, and start from
  the current state).
- Limits: LIVE_MAX_CONNECTIONS_PER_ADDRESS sockets and event streams per client
  address (more are closed at once with 1013), LIVE_MAX_MESSAGES_PER_SECOND messages a second per
  socket (more close it with 4429), LIVE_MAX_SUBSCRIPTIONS subscriptions per socket
  (more answer TOO_MANY_SUBSCRIPTIONS). The server pings every
  `PING_SECONDS`; a client may ping too.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any
from urllib.parse import urlsplit

import orjson
from graphql import OperationType
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from engine import Answer, Engine, Operation
from engine.deadline import within
from engine.persisted import hash_of, query_of
from live.hub import Hub
from live.mailbox import SubscriberTooSlow
from live.subscriber import Stream
from schema.account.authentication import Unauthenticated, Viewer, authenticate
from settings import Settings
from web.addresses import ConnectionsPerAddress
from web.subscribing import subscribe

SUBPROTOCOL = "graphql-transport-ws"
ALL_OPERATIONS = frozenset(OperationType)
INIT_TIMEOUT_SECONDS = 3.0
PING_SECONDS = 20.0
TRY_AGAIN_LATER = 1013


class Close(Exception):  # noqa: N818 - a protocol outcome, not a failure of ours
    """Close the socket with this code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class GraphQLWebSocket:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        hub: Hub,
        addresses: ConnectionsPerAddress | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.hub = hub
        self.addresses = addresses or ConnectionsPerAddress(
            settings.live_max_connections_per_address
        )

    def allowed(self, websocket: WebSocket) -> bool:
        """No Origin (not a browser), this server's own origin (same host and port), or one
        of CORS_ORIGINS."""
        origin = websocket.headers.get("origin")
        if origin is None or origin in self.settings.cors_origins:
            return True
        return urlsplit(origin).netloc == websocket.headers.get("host")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        websocket = WebSocket(scope, receive, send)
        offered = scope.get("subprotocols") or []
        if not self.allowed(websocket) or SUBPROTOCOL not in offered:
            await websocket.close()  # before accepting: the handshake answers 403
            return
        await websocket.accept(subprotocol=SUBPROTOCOL)
        address = websocket.client.host if websocket.client else "unknown"
        if not self.addresses.enter(address):
            await websocket.close(TRY_AGAIN_LATER, "Too many connections from this address")
            return
        connection = Connection(self.engine, self.hub, websocket)
        try:
            await connection.serve()
        except Close as close:
            await connection.close(close.code, close.reason)
        except WebSocketDisconnect:
            pass
        finally:
            self.addresses.leave(address)
            await connection.stop()


class Connection:
    """One socket: its viewer, once acknowledged, and its running operations by id."""

    def __init__(self, engine: Engine, hub: Hub, websocket: WebSocket) -> None:
        self.engine = engine
        self.hub = hub
        self.websocket = websocket
        self.viewer: Viewer | None = None
        self.acknowledged = False
        self.initialising = False
        self.running: dict[str, asyncio.Task[None]] = {}
        self.budget = MessageBudget(engine.settings.live_max_messages_per_second)
        self.pinger: asyncio.Task[None] | None = None
        self.closing: asyncio.Future[Close] = asyncio.get_running_loop().create_future()

    async def serve(self) -> None:
        try:
            async with asyncio.timeout(INIT_TIMEOUT_SECONDS):
                await self.handle(await self.receive())
        except TimeoutError:
            raise Close(4408, "Connection initialisation timeout") from None
        self.pinger = asyncio.create_task(self.ping())
        while True:
            receiving = asyncio.ensure_future(self.receive())
            waiting: set[asyncio.Future[Any]] = {receiving, self.closing}
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if self.closing.done():
                receiving.cancel()
                raise self.closing.result()
            await self.handle(receiving.result())

    async def ping(self) -> None:
        while True:
            await asyncio.sleep(PING_SECONDS)
            await self.send({"type": "ping"})

    async def receive(self) -> dict[str, Any]:
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        if not self.budget.spend():
            self.engine.metrics.rate_limited.labels("messages").inc()
            raise Close(4429, "Too many messages")
        text = message.get("text")
        if text is None:
            raise Close(4400, "Messages must be JSON text")
        try:
            parsed = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise Close(4400, "Invalid message received") from None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("type"), str):
            raise Close(4400, "Invalid message received")
        return parsed

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "connection_init":
            await self.initialise(message.get("payload"))
        elif kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "pong":
            pass
        elif kind == "subscribe":
            self.subscribe(message)
        elif kind == "complete":
            task = self.running.pop(str(message.get("id")), None)
            if task is not None:
                task.cancel()
        else:
            raise Close(4400, f"Unexpected message of type {kind}")

    async def initialise(self, payload: Any) -> None:
        if self.initialising or self.acknowledged:
            raise Close(4429, "Too many initialisation requests")
        self.initialising = True
        if payload is not None and not isinstance(payload, dict):
            raise Close(4400, "The connection_init payload must be an object")
        authorization = authorization_of(payload or {})
        if authorization is not None:
            try:
                self.viewer = await within(
                    self.engine.settings.request_timeout_seconds,
                    authenticate(authorization, self.engine.clock()),
                )
            except Unauthenticated:
                raise Close(4403, "Forbidden") from None
            except Exception as error:
                # The token could not be checked (database down, deadline): try again later.
                raise Close(1013, "Try again later") from error
        self.acknowledged = True
        await self.send({"type": "connection_ack"})

    def subscribe(self, message: dict[str, Any]) -> None:
        if not self.acknowledged:
            raise Close(4401, "Unauthorized")
        identifier = message.get("id")
        payload = message.get("payload")
        if not isinstance(identifier, str) or not identifier or not isinstance(payload, dict):
            raise Close(4400, "Invalid message received")
        if identifier in self.running:
            raise Close(4409, f"Subscriber for {identifier} already exists")
        operation = operation_of(payload)
        if operation is None:
            raise Close(4400, "Invalid message received")
        self.running[identifier] = asyncio.create_task(self.start(identifier, operation))

    async def start(self, identifier: str, operation: Operation) -> None:
        """The document (its persisted hash resolved), then a subscription or one answer."""
        resolved = await self.engine.document_of(operation, self.websocket, transport="ws")
        if isinstance(resolved, Answer):
            await self.refuse(identifier, resolved)
        elif self.engine.operation_type(resolved) is OperationType.SUBSCRIPTION:
            await self.stream(identifier, resolved)
        else:
            await self.execute(identifier, resolved)

    async def stream(self, identifier: str, operation: Operation) -> None:
        """A subscription: checked by the engine, its results from the hub."""
        answer = await subscribe(
            self.engine, self.hub, self.websocket, id(self), operation, transport="ws",
            viewer=self.viewer,
        )  # fmt: skip
        if isinstance(answer, Answer):
            await self.refuse(identifier, answer)
            return
        await self.forward(identifier, answer)

    async def refuse(self, identifier: str, answer: Answer) -> None:
        """An operation refused before it ran: its `error`, and it is over."""
        await self.finish(identifier, {"id": identifier, "type": "error", "payload": answer.errors})

    async def finish(self, identifier: str, *messages: dict[str, Any]) -> None:
        """An operation's last messages: then it is over."""
        try:
            for message in messages:
                await self.send(message)
        except (WebSocketDisconnect, RuntimeError):
            pass  # the socket went away meanwhile
        finally:
            if self.running.get(identifier) is asyncio.current_task():
                del self.running[identifier]  # not a newer operation that took the id

    async def forward(self, identifier: str, stream: Stream) -> None:
        try:
            async for result in stream:
                await self.send({"id": identifier, "type": "next", "payload": result.formatted})
            await self.send({"id": identifier, "type": "complete"})
        except SubscriberTooSlow as slow:
            await self.send({"id": identifier, "type": "error", "payload": [slow.error.formatted]})
            if not self.closing.done():
                self.closing.set_result(Close(slow.close_code, slow.close_reason))
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            await stream.aclose()
            if self.running.get(identifier) is asyncio.current_task():
                del self.running[identifier]  # not a newer operation that took the id

    async def execute(self, identifier: str, operation: Operation) -> None:
        """A query or a mutation: one `next` and `complete`, or its `error`. (Cancelled, by
        `complete` or the socket closing, its entry in `running` is gone already.)"""
        answer = await self.engine.run(
            operation, self.websocket, allowed=ALL_OPERATIONS, viewer=self.viewer, transport="ws"
        )
        if not answer.executed:
            await self.refuse(identifier, answer)
            return
        await self.finish(
            identifier,
            {"id": identifier, "type": "next", "payload": answer.body()},
            {"id": identifier, "type": "complete"},
        )

    async def send(self, message: dict[str, Any]) -> None:
        if self.websocket.application_state is WebSocketState.CONNECTED:
            await self.websocket.send_text(orjson.dumps(message).decode())

    async def close(self, code: int, reason: str) -> None:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            if self.websocket.application_state is WebSocketState.CONNECTED:
                await self.websocket.close(code, reason)

    async def stop(self) -> None:
        if self.pinger is not None:
            self.pinger.cancel()
        for task in list(self.running.values()):
            task.cancel()
        for task in list(self.running.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.running.clear()
        await self.hub.disconnect(id(self))


class MessageBudget:
    """At most `per_second` messages a second, in bursts of as many."""

    def __init__(self, per_second: int) -> None:
        self.per_second = per_second
        self.tokens = float(per_second)
        self.at = time.monotonic()

    def spend(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.per_second, self.tokens + (now - self.at) * self.per_second)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def authorization_of(payload: dict[str, Any]) -> str | None:
    for name, value in payload.items():
        if isinstance(name, str) and name.lower() == "authorization" and isinstance(value, str):
            return value
    return None


def operation_of(payload: dict[str, Any]) -> Operation | None:
    """The operation of a `subscribe` payload, None when it is malformed; its query may be
    left out when `extensions.persistedQuery` names it."""
    try:
        persisted_hash = hash_of(payload.get("extensions"))
    except ValueError:
        return None
    query = query_of(payload.get("query"), persisted_hash)
    variables = payload.get("variables")
    operation_name = payload.get("operationName")
    if not isinstance(query, str):
        return None
    if variables is not None and not isinstance(variables, dict):
        return None
    if operation_name is not None and not isinstance(operation_name, str):
        return None
    return Operation(query, variables, operation_name, persisted_hash)
