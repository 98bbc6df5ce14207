"""The record of every operation, whatever the transport (HTTP, SSE, WebSocket): its metrics
(`engine.metrics`) and one log line, with what ran, how long, what it cost and how it
ended as keys of the line's JSON object (`web.logs`).

Never the query's variables, headers or tokens: only what is safe to keep.
"""

from __future__ import annotations

import logging
import time

from starlette.requests import HTTPConnection

from engine.answers import Answer
from engine.metrics import OperationMetrics

logger = logging.getLogger("groupql.requests")


class OperationLog:
    def __init__(self, metrics: OperationMetrics) -> None:
        self.metrics = metrics

    def record(
        self,
        transport: str,
        connection: HTTPConnection | None,
        answer: Answer,
        started: float,
        *,
        signed_in: bool,
    ) -> None:
        """Once an operation is answered (or refused)."""
        seconds = time.perf_counter() - started
        self.metrics.observe(transport, answer, seconds)
        if not logger.isEnabledFor(logging.INFO):
            return
        fields = {
            "transport": transport,
            "method": connection.scope.get("method", "WS") if connection is not None else None,
            "path": connection.url.path if connection is not None else None,
            "operation": answer.operation_name,
            "status": answer.status,
            "duration_ms": round(seconds * 1000, 2),
            "cost": answer.cost,
            "error_ids": answer.error_ids,
            "signed_in": signed_in,
        }
        logger.info(
            "%s %s %s",
            transport,
            fields["operation"] or "anonymous",
            fields["status"],
            extra=fields,
        )
