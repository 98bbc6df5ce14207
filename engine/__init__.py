"""One engine for every GraphQL operation, whatever the transport (see `engine.engine`)."""

from engine.answers import Answer, Operation
from engine.engine import Engine
from engine.logs import log_operation

__all__ = ["Answer", "Engine", "Operation", "log_operation"]
