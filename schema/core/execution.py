"""Running one operation over HTTP: limits, parse, validate, budgets, execute.

Strawberry's `Schema.execute` wraps each step in its extension machinery, which
cost a fifth of the CPU of a small mutation. Over HTTP the steps run here
instead, straight on graphql-core, with everything that depends only on the
query's text (tokens, parse, shape, validation) done once per distinct query
and remembered. The resolvers are Strawberry's, unchanged; the WebSocket
transport still goes through `Schema.execute`, where `QueryLimits` applies the
same limits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Collection
from dataclasses import dataclass
from typing import Any, cast

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSyntaxError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import ASTValidationRule
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType as StrawberryOperationType

from schema.core.cache import Memo
from schema.core.direct import DirectExecutionContext
from schema.core.errors import ErrorCode, add_codes
from schema.core.limits import Limits, count_tokens, node_count, refusal, shape, spend_budgets

CACHED_QUERY_LENGTH = 16 * 1024


@dataclass(frozen=True, slots=True)
class Prepared:
    """What a query's text alone decides: its document and validation errors, or, with
    no document, why it is refused before validation (tokens, syntax, shape)."""

    document: DocumentNode | None
    errors: list[GraphQLError]


@dataclass(slots=True)
class Outcome:
    """An operation's answer: `executed` is False for a request error (no `data`)."""

    data: dict[str, Any] | None
    errors: list[GraphQLError]
    cost: int
    executed: bool
    operation_name: str | None = None  # as the document names it, for logs


class Runner:
    def __init__(
        self,
        schema: Any,
        limits: Limits,
        *,
        rules: Collection[type[ASTValidationRule]] = (),
        mask_errors: bool = False,
    ) -> None:
        self.graphql_schema = schema._schema
        self.limits = limits
        self.rules = [*specified_rules, *rules]
        self.mask_errors = mask_errors
        self.prepared: Memo[Prepared] = Memo(1024)

    async def run(
        self,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: Any,
        allowed: Collection[StrawberryOperationType],
    ) -> Outcome:
        if len(query) > CACHED_QUERY_LENGTH:  # a client's queries are small: keep those only
            prepared = self.prepare(query)
        else:
            prepared = self.prepared.get(query, lambda: self.prepare(query))
        if prepared.document is None:
            return self.refused(prepared.errors, 0)
        document = prepared.document
        operation = get_operation_ast(document, operation_name)
        if operation is not None and (
            StrawberryOperationType(operation.operation.value) not in allowed
        ):
            raise InvalidOperationTypeError(StrawberryOperationType(operation.operation.value))
        named = operation.name.value if operation is not None and operation.name else None
        cost = node_count(document, variables or {})
        try:
            if cost > self.limits.nodes:
                raise refusal(ErrorCode.NODE_LIMIT_EXCEEDED, cost, self.limits.nodes)
            # Spent before validation answers: invalid documents cost their sender too.
            await spend_budgets(context, document, operation_name, cost)
        except GraphQLError as error:
            prepared = Prepared(None, [error])
        if prepared.errors:
            outcome = self.refused(list(prepared.errors), cost)
            outcome.operation_name = named
            return outcome
        if operation is None:
            raise CannotGetOperationTypeError(operation_name)
        result = execute(
            self.graphql_schema,
            document,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
            executor_class=DirectExecutionContext,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # a bool, no TypeGuard
            hide_suggestions=self.mask_errors,
        )
        if optimized_is_awaitable(result):
            result = await cast("Awaitable[ExecutionResult]", result)
        assert isinstance(result, ExecutionResult)  # no @defer or @stream in this schema
        errors = list(result.errors or ())
        add_codes(errors, executed=True, mask=self.mask_errors)
        # Variables that do not fit their types stop the operation before it starts.
        executed = result.data is not None or any(error.path for error in errors)
        return Outcome(result.data, errors, cost, executed, named)

    def prepare(self, query: str) -> Prepared:
        tokens = count_tokens(query)
        if tokens > self.limits.tokens:
            return Prepared(
                None, [refusal(ErrorCode.TOKEN_LIMIT_EXCEEDED, tokens, self.limits.tokens)]
            )
        try:
            document = parse(query)
        except GraphQLSyntaxError as error:
            return Prepared(None, [error])
        over = self.limits.refusal_of(shape(document))
        if over is not None:
            return Prepared(None, [over])
        errors = validate(
            self.graphql_schema, document, self.rules, hide_suggestions=self.mask_errors
        )
        return Prepared(document, errors)

    def refused(self, errors: list[GraphQLError], cost: int) -> Outcome:
        add_codes(errors, executed=False, mask=self.mask_errors)
        return Outcome(data=None, errors=errors, cost=cost, executed=False)


__all__ = ["OperationType", "Outcome", "Runner"]
