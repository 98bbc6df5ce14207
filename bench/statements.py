"""SQL statements per request, counted in process from Tortoise's statement log.

Tortoise logs each statement it sends on `tortoise.db_client` at DEBUG level.
It does not log the BEGIN and COMMIT of a transaction (asyncpg sends those), so
a request in a transaction costs two round trips more than it counts here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
from tortoise.context import TortoiseContext

from bench.answers import WrongAnswerError
from models.config import tortoise_config
from server import create_app
from settings import Settings

LOGGER = "tortoise.db_client"
NOT_STATEMENTS = ("Created connection pool", "Closed connection pool")


class StatementLog(logging.Handler):
    """Collects the SQL statements Tortoise sends while it is attached."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(NOT_STATEMENTS):
            self.statements.append(message)


@contextmanager
def statement_log() -> Iterator[StatementLog]:
    logger = logging.getLogger(LOGGER)
    handler = StatementLog()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def count(settings: Settings, bodies: Sequence[dict[str, Any]]) -> tuple[int, Any]:
    """POST each body to /graphql in process; return the last one's statements and answer.

    The bodies before the last warm the process (caches, pool) and are not counted.
    """
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(settings))
        transport = httpx.ASGITransport(app=create_app(settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.test") as client:
            for body in bodies:
                with statement_log() as log:
                    response = await client.post("/graphql", json=body)
    if response.status_code != 200:
        raise WrongAnswerError(f"in process: {response.status_code} {response.text[:300]}")
    return len(log.statements), response.json()
