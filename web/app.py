"""The single-page app, built into app/dist/ by `make app` and committed: its content-hashed
assets under /assets/, and index.html for `/` and every other page path (the app routes on
the client: /groups/:slug, /groups/:slug/:articleSlug, /sign-in ...)."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

APP_DIST = Path(__file__).resolve().parent.parent / "app" / "dist"
# A hashed file never changes: browsers keep it a year without asking again. index.html names
# the current hashes, so browsers check it on every visit.
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
# First path segments that are the server's, never the app's: unknown paths under them are 404.
SERVER_PATHS = frozenset({"graphql", "healthz", "readyz", "metrics", "assets", "graphiql"})
# The app loads only its own scripts and styles and talks only to its own origin; cover
# images may come from anywhere. Article HTML is sanitised twice (server and app) besides.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' http: https: data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
NOT_BUILT = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>groupql</title>"
    "<p>The app is not built: run <code>make app</code>. The API is at "
    '<a href="/graphql">/graphql</a>.</p></html>'
)


class Assets(StaticFiles):
    """Hashed build output, cached for good."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = IMMUTABLE
        return response


def app_routes(dist: Path = APP_DIST) -> list[BaseRoute]:
    """Routes for the built app: put them after every route of the server's own."""
    index_file = dist / "index.html"
    headers = {"cache-control": NO_CACHE, "content-security-policy": CONTENT_SECURITY_POLICY}

    async def page(request: Request) -> Response:
        path: str = request.path_params["path"]
        if path.split("/", 1)[0] in SERVER_PATHS or "." in path.rsplit("/", 1)[-1]:
            return PlainTextResponse("Not found", status_code=404)
        # Read on every request (it is 1 KB), so a `make app` shows without a restart.
        index = index_file.read_text() if index_file.is_file() else NOT_BUILT
        return HTMLResponse(index, headers=headers)

    return [
        Mount("/assets", app=GZipMiddleware(Assets(directory=dist / "assets", check_dir=False))),
        Route("/{path:path}", page, methods=["GET"]),
    ]
