"""Liveness and readiness, for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from models.sql import fetch

READY_TIMEOUT_SECONDS = 2.0
logger = logging.getLogger("groupql")


async def healthz(request: Request) -> Response:
    """The process answers (it never touches the database)."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """The database answers too: 503 when it does not, within two seconds."""
    try:
        await asyncio.wait_for(fetch("SELECT 1 AS ok"), READY_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 - any failure means not ready; say which
        logger.warning("not ready: %s: %s", type(error).__name__, error)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ready", "database": "up"})
