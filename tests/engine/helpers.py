"""Running operations through the engine in process, as the transports do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from graphql import OperationType

from engine import Answer, Engine, Operation
from engine.limits import limits_of
from schema.context import utc_now
from schema.core.rate_limits import RateLimiter
from schema.schema import schema as groupql_schema
from settings import Settings

EVERY_OPERATION = frozenset(OperationType)


def engine_for(
    settings: Settings,
    schema: Any = groupql_schema,
    clock: Callable[[], datetime] = utc_now,
) -> Engine:
    """An engine on `schema` with rate limits off."""
    limiter = RateLimiter(store=None, per_minute={}, secret=settings.secret_key)
    return Engine(schema, settings, limits_of(settings), limiter, clock)


async def run(engine: Engine, query: str, variables: dict[str, Any] | None = None) -> Answer:
    """One operation, as an anonymous caller of no transport in particular."""
    return await engine.run(Operation(query, variables), None, allowed=EVERY_OPERATION)
