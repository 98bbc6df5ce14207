"""Cross-origin rules for browsers: which origins may call the API, with which headers."""

from __future__ import annotations

import logging

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from settings import Settings

logger = logging.getLogger("groupql")

# Besides the token and the JSON body: the tracing headers of the OpenTelemetry and Sentry
# browser SDKs, Apollo Client's client-name headers and CSRF-prevention header, and a request
# id. A preflight naming any header not listed here is refused, and the call with it.
ALLOWED_HEADERS = (
    "authorization",
    "content-type",
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
    "apollographql-client-name",
    "apollographql-client-version",
    "x-request-id",
    "apollo-require-preflight",
)
# Scripts may read how long to wait after a 429.
EXPOSED_HEADERS = ("Retry-After",)
PREFLIGHT_MAX_AGE_SECONDS = 600


def cors_middleware(settings: Settings) -> Middleware:
    """CORS for the origins of `CORS_ORIGINS` only, never with credentials (tokens travel in
    the Authorization header, not in cookies)."""
    return Middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=list(ALLOWED_HEADERS),
        expose_headers=list(EXPOSED_HEADERS),
        allow_credentials=False,
        max_age=PREFLIGHT_MAX_AGE_SECONDS,
    )


def warn_when_no_origin_is_allowed(settings: Settings) -> None:
    if settings.production and not settings.cors_origins:
        logger.warning(
            "CORS_ORIGINS is empty: browsers on other origins cannot call the API (the app "
            "served at / still can); set CORS_ORIGINS=https://app.example.org to allow one"
        )
