"""The Starlette application: `/graphql`, `/healthz`, `/readyz`.

`create_app()` builds it from settings; `app` is what `uvicorn server:app` serves.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from tortoise.contrib.starlette import RegisterTortoise

from live.service import create_live
from models.config import tortoise_config
from schema.context import Context, utc_now
from schema.core.execution import Runner
from schema.core.rate_limits import Budget, MemoryStore, RateLimiter, RedisStore, Store
from schema.schema import NoIntrospection, build_schema, limits_of
from settings import Settings
from web.graphiql import GROUP_PAGE_QUERY, graphiql_html
from web.graphql import GraphQLEndpoint
from web.health import healthz, readyz
from web.logs import configure_logging

__all__ = ["GROUP_PAGE_QUERY", "app", "create_app"]

logger = logging.getLogger("groupql")

GC_THRESHOLDS = (50_000, 20, 20)


class GraphQLWebSocket(GraphQL[Context, None]):
    """graphql-ws and graphql-transport-ws, for origins of the CORS list only."""

    def __init__(self, settings: Settings, endpoint: GraphQLEndpoint) -> None:
        super().__init__(endpoint.schema, graphql_ide=None, allowed_origins=settings.cors_origins)
        self.endpoint = endpoint

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(
            settings=self.endpoint.settings,
            request=request,
            clock=self.endpoint.clock,
            rate_limiter=self.endpoint.rate_limiter,
        )


def tune_garbage_collector() -> None:
    """Collect less often: a page request leaves a few hundred short-lived cycles (futures,
    loaders), and the default threshold made collection a quarter of the CPU under load.
    Everything loaded by now lives as long as the process, so it is moved out of the
    collector's way for good."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def rate_limiter(settings: Settings) -> tuple[RateLimiter, RedisStore | None]:
    redis = RedisStore(settings.redis_url) if settings.redis_url else None
    store: Store | None = (redis or MemoryStore()) if settings.rate_limits else None
    budgets = {
        Budget.QUERY_COST: settings.rate_limit_query_cost,
        Budget.MUTATIONS: settings.rate_limit_mutations,
        Budget.SIGN_IN: settings.rate_limit_sign_in,
        Budget.VIEWS: settings.rate_limit_views,
    }
    return RateLimiter(store=store, per_minute=budgets, secret=settings.secret_key), redis


def create_app(
    settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now
) -> Starlette:
    settings = settings or Settings.from_env()
    limiter, redis = rate_limiter(settings)
    schema = build_schema(settings)
    runner = Runner(
        schema,
        limits_of(settings),
        rules=[] if settings.introspection else [NoIntrospection],
        mask_errors=settings.production,
    )
    live = create_live(settings, runner)
    endpoint = GraphQLEndpoint(
        schema,
        runner,
        settings,
        clock,
        limiter,
        graphiql=None if settings.production else graphiql_html(),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        if settings.secret_key_is_ephemeral:
            logger.warning(
                "SECRET_KEY is not set: anonymous viewers are hashed with a key that changes "
                "on every start, so view deduplication does not survive restarts or span processes"
            )
        async with RegisterTortoise(app, config=tortoise_config(settings)):
            tune_garbage_collector()
            await live.start()
            try:
                yield
            finally:
                await live.stop()
        if redis is not None:
            await redis.close()

    app = Starlette(
        routes=[
            # Every method reaches the endpoint, which refuses all but GET and POST as GraphQL
            # errors (405 with `Allow: GET, POST`), not Starlette's plain-text 405.
            Route("/graphql", endpoint),
            WebSocketRoute("/graphql", GraphQLWebSocket(settings, endpoint)),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type"],
                allow_credentials=False,
                max_age=600,
            )
        ],
        lifespan=lifespan,
    )
    app.state.redis = redis  # closed by the lifespan; tests without one close it themselves
    app.state.live = live  # subscriptions: `live.hub`; contexts publish writes on `live.bus`
    return app


def main() -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )


app = create_app()

if __name__ == "__main__":
    main()
