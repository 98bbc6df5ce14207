"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/), and nothing else.

- POST with a JSON body runs queries and mutations; GET runs queries only (a
  mutation over GET is 405), so no state ever changes over GET. Form, text and
  multipart bodies are refused (415): a cross-site form cannot post here.
- A malformed request (bad JSON, a batch, no query, variables that are not an
  object) answers 400 whatever it accepts. The query may be left out for
  `extensions.persistedQuery` (`engine.persisted`), over GET too.
- The answer is `application/graphql-response+json` when the client accepts
  it, `application/json` otherwise. With the former, a request that could not
  be executed (parse or validation errors, variables of the wrong type, an
  unknown operationName, a limit) answers 400; with the latter, 200 as before
  the spec.
- Every refusal is a GraphQL error body with `extensions.code`; a request over
  a rate limit answers 429 with `Retry-After`; one that runs past the timeout,
  504, its transaction rolled back; any other failure, 500 with an `errorId`
  that is logged with its traceback.
- A client that prefers `text/event-stream` gets GraphQL over Server-Sent Events
  (`web.sse`): subscriptions too, every answer and refusal as events.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import OperationType
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message, Receive, Scope, Send

from engine import Answer, Engine, Operation
from engine.answers import refused
from engine.persisted import hash_of, query_of
from schema.core.errors import ErrorCode
from settings import Settings
from web import sse

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
QUERIES_ONLY = frozenset({OperationType.QUERY})
QUERIES_AND_MUTATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})
EVENT_STREAM = sse.EVENT_STREAM


@dataclass
class Refusal(Exception):  # noqa: N818 - an answer, not a failure of ours
    """A request answered before it reaches the engine: an HTTP status and one error."""

    status: int
    code: ErrorCode
    message: str
    headers: dict[str, str] = field(default_factory=dict)

    def answer(self) -> Answer:
        answer = refused(self.status, self.code, self.message)
        answer.headers.update(self.headers)
        return answer


class GraphQLEndpoint:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        graphiql: str | None,
        events: sse.GraphQLEvents | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.graphiql = graphiql
        self.events = events  # GraphQL over Server-Sent Events, when served

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        limit = self.settings.max_body_bytes
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise Refusal(413, ErrorCode.REQUEST_TOO_LARGE, too_large(limit))
            return message

        request = Request(scope, receive_within_limit)
        media_type = negotiated(request.headers.get("accept", ""))
        if media_type == EVENT_STREAM and self.events is None:
            media_type = JSON
        response: Response | sse.EventStream
        try:
            response = await self.handle(request, media_type)
        except Refusal as refusal:
            answer = refusal.answer()
            streamed = media_type == EVENT_STREAM
            transport = "sse" if streamed else "http"
            self.engine.log.record(transport, request, answer, started, signed_in=False)
            response = sse.answered(answer) if streamed else answered(answer, media_type)
        await response(scope, receive, send)

    async def handle(self, request: Request, media_type: str) -> Response | sse.EventStream:
        declared = request.headers.get("content-length", "0")
        if declared.isdigit() and int(declared) > self.settings.max_body_bytes:
            raise Refusal(413, ErrorCode.REQUEST_TOO_LARGE, too_large(self.settings.max_body_bytes))
        if request.method == "GET":
            if self.graphiql is not None and wants_html(request):
                return HTMLResponse(self.graphiql)
            params: dict[str, Any] = dict(request.query_params)
            if "variables" in params:
                params["variables"] = json_param(params["variables"], "variables")
            if "extensions" in params:
                params["extensions"] = json_param(params["extensions"], "extensions")
            allowed = QUERIES_ONLY
        elif request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != JSON:
                raise Refusal(
                    415,
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "Send the request as application/json (form, text and multipart bodies "
                    "are refused).",
                )
            try:
                params = orjson.loads(await request.body())
            except orjson.JSONDecodeError:
                raise Refusal(
                    400, ErrorCode.BAD_REQUEST, "The request body is not valid JSON."
                ) from None
            if isinstance(params, list):
                raise Refusal(
                    400, ErrorCode.BAD_REQUEST, "Batching is not supported: send one operation."
                )
            allowed = QUERIES_AND_MUTATIONS
        else:
            raise Refusal(
                405,
                ErrorCode.METHOD_NOT_ALLOWED,
                "GraphQL is served over GET (queries) and POST.",
                headers={"allow": "GET, POST"},
            )
        streamed = media_type == EVENT_STREAM and self.events is not None
        request_error_status = 400 if media_type == GRAPHQL_RESPONSE else 200
        resolved = await self.engine.document_of(
            checked(params),
            request,
            transport="sse" if streamed else "http",
            request_error_status=request_error_status,
        )
        if isinstance(resolved, Answer):
            return sse.answered(resolved) if streamed else answered(resolved, media_type)
        operation = resolved
        if streamed and self.events is not None:
            return await self.events.respond(
                request, operation, allowed | {OperationType.SUBSCRIPTION}
            )
        answer = await self.engine.run(
            operation,
            request,
            allowed=allowed,
            authorization=request.headers.get("authorization"),
            request_error_status=request_error_status,
        )
        return answered(answer, media_type)


def checked(params: Any) -> Operation:
    """The query, variables and operation name of a request, or a 400 naming what is wrong."""
    if not isinstance(params, dict):
        raise Refusal(400, ErrorCode.BAD_REQUEST, "The request must be a JSON object.")
    try:
        persisted_hash = hash_of(params.get("extensions"))
    except ValueError as error:
        raise Refusal(400, ErrorCode.BAD_REQUEST, str(error)) from None
    query = query_of(params.get("query"), persisted_hash)
    if not isinstance(query, str) or not (query.strip() or persisted_hash):
        raise Refusal(400, ErrorCode.BAD_REQUEST, "The request has no query (a string).")
    variables = params.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise Refusal(400, ErrorCode.BAD_REQUEST, "variables must be an object (or null).")
    operation_name = params.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise Refusal(400, ErrorCode.BAD_REQUEST, "operationName must be a string (or null).")
    return Operation(query, variables, operation_name, persisted_hash)


def json_param(raw: str, name: str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Refusal(400, ErrorCode.BAD_REQUEST, f"{name} is not valid JSON.") from None


def negotiated(accept: str) -> str:
    """The GraphQL-over-HTTP media type when accepted (before JSON), an event stream when
    preferred, else JSON."""
    ranked = []
    for position, part in enumerate(accept.split(",")):
        media, *options = (piece.strip() for piece in part.split(";"))
        quality = next(
            (float(o[2:]) for o in options if o.startswith("q=") and _number(o[2:])), 1.0
        )
        if quality > 0:  # q=0 means "not acceptable"
            ranked.append((-quality, position, media.lower()))
    for _, _, media in sorted(ranked):
        if media == GRAPHQL_RESPONSE:
            return GRAPHQL_RESPONSE
        if media in {JSON, "application/*", "*/*"}:
            return JSON
        if media == EVENT_STREAM:
            return EVENT_STREAM
    return JSON


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def wants_html(request: Request) -> bool:
    """A browser's address bar (`text/html` first): GraphiQL, which opens on `?query=` and
    `?variables=` when given them. Scripts (fetch, EventSource) never put `text/html` first."""
    return request.headers.get("accept", "").lstrip().lower().startswith("text/html")


def too_large(limit: int) -> str:
    return f"The request body exceeds {limit} bytes."


def answered(answer: Answer, media_type: str) -> Response:
    return Response(
        orjson.dumps(answer.body()),
        status_code=answer.status,
        media_type=media_type,
        headers=answer.headers,
    )
