"""What an operation costs, counted on its plan: every field that will execute, whatever
fragments it sits in.

The node count follows GitHub: every connection asks for `first` (or `last`,
or 20) items, times the items of every connection above it; `nodes(ids:)`
asks for one per id. For a field whose value can be of several object types
(`node`), the most expensive of them counts. It is the request's cost,
reported in every response as `extensions.cost` ({requested, limit}) and spent
from the viewer's rate limit.

A mutation spends one of the mutation budget per root field it executes
(aliases and fragments included: a response key is one call), and sign-ins and
sign-ups spend their own, tighter budget too. A document refused before it
could be planned (syntax, limits, validation, variables) spends the same,
counted on its text instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

from engine.plan import FieldPlan, Plan, Selection, possible_selections
from engine.resolvers import TYPENAME
from schema.core.pagination import DEFAULT_PAGE_SIZE

PAGED_ARGUMENTS = ("first", "last")
COUNTED = (*PAGED_ARGUMENTS, "ids")  # the arguments the count reads
MAX_INT = 2**31 - 1
MAX_COST = 2**53 - 1  # what JSON numbers hold exactly in every client
SIGN_IN_FIELDS = frozenset({"signIn", "signUp"})


@dataclass(frozen=True, slots=True)
class Calls:
    """The root fields a mutation executes, and how many of them sign in or up."""

    mutations: int
    sign_ins: int


def node_count(plan: Plan, variables: Mapping[str, Any]) -> int:
    """The node count of a planned operation with these (coerced) variables; kept on the
    plan when no variable changes it."""
    if plan.cost is not None:
        return plan.cost
    counter = _Counter(plan, variables)
    count = min(counter.selection(plan.root, 1), MAX_COST)
    if not counter.variable:
        plan.cost = count
    return count


class _Counter:
    def __init__(self, plan: Plan, variables: Mapping[str, Any]) -> None:
        self.planner = plan.planner
        self.variables = variables
        self.variable = False  # whether a variable was read

    def selection(self, selection: Selection, multiplier: int) -> int:
        total = 0
        for field in selection.fields:
            if field.name.startswith("__"):
                continue  # __typename, and introspection (bounded by the depth limit)
            items = self.items(field)
            below = multiplier * items if items is not None else multiplier
            if items is not None:
                total += below
            children = possible_selections(self.planner, field)
            if children:
                total += max(self.selection(child, below) for _, child in children)
        return total

    def items(self, field: FieldPlan) -> int | None:
        node = field.nodes[0]
        arguments = {argument.name.value: argument.value for argument in node.arguments or ()}
        if any(self.reads_variable(arguments[name]) for name in COUNTED if name in arguments):
            self.variable = True
        if field.name == "nodes" and "ids" in arguments:
            ids = _value(arguments["ids"], self.variables)
            return len(ids) if isinstance(ids, list) else 1
        sizes = [
            size
            for name in PAGED_ARGUMENTS
            if name in arguments
            and isinstance(size := _value(arguments[name], self.variables), int)
        ]
        if sizes:  # clamped to what an Int holds: validation refuses anything larger anyway
            return min(max(0, max(sizes)), MAX_INT)
        if get_named_type(field.definition.type).name.endswith("Connection"):
            return DEFAULT_PAGE_SIZE
        return None

    def reads_variable(self, node: Any) -> bool:
        if isinstance(node, VariableNode):
            return True
        return isinstance(node, ListValueNode) and any(map(self.reads_variable, node.values))


def _value(node: Any, variables: Mapping[str, Any]) -> Any:
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, ListValueNode):
        return [_value(value, variables) for value in node.values]
    return None


def planned_calls(plan: Plan) -> Calls:
    """What a planned mutation executes at its root."""
    names = [field.name for field in plan.root.fields if field.call.kind != TYPENAME]
    return Calls(len(names), sum(name in SIGN_IN_FIELDS for name in names))


def written_calls(document: DocumentNode, operation_name: str | None) -> Calls | None:
    """What a document that was never planned asks at its mutation's root (response keys,
    through inline and named fragments); None when it names no mutation."""
    operation = _selected(document, operation_name)
    if operation is None or operation.operation is not OperationType.MUTATION:
        return None
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    keys: dict[str, str] = {}
    for field in _root_fields(operation.selection_set, fragments, frozenset()):
        keys.setdefault((field.alias or field.name).value, field.name.value)
    names = [name for name in keys.values() if name != "__typename"]
    return Calls(len(names), sum(name in SIGN_IN_FIELDS for name in names))


def _root_fields(
    selections: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    entered: frozenset[str],
) -> Iterator[FieldNode]:
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments, entered)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in entered and name in fragments:
                yield from _root_fields(fragments[name].selection_set, fragments, entered | {name})


def _selected(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((op for op in operations if op.name and op.name.value == name), None)
