"""graphql-core's executor: the reference every planned answer must equal.

It runs every operation with `GRAPHQL_PLANS=off`, and with plans on what the planner does
not support and the queries whose errors' order only graphql-core can decide (see
`engine.executor`). The planned executor also borrows its state (variables, resolve infos,
runtime type checks) from the executor built here.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from graphql import DocumentNode, ExecutionResult, GraphQLSchema

from engine.answers import Operation
from engine.strawberry import execution_context_class, is_awaitable
from schema.context import Context


def executor(
    schema: GraphQLSchema,
    node: DocumentNode,
    context: Context,
    operation: Operation,
    root: Any,
    mask: bool,
) -> Any:
    """graphql-core's executor for this operation, or the errors of its variables."""
    return execution_context_class().build(
        schema,
        node,
        root,
        context,
        operation.variables,
        operation.operation_name,
        is_awaitable=is_awaitable,
        hide_suggestions=mask,
    )


async def execute(executor: Any) -> ExecutionResult:
    """The operation run to its end, and nothing of it left running.

    graphql-core leaves the siblings of a field that failed to settle in the background: they
    are awaited here, until none is left. A resolver's coroutine that graphql-core made but
    dropped without starting (a sibling of a field whose error nulled their parent first) is
    closed: it never ran, as graphql-core's answer says, and closing it spares the "never
    awaited" warning."""
    made: list[Any] = []

    def recording(value: Any) -> bool:
        awaitable = is_awaitable(value)
        if awaitable and inspect.iscoroutine(value):
            made.append(value)
        return bool(awaitable)

    executor.is_awaitable = recording
    try:
        result = executor.execute_operation()
        if is_awaitable(result):
            result = await result
        while executor.background_futures:  # settling may leave more to settle
            await asyncio.gather(*executor.background_futures, return_exceptions=True)
            executor.background_futures.difference_update(
                {future for future in executor.background_futures if future.done()}
            )
    finally:
        for coroutine in made:
            if inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED:
                coroutine.close()
    assert isinstance(result, ExecutionResult)  # no @defer or @stream in this schema
    return result
