"""Preparing and executing operations for the hub: the one place it meets the engine.

The hub needs two things: an operation checked once when a client subscribes
(limits, validation, budgets, coerced arguments: the engine's `check`, the same
as for every other operation), and its selection executed once per event with
the event's fresh object as the root value (a subscription field resolves to its
root value: the engine's `execute_on`, planned like everything else).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    OperationDefinitionNode,
    OperationType,
)
from graphql.execution.values import get_argument_values

from engine.answers import Answer
from engine.answers import Operation as Request
from schema.context import Context

if TYPE_CHECKING:
    from engine.engine import Checked
    from engine.engine import Engine as GraphQLEngine

EVERY_OPERATION = frozenset(OperationType)


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
    checked: Any  # the engine's `Checked`

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
    ) -> Operation | Answer:
        """Check an operation once (and spend the viewer's budgets); an `Answer` when it is
        refused."""

    async def execute(
        self, operation: Operation, context: Context, root: object
    ) -> ExecutionResult:
        """Execute the operation's selection on `root`, with `context`'s loaders."""


class PlannedEngine:
    """The engine, as the hub calls it."""

    def __init__(self, engine: GraphQLEngine) -> None:
        self.engine = engine

    @property
    def graphql_schema(self) -> Any:
        return self.engine.graphql_schema

    async def prepare(
        self,
        context: Context,
        query: str,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
    ) -> Operation | Answer:
        request = Request(query, dict(variables or {}), operation_name)
        checked = await self.engine.check(request, context, EVERY_OPERATION)
        if isinstance(checked, Answer):
            return checked
        field, arguments = root_field(checked)
        return Operation(
            query,
            checked.node,
            checked.definition,
            operation_name,
            request.variables or {},
            field,
            arguments,
            checked,
        )

    async def execute(
        self, operation: Operation, context: Context, root: object
    ) -> ExecutionResult:
        checked: Checked = operation.checked
        return await self.engine.execute_on(checked, context, root)


def root_field(checked: Checked) -> tuple[FieldNode | None, dict[str, Any]]:
    """A subscription's one root field, with its coerced arguments (fragments folded by the
    plan); nothing for other operations."""
    if checked.definition.operation is not OperationType.SUBSCRIPTION or checked.plan is None:
        return None, {}
    fields = [field for field in checked.plan.root.fields if not field.name.startswith("__")]
    if not fields:
        return None, {}
    field = fields[0]
    node = field.nodes[0]
    return node, get_argument_values(field.definition, node, checked.executor.variable_values)
