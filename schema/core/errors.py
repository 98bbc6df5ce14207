"""Error codes: every GraphQL error groupql returns carries `extensions.code`.

Expected failures of the request itself (a bad argument, a cursor that does not
decode) are raised as `UserInputError`; failures a client may handle as data
(not found, not counted) are in the schema as nullable fields or payload
fields instead.
"""

from __future__ import annotations

from enum import StrEnum

from graphql import GraphQLError


class ErrorCode(StrEnum):
    BAD_REQUEST = "BAD_REQUEST"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    TOKEN_LIMIT_EXCEEDED = "TOKEN_LIMIT_EXCEEDED"  # noqa: S105 - about lexer tokens
    DEPTH_LIMIT_EXCEEDED = "DEPTH_LIMIT_EXCEEDED"
    ALIAS_LIMIT_EXCEEDED = "ALIAS_LIMIT_EXCEEDED"
    DIRECTIVE_LIMIT_EXCEEDED = "DIRECTIVE_LIMIT_EXCEEDED"
    NODE_LIMIT_EXCEEDED = "NODE_LIMIT_EXCEEDED"
    FIELD_REPEAT_LIMIT_EXCEEDED = "FIELD_REPEAT_LIMIT_EXCEEDED"
    RATE_LIMITED = "RATE_LIMITED"
    TIMEOUT = "TIMEOUT"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
    PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
    INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    # Subscriptions (see `live.hub`)
    NOT_FOUND = "NOT_FOUND"
    TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"
    TOO_MANY_CONNECTIONS = "TOO_MANY_CONNECTIONS"
    SUBSCRIBER_TOO_SLOW = "SUBSCRIBER_TOO_SLOW"


class UserInputError(GraphQLError):
    """An argument the client sent cannot be used; the message says which and why."""

    def __init__(self, message: str, *, argument: str) -> None:
        super().__init__(
            message, extensions={"code": ErrorCode.BAD_USER_INPUT.value, "argument": argument}
        )


class NotFoundError(GraphQLError):
    """An id that is malformed, unknown, deleted or out of the viewer's sight: all alike."""

    def __init__(self, type_name: str, global_id: str, *, argument: str) -> None:
        super().__init__(
            f"No {type_name.lower()} you can see has this ID.",
            extensions={
                "code": ErrorCode.NOT_FOUND.value,
                "argument": argument,
                "id": global_id[:64],
            },
        )
