"""What goes into the engine (`Operation`) and what comes out (`Answer`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError, OperationType

from schema.core.errors import ErrorCode


@dataclass(frozen=True, slots=True)
class Operation:
    """One GraphQL request as a transport received it: `query` is empty when only
    `persisted_hash` (its `extensions.persistedQuery.sha256Hash`) names the document,
    until `engine.persisted` resolves it."""

    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    persisted_hash: str | None = None


@dataclass(slots=True)
class Answer:
    """An operation's answer. `executed` is False for a request error (no `data` at all);
    `status` is what HTTP answers with (the GraphQL-over-HTTP media type turns a request
    error's 200 into 400)."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]]
    executed: bool
    cost: int = 0
    limit: int | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    operation_name: str | None = None

    @property
    def codes(self) -> set[str]:
        return {(error.get("extensions") or {}).get("code", "") for error in self.errors}

    @property
    def error_ids(self) -> list[str]:
        return [
            error["extensions"]["errorId"]
            for error in self.errors
            if "errorId" in (error.get("extensions") or {})
        ]

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"data": self.data} if self.executed else {}
        if self.errors:
            body["errors"] = self.errors
        if self.limit is not None:
            body["extensions"] = {"cost": {"requested": self.cost, "limit": self.limit}}
        return body

    def mark_rate_limited(self) -> None:
        """429 with `Retry-After` when a budget refused the request."""
        waits = [
            (error.get("extensions") or {}).get("retryAfter", 1)
            for error in self.errors
            if (error.get("extensions") or {}).get("code") == ErrorCode.RATE_LIMITED
        ]
        if waits:
            self.status = 429
            self.headers["retry-after"] = str(max(waits))

    def mark_unavailable(self) -> None:
        """503 with `Retry-After` when the database could not be reached: nothing of the
        answer is kept (a retry gives the whole of it)."""
        waits = [
            (error.get("extensions") or {}).get("retryAfter", 1)
            for error in self.errors
            if (error.get("extensions") or {}).get("code") == ErrorCode.SERVICE_UNAVAILABLE
        ]
        if waits:
            unavailable = next(
                error
                for error in self.errors
                if error["extensions"]["code"] == ErrorCode.SERVICE_UNAVAILABLE
            )
            self.errors = [
                {"message": unavailable["message"], "extensions": unavailable["extensions"]}
            ]
            self.data = None
            self.executed = False
            self.status = 503
            self.headers["retry-after"] = str(max(waits))


def formatted(error: GraphQLError) -> dict[str, Any]:
    """An error as the answer carries it (message, locations, path, extensions)."""
    return dict(error.formatted)


def answer_of(errors: list[GraphQLError], status: int = 200) -> Answer:
    """An answer that executed nothing: these errors (coded already)."""
    return Answer(
        data=None, errors=[formatted(error) for error in errors], executed=False, status=status
    )


def refused(status: int, code: ErrorCode, message: str) -> Answer:
    """An answer that executed nothing: one error with its code."""
    error = GraphQLError(message, extensions={"code": code.value})
    return Answer(data=None, errors=[formatted(error)], executed=False, status=status)


def method_not_allowed(operation: OperationType, allowed: Collection[OperationType]) -> Answer:
    if operation is OperationType.MUTATION:
        message = "Mutations are sent with POST; GET runs queries only."
        allow = "POST"
    else:
        message = f"{operation.value.capitalize()} operations are not served on this transport."
        allow = "GET, POST"
    answer = refused(405, ErrorCode.METHOD_NOT_ALLOWED, message)
    answer.headers["allow"] = allow
    return answer
