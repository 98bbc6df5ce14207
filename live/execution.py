"""Preparing and executing operations for the hub: the one place it meets the engine.

The hub needs two things: an operation checked once when a client subscribes
(limits, validation, budgets, coerced arguments), and its selection executed
once per event with the event's fresh object as the root value (a
subscription field resolves to its root value). `Engine` names those two
steps; `CoreEngine` does them with the HTTP runner's checks and graphql-core's
`execute`, until the shared engine takes over.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, cast

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute,
    get_operation_ast,
)
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.execution import optimized_is_awaitable

from schema.context import Context
from schema.core.direct import DirectExecutionContext
from schema.core.errors import ErrorCode, add_codes
from schema.core.execution import CACHED_QUERY_LENGTH, Runner
from schema.core.limits import node_count, refusal, spend_budgets


@dataclass(frozen=True, slots=True)
class Operation:
    """A checked operation, with the root field a subscription has (None otherwise)."""

    query: str
    document: DocumentNode
    definition: OperationDefinitionNode
    operation_name: str | None
    variables: Mapping[str, Any]
    field: FieldNode | None
    arguments: Mapping[str, Any]  # the root field's, coerced

    @property
    def is_subscription(self) -> bool:
        return self.definition.operation is OperationType.SUBSCRIPTION

    @property
    def field_name(self) -> str:
        return self.field.name.value if self.field is not None else ""


class Engine(Protocol):
    async def prepare(
        self,
        context: Context,
        query: str,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
    ) -> Operation | list[GraphQLError]:
        """Check an operation once (and spend the viewer's budgets); errors when refused."""

    async def execute(
        self, operation: Operation, context: Context, root: object
    ) -> ExecutionResult:
        """Execute the operation's selection on `root`, with `context`'s loaders."""


class CoreEngine:
    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    @property
    def graphql_schema(self) -> Any:
        return self.runner.graphql_schema

    async def prepare(
        self,
        context: Context,
        query: str,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
    ) -> Operation | list[GraphQLError]:
        runner = self.runner
        if len(query) > CACHED_QUERY_LENGTH:
            prepared = runner.prepare(query)
        else:
            prepared = runner.prepared.get(query, lambda: runner.prepare(query))
        if prepared.document is None:
            return self.refused(prepared.errors)
        document = prepared.document
        inputs = dict(variables or {})
        cost = node_count(document, inputs)
        try:
            if cost > runner.limits.nodes:
                raise refusal(ErrorCode.NODE_LIMIT_EXCEEDED, cost, runner.limits.nodes)
            await spend_budgets(context, document, operation_name, cost)
        except GraphQLError as error:
            return self.refused([error])
        if prepared.errors:
            return self.refused(list(prepared.errors))
        definition = get_operation_ast(document, operation_name)
        if definition is None:
            message = f"No operation named {operation_name!r}." if operation_name else ""
            return self.refused(
                [GraphQLError(message or "Name the operation to run: the document has several.")]
            )
        coerced = get_variable_values(
            self.graphql_schema,
            definition.variable_definitions or (),
            inputs,
            hide_suggestions=runner.mask_errors,
        )
        if isinstance(coerced, list):
            return self.refused(coerced, executed=True)
        field = root_field(document, definition)
        arguments: dict[str, Any] = {}
        if field is not None and definition.operation is OperationType.SUBSCRIPTION:
            root = self.graphql_schema.subscription_type
            definition_of: GraphQLField = root.fields[field.name.value]
            try:
                arguments = get_argument_values(definition_of, field, coerced)
            except GraphQLError as error:
                return self.refused([error], executed=True)
        return Operation(query, document, definition, operation_name, inputs, field, arguments)

    async def execute(
        self, operation: Operation, context: Context, root: object
    ) -> ExecutionResult:
        result = execute(
            self.graphql_schema,
            operation.document,
            root_value=root,
            context_value=context,
            variable_values=dict(operation.variables),
            operation_name=operation.operation_name,
            executor_class=DirectExecutionContext,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # a bool, no TypeGuard
            hide_suggestions=self.runner.mask_errors,
        )
        if optimized_is_awaitable(result):
            result = await cast("Awaitable[ExecutionResult]", result)
        assert isinstance(result, ExecutionResult)  # no @defer or @stream in this schema
        if result.errors:
            add_codes(list(result.errors), executed=True, mask=self.runner.mask_errors)
        return result

    def refused(self, errors: list[GraphQLError], *, executed: bool = False) -> list[GraphQLError]:
        add_codes(errors, executed=executed, mask=self.runner.mask_errors)
        return errors


def root_field(document: DocumentNode, definition: OperationDefinitionNode) -> FieldNode | None:
    """The operation's first root field, looking through fragments (a subscription has one)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }

    def first(selection_set: SelectionSetNode, seen: frozenset[str]) -> FieldNode | None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                return selection
            if isinstance(selection, InlineFragmentNode):
                found = first(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is None or fragment.name.value in seen:
                    continue
                found = first(fragment.selection_set, seen | {fragment.name.value})
            else:
                continue
            if found is not None:
                return found
        return None

    return first(definition.selection_set, frozenset())
