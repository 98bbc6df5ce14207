"""The Starlette application: `/graphql`, `/healthz`, `/readyz`.

`create_app()` builds it from settings; `app` is what `uvicorn server:app` serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute
from tortoise.contrib.starlette import RegisterTortoise

from engine import Engine, versions
from engine.limits import limits_of
from engine.persisted import RedisDocuments, Store
from live.service import create_live, live_bus
from models.config import tortoise_config
from models.retention import prune_periodically
from models.statements import count_statements
from schema.context import utc_now
from schema.core.rate_limits import Budget, MemoryStore, RateLimiter, RedisStore
from schema.core.rate_limits import Store as BudgetStore
from schema.schema import NoIntrospection, schema
from settings import Settings
from web.addresses import ConnectionsPerAddress
from web.app import app_routes
from web.cors import cors_middleware, warn_when_no_origin_is_allowed
from web.graphiql import GROUP_PAGE_QUERY, graphiql_html
from web.graphql import GraphQLEndpoint
from web.health import Readiness, healthz
from web.logs import configure_logging
from web.metrics import Gauges, MetricsEndpoint, warn_when_metrics_are_open
from web.shutdown import call_on_exit
from web.sse import GraphQLEvents
from web.websocket import GraphQLWebSocket

__all__ = ["GROUP_PAGE_QUERY", "app", "create_app"]

logger = logging.getLogger("groupql")

GC_THRESHOLDS = (50_000, 20, 20)


def tune_garbage_collector() -> None:
    """Collect less often: a page request leaves a few hundred short-lived cycles (futures,
    loaders), and the default threshold made collection a quarter of the CPU under load.
    Everything loaded by now lives as long as the process, so it is moved out of the
    collector's way for good."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def rate_limiter(settings: Settings) -> tuple[RateLimiter, RedisStore | None]:
    redis = (
        RedisStore(settings.redis_url, pool_size=settings.redis_pool_size)
        if settings.redis_url
        else None
    )
    store: BudgetStore | None = (redis or MemoryStore()) if settings.rate_limits else None
    budgets = {
        Budget.QUERY_COST: settings.rate_limit_query_cost,
        Budget.MUTATIONS: settings.rate_limit_mutations,
        Budget.SIGN_IN: settings.rate_limit_sign_in,
        Budget.VIEWS: settings.rate_limit_views,
    }
    return RateLimiter(store=store, per_minute=budgets, secret=settings.secret_key), redis


def start_pruning(settings: Settings, clock: Callable[[], datetime]) -> asyncio.Task[None] | None:
    """Retention in the background (PRUNE_INTERVAL_SECONDS, 0: off); one process of all
    those on the database prunes at a time."""
    if settings.prune_interval_seconds == 0:
        return None
    window = timedelta(seconds=settings.view_window_seconds)
    return asyncio.create_task(
        prune_periodically(settings.prune_interval_seconds, window, clock), name="groupql.prune"
    )


def create_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    persisted: Store | None = None,
) -> Starlette:
    """The app; `persisted` is where documents sent with their hash are kept (by default
    Redis when REDIS_URL is set, else this process's memory)."""
    versions.check()
    settings = settings or Settings.from_env()
    limiter, redis = rate_limiter(settings)
    if persisted is None and redis is not None:
        persisted = RedisDocuments(redis.redis)
    bus = live_bus(settings)
    engine = Engine(
        schema,
        settings,
        limits_of(settings),
        limiter,
        clock,
        rules=[] if settings.introspection else [NoIntrospection],
        bus=bus,
        persisted=persisted,
    )
    live = create_live(settings, engine, bus=bus)
    # One count of live connections per address, for WebSockets and event streams together.
    addresses = ConnectionsPerAddress(
        settings.live_max_connections_per_address,
        on_refused=engine.metrics.rate_limited.labels("connections").inc,
    )
    engine.metrics.registry.register(Gauges(addresses, live.hub))
    if settings.metrics:
        count_statements(logging.getLevelName(settings.log_level))
    events = GraphQLEvents(engine, live.hub, addresses)
    endpoint = GraphQLEndpoint(
        engine, settings, graphiql=None if settings.production else graphiql_html(), events=events
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        warn_when_no_origin_is_allowed(settings)
        warn_when_metrics_are_open(settings)
        if settings.secret_key_file is not None:
            logger.warning(
                "SECRET_KEY is not set: using the development key kept in %s, the same for "
                "every process of this checkout; set SECRET_KEY in production",
                settings.secret_key_file,
            )
        async with RegisterTortoise(app, config=tortoise_config(settings)):
            tune_garbage_collector()
            pruning = start_pruning(settings, clock)
            await live.start()
            call_on_exit(events.stop)  # else uvicorn waits for the event streams forever
            try:
                yield
            finally:
                await live.stop()
                if pruning is not None:
                    pruning.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await pruning
        if redis is not None:
            await redis.close()

    app = Starlette(
        routes=[
            # Every method reaches the endpoint, which refuses all but GET and POST as GraphQL
            # errors (405 with `Allow: GET, POST`), not Starlette's plain-text 405.
            Route("/graphql", endpoint),
            WebSocketRoute("/graphql", GraphQLWebSocket(engine, settings, live.hub, addresses)),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", Readiness().readyz, methods=["GET"]),
            Route(
                "/metrics", MetricsEndpoint(settings, engine.metrics).metrics_page, methods=["GET"]
            ),
            *app_routes(),  # last: every other GET path is the app's
        ],
        middleware=[cors_middleware(settings)],
        lifespan=lifespan,
    )
    app.state.redis = redis  # closed by the lifespan; tests without one close it themselves
    app.state.live = live  # subscriptions: `live.hub`; contexts publish writes on `live.bus`
    app.state.addresses = addresses  # live connections open per address
    return app


def main() -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        # uvicorn's loggers go to ours (one JSON object per line), and its access line is
        # off: each request has one line already, on groupql.requests.
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )


app = create_app()

if __name__ == "__main__":
    main()
