"""Every GraphQL error the engine answers carries `extensions.code`.

Unexpected errors get an `errorId`, logged with the traceback; in production
their message says only that, and the id. Errors that say the database cannot
be reached are answered as SERVICE_UNAVAILABLE: the request can be retried.
"""

from __future__ import annotations

import logging
import uuid

from graphql import GraphQLError, GraphQLSyntaxError

from models.availability import RETRY_AFTER_SECONDS, unavailable
from schema.core.errors import ErrorCode

logger = logging.getLogger("groupql.errors")


def add_codes(errors: list[GraphQLError], *, executed: bool, mask: bool = False) -> None:
    """Give every error an `extensions.code`; log unexpected ones with an `errorId`.

    `executed` tells errors raised while executing (variables that do not fit
    their types, resolver failures) from those of parsing and validation. With
    `mask`, an unexpected error says only "Internal server error" and its id:
    the rest is in the log.
    """
    for error in errors:
        extensions = error.extensions if error.extensions is not None else {}
        error.extensions = extensions
        if "code" in extensions:
            continue
        original = error.original_error
        if isinstance(error, GraphQLSyntaxError):
            extensions["code"] = ErrorCode.GRAPHQL_PARSE_FAILED.value
        elif original is not None and unavailable(original):
            extensions["code"] = ErrorCode.SERVICE_UNAVAILABLE.value
            extensions["retryAfter"] = RETRY_AFTER_SECONDS
            logger.warning("database unavailable at %s: %s", error.path, type(original).__name__)
            error.message = database_unavailable()
        elif original is not None and not isinstance(original, GraphQLError):
            error_id = uuid.uuid4().hex
            extensions["code"] = ErrorCode.INTERNAL_SERVER_ERROR.value
            extensions["errorId"] = error_id
            logger.error("unexpected error %s in %s", error_id, error.path, exc_info=original)
            if mask:
                error.message = f"Internal server error (error id {error_id})."
        elif executed:
            extensions["code"] = ErrorCode.BAD_USER_INPUT.value
        else:
            extensions["code"] = ErrorCode.GRAPHQL_VALIDATION_FAILED.value


def database_unavailable() -> str:
    return f"The database cannot be reached right now: try again in {RETRY_AFTER_SECONDS} s."
