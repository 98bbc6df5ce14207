"""One engine for every GraphQL operation, whatever the transport (see `engine.engine`)."""

from engine.answers import Answer, Operation
from engine.engine import Engine

__all__ = ["Answer", "Engine", "Operation"]
