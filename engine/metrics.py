"""What every operation adds to `/metrics` (Prometheus, `prometheus-client`): how many, by
transport, operation name and outcome; how long; how many SQL statements.

Label values stay few whatever clients send: an operation's name is kept as a label when
it is one of the app's trusted documents (`engine.persisted`) or among the first
`MAX_NAMES` other names this process saw (cut to `MAX_NAME_LENGTH` characters); any later
name counts as "other", no name as "anonymous". Each app has a registry of its own
(`registry`), which `web.metrics` serves with the gauges read at scrape time.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram

from engine.answers import Answer
from schema.core.errors import ErrorCode

MAX_NAMES = 100
MAX_NAME_LENGTH = 64
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
STATEMENTS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55)


def outcome_of(answer: Answer) -> str:
    """ok, errors (executed, with field errors), refused (a request error), rate_limited
    (HTTP 429), failed (HTTP 5xx)."""
    if answer.status == 429 or ErrorCode.RATE_LIMITED in answer.codes:
        return "rate_limited"
    if answer.status >= 500:
        return "failed"
    if not answer.executed:
        return "refused"
    return "errors" if answer.errors else "ok"


class OperationMetrics:
    def __init__(self, trusted_names: Iterable[str] = ()) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.trusted = frozenset(trusted_names)
        self.seen: set[str] = set()
        self.operations = Counter(
            "groupql_operations",
            "GraphQL operations answered, by transport, operation name and outcome.",
            ["transport", "operation", "outcome"],
            registry=self.registry,
        )
        self.seconds = Histogram(
            "groupql_operation_duration_seconds",
            "Time from receiving an operation to its answer (for a subscription: to its start).",
            ["transport"],
            buckets=SECONDS,
            registry=self.registry,
        )
        self.statements = Histogram(
            "groupql_operation_sql_statements",
            "SQL statements one query or mutation sent (BEGIN and COMMIT not counted).",
            buckets=STATEMENTS,
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "groupql_rate_limit_refusals",
            "Requests refused by a limit: budget (HTTP 429, RATE_LIMITED), connections "
            "(LIVE_MAX_CONNECTIONS_PER_ADDRESS), messages (LIVE_MAX_MESSAGES_PER_SECOND).",
            ["limit"],
            registry=self.registry,
        )
        for limit in ("budget", "connections", "messages"):
            self.rate_limited.labels(limit)

    def name_of(self, operation: str | None) -> str:
        if operation is None:
            return "anonymous"
        name = operation[:MAX_NAME_LENGTH]
        if name in self.trusted or name in self.seen:
            return name
        if len(self.seen) < MAX_NAMES:
            self.seen.add(name)
            return name
        return "other"

    def observe(self, transport: str, answer: Answer, seconds: float) -> None:
        outcome = outcome_of(answer)
        name = self.name_of(answer.operation_name)
        self.operations.labels(transport, name, outcome).inc()
        self.seconds.labels(transport).observe(seconds)
        if outcome == "rate_limited":
            self.rate_limited.labels("budget").inc()

    def observe_statements(self, count: int) -> None:
        self.statements.observe(count)
