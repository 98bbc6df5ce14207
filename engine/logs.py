"""One structured log line per operation, whatever the transport: what ran, how long, what
it cost, how it ended.

Never the query's variables, headers or tokens: only what is safe to keep.
"""

from __future__ import annotations

import logging
import time

import orjson
from starlette.requests import HTTPConnection

from engine.answers import Answer

logger = logging.getLogger("groupql.requests")


def log_operation(
    transport: str,
    connection: HTTPConnection | None,
    answer: Answer,
    started: float,
    *,
    signed_in: bool,
) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    line = {
        "transport": transport,
        "method": connection.scope.get("method", "WS") if connection is not None else None,
        "path": connection.url.path if connection is not None else None,
        "operation": answer.operation_name,
        "status": answer.status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "cost": answer.cost,
        "error_ids": answer.error_ids,
        "signed_in": signed_in,
    }
    logger.info(orjson.dumps(line).decode())
