"""SQL statements per operation, counted as they are sent.

Tortoise logs each statement it sends on `tortoise.db_client` at DEBUG level (and
`models.sql` its pooled reads likewise): `StatementCounter`, a filter on that logger,
counts them for the operation running in the current context, and lets through only
what the configured level shows (or what a handler attached to that logger itself,
such as `bench.statements.StatementLog`, asks for). It does not see the BEGIN and
COMMIT of a transaction, which asyncpg sends itself.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

STATEMENTS = logging.getLogger("tortoise.db_client")
NOT_STATEMENTS = ("Created connection pool", "Closed connection pool")


@dataclass(slots=True)
class Count:
    statements: int = 0


CURRENT: ContextVar[Count | None] = ContextVar("groupql_statements", default=None)


class StatementCounter(logging.Filter):
    def __init__(self, shown: int) -> None:
        super().__init__()
        self.shown = shown

    def filter(self, record: logging.LogRecord) -> bool:
        count = CURRENT.get()
        if count is not None and not str(record.msg).startswith(NOT_STATEMENTS):
            count.statements += 1
        return record.levelno >= self.shown or bool(STATEMENTS.handlers)


def count_statements(shown: int = logging.INFO) -> None:
    """Count statements from now on in this process (once; `shown`: the level logged)."""
    if not any(isinstance(f, StatementCounter) for f in STATEMENTS.filters):
        STATEMENTS.addFilter(StatementCounter(shown))
    STATEMENTS.setLevel(logging.DEBUG)


@contextmanager
def counted() -> Iterator[Count]:
    """The statements sent inside the block, by this task and the tasks it starts."""
    count = Count()
    token = CURRENT.set(count)
    try:
        yield count
    finally:
        CURRENT.reset(token)
