"""One structured log line per GraphQL request: what ran, how long, what it cost, how it ended.

Never the query's variables, headers or tokens: only what is safe to keep.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson
from starlette.requests import Request

logger = logging.getLogger("groupql.requests")
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(level: str) -> None:
    """Our loggers at `level`, to stderr unless logging is configured already: however the
    app is served (`uvicorn server:app` sets up only uvicorn's own loggers)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=level, format=FORMAT)
    logging.getLogger("groupql").setLevel(level)


def log_request(request: Request, status: int, started: float, exchange: Any) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    line = {
        "method": request.method,
        "path": request.url.path,
        "operation": exchange.operation,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "cost": exchange.cost,
        "error_ids": exchange.error_ids,
        "signed_in": "authorization" in request.headers,
    }
    logger.info(orjson.dumps(line).decode())
