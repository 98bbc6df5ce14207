"""What the engine takes from Strawberry's internals, in one place.

Pinned (pyproject.toml) to the versions this was written and tested against;
`engine.versions` refuses to start on others.
"""

from __future__ import annotations

from typing import Any

from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

is_awaitable: Any = optimized_is_awaitable


def graphql_schema(schema: Any) -> Any:
    """graphql-core's schema under a Strawberry schema."""
    return schema._schema


def execution_context_class() -> type[StrawberryGraphQLCoreExecutionContext]:
    """graphql-core's executor as Strawberry runs it: resolvers get Strawberry's infos."""
    return StrawberryGraphQLCoreExecutionContext
