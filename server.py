"""The Starlette application: `/graphql`, `/healthz`, `/readyz`.

`create_app()` builds it from settings; `app` is what `uvicorn server:app` serves.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import orjson
import uvicorn
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from tortoise.contrib.starlette import RegisterTortoise

from models.config import tortoise_config
from models.sql import fetch
from schema.account.authentication import Unauthenticated, authenticate
from schema.context import Context, utc_now
from schema.core.errors import ErrorCode
from schema.schema import schema
from settings import Settings

logger = logging.getLogger("groupql")

READY_TIMEOUT_SECONDS = 2.0
GC_THRESHOLDS = (50_000, 20, 20)
HTTP_ERROR_CODES = {
    401: ErrorCode.UNAUTHENTICATED,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.REQUEST_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
}

GROUP_PAGE_QUERY = """\
# The seed group's page in one query. Press the run button (or Ctrl-Enter).
# To count a view when someone opens an article, see the Mutation type in
# the documentation explorer: recordArticleView(input: {articleId: ...}).
query GroupPage($slug: String!) {
  group(slug: $slug) {
    name
    privacy
    memberCount
    articles(first: 20) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        title
        excerpt
        views
        coverImage { url caption }
        author { name }
        commentCount
        comments(first: 3) { nodes { body createdAt author { name } } }
      }
    }
  }
}
"""
GROUP_PAGE_VARIABLES = {"slug": "muscle-weakness-ms"}


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context, orjson, and JSON bodies for every refusal."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime]) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self.settings = settings
        self.clock = clock
        self.ide_html = graphiql_html(self.graphql_ide_html)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        limit = self.settings.max_body_bytes
        try:
            declared = int(dict(scope["headers"]).get(b"content-length", b"0"))
        except ValueError:
            declared = 0
        if declared > limit:
            await too_large(limit)(scope, receive, send)
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, f"The request body exceeds {limit} bytes.")
            return message

        request = Request(scope, receive_within_limit)
        try:
            response = await self.run(request)
        except HTTPException as error:
            response = error_response(error.status_code, error.reason)
        await response(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        try:
            viewer = await authenticate(request.headers.get("authorization"), self.clock())
        except Unauthenticated as error:
            raise HTTPException(401, str(error)) from None
        return Context(
            settings=self.settings,
            viewer=viewer,
            request=request,
            response=response,
            clock=self.clock,
        )

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self.ide_html)


def graphiql_html(html: str) -> str:
    """Strawberry's GraphiQL page, opening on the group page query with its variables."""
    example = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.DOTALL)
    variables = "React.useState(\n          parameters.variables,"
    if not example.search(html) or variables not in html:
        raise RuntimeError("Strawberry's GraphiQL page changed: update graphiql_html()")
    html = example.sub(
        lambda _: (
            "const EXAMPLE_QUERY = "
            + orjson.dumps(GROUP_PAGE_QUERY).decode()
            + ";\n      const EXAMPLE_VARIABLES = "
            + orjson.dumps(
                orjson.dumps(GROUP_PAGE_VARIABLES, option=orjson.OPT_INDENT_2).decode()
            ).decode()
            + ";"
        ),
        html,
        count=1,
    )
    return html.replace(
        variables, "React.useState(\n          parameters.variables || EXAMPLE_VARIABLES,"
    )


def error_response(status: int, message: str) -> Response:
    """A refusal before execution, as a GraphQL error body so clients can read it."""
    code = HTTP_ERROR_CODES.get(status, ErrorCode.BAD_REQUEST)
    body = {"errors": [{"message": message, "extensions": {"code": code.value}}]}
    headers = {"www-authenticate": 'Bearer realm="groupql"'} if status == 401 else None
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def too_large(limit: int) -> Response:
    return error_response(413, f"The request body exceeds {limit} bytes.")


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    try:
        await asyncio.wait_for(fetch("SELECT 1 AS ok"), READY_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 - any failure means not ready; say which
        logger.warning("not ready: %s: %s", type(error).__name__, error)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ready", "database": "up"})


def tune_garbage_collector() -> None:
    """Collect less often: a page request leaves a few hundred short-lived cycles (futures,
    loaders), and the default threshold made collection a quarter of the CPU under load.
    Everything loaded by now lives as long as the process, so it is moved out of the
    collector's way for good."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def create_app(
    settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now
) -> Starlette:
    settings = settings or Settings.from_env()
    view = GraphQLView(settings, clock)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.secret_key_is_ephemeral:
            logger.warning(
                "SECRET_KEY is not set: anonymous viewers are hashed with a key that changes "
                "on every start, so view deduplication does not survive restarts or span processes"
            )
        async with RegisterTortoise(app, config=tortoise_config(settings)):
            tune_garbage_collector()
            yield

    routes: list[Any] = [
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def main() -> None:
    settings = Settings.from_env()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
    )


app = create_app()

if __name__ == "__main__":
    main()
