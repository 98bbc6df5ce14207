"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/), and nothing else.

- POST with a JSON body runs queries and mutations; GET runs queries only (a
  mutation over GET is 405), so no state ever changes over GET. Form, text and
  multipart bodies are refused (415): a cross-site form cannot post here.
- A malformed request (bad JSON, a batch, no query, variables that are not an
  object) answers 400 whatever it accepts.
- The answer is `application/graphql-response+json` when the client accepts
  it, `application/json` otherwise. With the former, a request that could not
  be executed (parse or validation errors, variables of the wrong type, an
  unknown operationName, a limit) answers 400; with the latter, 200 as before
  the spec.
- Every refusal is a GraphQL error body with `extensions.code`; a request over
  a rate limit answers 429 with `Retry-After`; one that runs past the timeout,
  504, its transaction rolled back; any other failure, 500 with an `errorId`
  that is logged with its traceback.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from schema.account.authentication import Unauthenticated, authenticate
from schema.context import Context
from schema.core.errors import ErrorCode, add_codes
from schema.core.execution import Outcome, Runner
from schema.core.rate_limits import RateLimiter
from schema.schema import Schema
from settings import Settings
from web.logs import log_request

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
QUERIES_ONLY = {OperationType.QUERY}
QUERIES_AND_MUTATIONS = {OperationType.QUERY, OperationType.MUTATION}


@dataclass
class Refusal(Exception):  # noqa: N818 - an answer, not a failure of ours
    """A request answered without executing it: an HTTP status and one GraphQL error."""

    status: int
    code: ErrorCode
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Exchange:
    """What a request logs: known as it is handled."""

    operation: str | None = None
    cost: int | None = None
    error_ids: list[str] = field(default_factory=list)


class GraphQLEndpoint:
    def __init__(
        self,
        schema: Schema,
        runner: Runner,
        settings: Settings,
        clock: Callable[[], datetime],
        rate_limiter: RateLimiter,
        graphiql: str | None,
    ) -> None:
        self.schema = schema
        self.runner = runner
        self.settings = settings
        self.clock = clock
        self.rate_limiter = rate_limiter
        self.graphiql = graphiql

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
        exchange = Exchange()
        media_type = negotiated(request.headers.get("accept", ""))
        try:
            response = await self.handle(request, media_type, exchange)
        except Refusal as refusal:
            response = refused(refusal, media_type)
        except Exception as exception:  # noqa: BLE001 - any other failure is answered as one, logged
            response = refused(self.failed(exception, exchange), media_type)
        log_request(request, response.status_code, started, exchange)
        await response(scope, receive, send)

    async def handle(self, request: Request, media_type: str, exchange: Exchange) -> Response:
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
        query, variables, operation_name = checked(params)
        exchange.operation = operation_name
        context = await self.context(request)
        try:
            async with asyncio.timeout(self.settings.request_timeout_seconds):
                outcome = await self.runner.run(query, variables, operation_name, context, allowed)
            exchange.operation = outcome.operation_name or operation_name
        except CannotGetOperationTypeError:
            # Raised where GraphQL has a request error: answered as one.
            missing = f" named {operation_name!r}" if operation_name is not None else ""
            error = GraphQLError(
                f"The document has no operation{missing}.",
                extensions={"code": ErrorCode.BAD_REQUEST.value},
            )
            outcome = Outcome(data=None, errors=[error], cost=0, executed=False)
        except InvalidOperationTypeError:
            raise Refusal(
                405,
                ErrorCode.METHOD_NOT_ALLOWED,
                "Mutations are sent with POST; GET runs queries only.",
                headers={"allow": "POST"},
            ) from None
        except TimeoutError:
            seconds = self.settings.request_timeout_seconds
            raise Refusal(
                504,
                ErrorCode.TIMEOUT,
                f"The request ran past the {seconds:g} s limit and was stopped; nothing it "
                "started was kept.",
            ) from None
        return answered(outcome, self.runner.limits.nodes, media_type, exchange)

    def failed(self, exception: Exception, exchange: Exchange) -> Refusal:
        """A failure outside execution (authenticating against a database that is down...):
        coded, logged with an error id and masked like a resolver's, answered with 500."""
        error = GraphQLError(str(exception), original_error=exception)
        add_codes([error], executed=False, mask=self.settings.production)
        error_id = (error.extensions or {})["errorId"]
        exchange.error_ids.append(error_id)
        return Refusal(
            500, ErrorCode.INTERNAL_SERVER_ERROR, error.message, extensions={"errorId": error_id}
        )

    async def context(self, request: Request) -> Context:
        try:
            viewer = await authenticate(request.headers.get("authorization"), self.clock())
        except Unauthenticated as error:
            raise Refusal(
                401,
                ErrorCode.UNAUTHENTICATED,
                str(error),
                headers={"www-authenticate": 'Bearer realm="groupql"'},
            ) from None
        return Context(
            settings=self.settings,
            viewer=viewer,
            request=request,
            clock=self.clock,
            rate_limiter=self.rate_limiter,
        )


def checked(params: Any) -> tuple[str, dict[str, Any] | None, str | None]:
    """The query, variables and operation name of a request, or a 400 naming what is wrong."""
    if not isinstance(params, dict):
        raise Refusal(400, ErrorCode.BAD_REQUEST, "The request must be a JSON object.")
    query = params.get("query")
    if not isinstance(query, str) or not query.strip():
        raise Refusal(400, ErrorCode.BAD_REQUEST, "The request has no query (a string).")
    variables = params.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise Refusal(400, ErrorCode.BAD_REQUEST, "variables must be an object (or null).")
    operation_name = params.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise Refusal(400, ErrorCode.BAD_REQUEST, "operationName must be a string (or null).")
    return query, variables, operation_name


def json_param(raw: str, name: str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Refusal(400, ErrorCode.BAD_REQUEST, f"{name} is not valid JSON.") from None


def negotiated(accept: str) -> str:
    """The GraphQL-over-HTTP media type when accepted (before JSON), else JSON."""
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
    return JSON


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def wants_html(request: Request) -> bool:
    return "query" not in request.query_params and "text/html" in request.headers.get("accept", "")


def too_large(limit: int) -> str:
    return f"The request body exceeds {limit} bytes."


def answered(outcome: Outcome, limit: int, media_type: str, exchange: Exchange) -> Response:
    errors = [error.formatted for error in outcome.errors]
    codes = {(error.get("extensions") or {}).get("code") for error in errors}
    exchange.cost = outcome.cost
    exchange.error_ids = [
        e["extensions"]["errorId"] for e in errors if "errorId" in e.get("extensions", {})
    ]
    # A request error (parse, validation, a limit, variables of the wrong type) was never
    # executed: the answer has no data.
    body: dict[str, Any] = {"data": outcome.data} if outcome.executed else {}
    if errors:
        body["errors"] = errors
    body["extensions"] = {"cost": {"requested": outcome.cost, "limit": limit}}
    headers: dict[str, str] = {}
    status = 200
    if ErrorCode.RATE_LIMITED in codes:
        status = 429
        wait = max(e["extensions"].get("retryAfter", 1) for e in errors if "extensions" in e)
        headers["retry-after"] = str(wait)
    elif not outcome.executed and media_type == GRAPHQL_RESPONSE:
        status = 400
    return Response(orjson.dumps(body), status_code=status, media_type=media_type, headers=headers)


def refused(refusal: Refusal, media_type: str) -> Response:
    error = GraphQLError(
        refusal.message, extensions={"code": refusal.code.value, **refusal.extensions}
    )
    body = {"errors": [error.formatted]}
    return Response(
        orjson.dumps(body),
        status_code=refusal.status,
        media_type=media_type,
        headers=refusal.headers,
    )
