"""GraphQL over Server-Sent Events: the "distinct connections" mode of the graphql-sse
protocol (https://github.com/enisdenjo/graphql-sse/blob/master/PROTOCOL.md), for clients
behind proxies that drop WebSockets.

- `web.graphql` hands over a GET or POST to /graphql whose Accept prefers
  `text/event-stream`, once it has read and checked the request as for HTTP (body size,
  JSON, query, variables). POST runs queries, mutations and subscriptions; GET (an
  EventSource) queries and subscriptions.
- The answer is always `200 text/event-stream`: each result an `event: next` whose data is
  the ExecutionResult as JSON, then `event: complete` with an empty `data:` line. A query or
  a mutation is one `next`; a subscription one `next` per result of the hub until it ends.
- Every refusal (the request, parse, validation, a limit, a budget, the token, the
  deadline, too many connections) is one `next` with the errors, carrying the same
  `extensions.code` as over HTTP, then `complete`: the protocol's rule, since another status
  makes an EventSource fail without saying why.
- The Authorization header is checked inside the deadline, as over HTTP; the CORS rules are
  HTTP's (the same middleware answers preflights and marks responses).
- A comment every `KEEP_ALIVE_SECONDS` keeps proxies from closing an idle stream; the client
  closing the connection ends the subscription. Each open subscription counts against
  LIVE_MAX_CONNECTIONS_PER_ADDRESS with the WebSockets.
- When the server stops (`stop()`, on SIGTERM), every stream ends at once without
  `complete`: graphql-sse clients take that for a network error and reconnect (to another
  worker), as graphql-ws clients do after uvicorn's 1012.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection, Coroutine, Mapping
from typing import Any

import orjson
from graphql import OperationType
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from engine import Answer, Engine, Operation
from engine.answers import refused
from live.hub import Hub
from live.mailbox import SubscriberTooSlow
from live.subscriber import Stream
from schema.core.errors import ErrorCode
from web.addresses import ConnectionsPerAddress
from web.subscribing import subscribe

EVENT_STREAM = "text/event-stream"
KEEP_ALIVE_SECONDS = 15.0
KEEP_ALIVE = b":\n\n"
COMPLETE = b"event: complete\ndata:\n\n"
HEADERS = {
    "cache-control": "no-cache",
    "x-accel-buffering": "no",  # nginx: send each event at once
}


def next_event(result: Mapping[str, object]) -> bytes:
    return b"event: next\ndata: " + orjson.dumps(result) + b"\n\n"


def answered(answer: Answer) -> Response:
    """An answer that is whole at once (a query, a mutation, a refusal): `next`, `complete`."""
    return Response(
        next_event(answer.body()) + COMPLETE,
        media_type=EVENT_STREAM,
        headers=HEADERS,
    )


class GraphQLEvents:
    """Operations answered as event streams."""

    def __init__(self, engine: Engine, hub: Hub, addresses: ConnectionsPerAddress) -> None:
        self.engine = engine
        self.hub = hub
        self.addresses = addresses
        self.stopping = asyncio.Event()

    def stop(self) -> None:
        """End every open stream (the server is stopping), and any that opens after."""
        self.stopping.set()

    async def respond(
        self, request: Request, operation: Operation, allowed: Collection[OperationType]
    ) -> Response | EventStream:
        authorization = request.headers.get("authorization")
        if self.engine.operation_type(operation) is OperationType.SUBSCRIPTION and (
            OperationType.SUBSCRIPTION in allowed
        ):
            return EventStream(self, request, operation, authorization)
        answer = await self.engine.run(
            operation,
            request,
            allowed=[kind for kind in allowed if kind is not OperationType.SUBSCRIPTION],
            authorization=authorization,
            transport="sse",
        )
        return answered(answer)


class EventStream:
    """One subscription's stream: the ASGI response that lasts as long as it does."""

    def __init__(
        self,
        events: GraphQLEvents,
        request: Request,
        operation: Operation,
        authorization: str | None,
    ) -> None:
        self.events = events
        self.request = request
        self.operation = operation
        self.authorization = authorization
        self.send: Send | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        address = self.request.client.host if self.request.client else "unknown"
        addresses = self.events.addresses
        if not addresses.enter(address):
            answer = refused(
                429,
                ErrorCode.TOO_MANY_CONNECTIONS,
                f"At most {addresses.limit} live connections may be open from one address.",
            )
            await answered(answer)(scope, receive, send)
            return
        gone = asyncio.ensure_future(first_of(disconnected(receive), self.events.stopping.wait()))
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"text/event-stream; charset=utf-8"),
                        *((name.encode(), value.encode()) for name, value in HEADERS.items()),
                    ],
                }
            )
            self.send = send
            await self.write(KEEP_ALIVE)  # the headers reach the client at once
            await self.serve(gone)
            if not gone.done():  # the subscription ended: else the client left, or we stop
                await self.write(COMPLETE)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            pass  # the client went while we wrote
        finally:
            gone.cancel()
            await self.events.hub.disconnect(id(self))
            addresses.leave(address)

    async def serve(self, gone: asyncio.Future[None]) -> None:
        """Every `next` of the subscription, until it ends or the client goes."""
        events = self.events
        starting = asyncio.ensure_future(
            subscribe(
                events.engine,
                events.hub,
                self.request,
                id(self),
                self.operation,
                transport="sse",
                authorization=self.authorization,
            )
        )
        if not await self.until(starting, gone):
            return
        outcome = starting.result()
        if isinstance(outcome, Answer):
            await self.write(next_event(outcome.body()))
            return
        await self.forward(outcome, gone)

    async def forward(self, stream: Stream, gone: asyncio.Future[None]) -> None:
        try:
            while True:
                taking = asyncio.ensure_future(anext(stream))
                if not await self.until(taking, gone):
                    return
                try:
                    result = taking.result()
                except StopAsyncIteration:
                    return
                await self.write(next_event(result.formatted))
        except SubscriberTooSlow as slow:
            await self.write(next_event({"errors": [slow.error.formatted]}))
        finally:
            await stream.aclose()

    async def until(self, pending: asyncio.Future[Any], gone: asyncio.Future[None]) -> bool:
        """Wait for `pending`, with a comment every KEEP_ALIVE_SECONDS; False (and
        `pending` cancelled) when the client went first."""
        while not pending.done():
            await asyncio.wait(
                {pending, gone}, timeout=KEEP_ALIVE_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            if gone.done() and not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    outcome = await pending
                    if isinstance(outcome, Stream):
                        await outcome.aclose()
                return False
            if not pending.done():
                await self.write(KEEP_ALIVE)
        return True

    async def write(self, chunk: bytes) -> None:
        assert self.send is not None
        await self.send({"type": "http.response.body", "body": chunk, "more_body": True})


async def first_of(*waits: Coroutine[Any, Any, Any]) -> None:
    """Returns when the first of `waits` does (the others are cancelled)."""
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


async def disconnected(receive: Receive) -> None:
    """Returns when the client closes the connection (the request body was read already)."""
    while (await receive())["type"] != "http.disconnect":
        pass
