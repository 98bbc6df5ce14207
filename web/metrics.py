"""`/metrics`: Prometheus's text format (`prometheus-client`), this process's numbers.

The operations' counters and histograms (`engine.metrics`), and gauges read when
scraped: live connections (WebSockets and event streams) and subscriptions, the
database pool. With METRICS_TOKEN set, only `Authorization: Bearer <token>` is
answered (401 otherwise); METRICS=off serves 404. Each worker process has its own
numbers (see the README's "Metrics").
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from engine.metrics import OperationMetrics
from live.hub import Hub
from models.pool import pool_usage
from settings import Settings
from web.addresses import ConnectionsPerAddress

logger = logging.getLogger("groupql")


class Gauges(Collector):
    """What is open now, read at each scrape."""

    def __init__(self, addresses: ConnectionsPerAddress, hub: Hub) -> None:
        self.addresses = addresses
        self.hub = hub

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "groupql_live_connections",
            "WebSockets and event streams open.",
            value=sum(self.addresses.open.values()),
        )
        yield GaugeMetricFamily(
            "groupql_subscriptions",
            "Subscriptions running (over WebSocket and SSE).",
            value=sum(len(held) for held in self.hub.by_connection.values()),
        )
        usage = pool_usage()
        if usage is None:
            return
        pool = GaugeMetricFamily(
            "groupql_db_pool_connections",
            "Database connections of this process: open, in use, and callers waiting for one "
            "(SQLite: one connection, in use while a statement or transaction holds it).",
            labels=["state"],
        )
        pool.add_metric(["open"], usage.size)
        pool.add_metric(["in_use"], usage.in_use)
        pool.add_metric(["waiting"], usage.waiting)
        yield pool


class MetricsEndpoint:
    def __init__(self, settings: Settings, metrics: OperationMetrics) -> None:
        self.settings = settings
        self.metrics = metrics

    async def metrics_page(self, request: Request) -> Response:
        if not self.settings.metrics:
            return PlainTextResponse("Not found", status_code=404)
        token = self.settings.metrics_token
        if token is not None:
            sent = request.headers.get("authorization", "")
            if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
                return PlainTextResponse(
                    "Send METRICS_TOKEN as Authorization: Bearer <token>.",
                    status_code=401,
                    headers={"www-authenticate": 'Bearer realm="metrics"'},
                )
        return Response(generate_latest(self.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def warn_when_metrics_are_open(settings: Settings) -> None:
    if settings.production and settings.metrics and settings.metrics_token is None:
        logger.warning(
            "/metrics is open to anyone who reaches the server (METRICS_TOKEN is not set): "
            "set METRICS_TOKEN, keep /metrics off the public route, or set METRICS=off"
        )
