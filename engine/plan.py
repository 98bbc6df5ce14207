"""Plans: what an operation will execute, worked out once per document.

A plan holds, for each selection set and each object type it can meet, the
fields collected with fragments and `@skip`/`@include` folded (graphql-core's
own `collect_fields`, so merging follows the specification), and for each
field how to call it (`engine.resolvers`), its arguments when they hold no
variables, and how to complete its value: leaf coercion, lists, non-null
wrappers, the plan of the object type below. Sub-selections are planned when
first needed and kept, so a plan grows at most to the size of its document
times the object types an abstract field can return.

A plan depends on the document, the operation, and the values of the variables
that `@skip` and `@include` read (`conditions`): the plan cache is keyed by all
three.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    Visitor,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    visit,
)
from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues, get_argument_values
from graphql.type.introspection import TypeNameMetaFieldDef

from engine.resolvers import ATTRIBUTE, TYPENAME, WRAPPED, Call, call_of

# How a value is completed.
LEAF = 0
OBJECT = 1
ABSTRACT = 2
LIST = 3


class PlanTooLargeError(Exception):
    """The plan would hold more fields than the planner allows for one document."""


@dataclass(slots=True, eq=False)
class Completion:
    """How to complete one value of a field: the return type, wrapper by wrapper."""

    nullable: bool
    kind: int
    graphql_type: GraphQLOutputType
    # LEAF: coercion, with a fast path for values of `passes` (returned as they are)
    coerce: Callable[[Any], Any] | None = None
    passes: type | None = None
    enum_class: type | None = None  # a Strawberry enum's Python class, and its members' names
    names: dict[Any, str] | None = None
    # OBJECT: the selection of this object type; ABSTRACT: one per runtime type
    selection: Selection | None = None
    selections: dict[str, Selection] = field(default_factory=dict)
    # LIST: the items
    item: Completion | None = None


@dataclass(slots=True, eq=False)
class FieldPlan:
    """One response key of one selection: the field, its call, its arguments, its value."""

    key: str
    name: str
    ordinal: int
    parent_type: GraphQLObjectType
    definition: GraphQLField
    details: list[FieldDetails]
    nodes: list[FieldNode]
    call: Call
    # Coerced arguments when they hold no variable (None: coerced per request)
    arguments: dict[str, Any] | None
    completion: Completion

    @property
    def kind(self) -> int:
        return self.call.kind


@dataclass(slots=True, eq=False)
class Selection:
    """The fields one object type answers for a set of field nodes."""

    type: GraphQLObjectType
    fields: list[FieldPlan]
    typename_only: bool = False


@dataclass(slots=True, eq=False)
class Plan:
    """An operation, planned: its root selection and what the planner saw of it."""

    operation: OperationDefinitionNode
    root: Selection
    planner: Planner
    unplanned: bool = False  # run on graphql-core's executor (introspection)
    cost: int | None = None  # the node count, when no variable changes it


LEAF_PASSES: dict[str, type] = {
    GraphQLString.name: str,
    GraphQLID.name: str,
    GraphQLBoolean.name: bool,
    GraphQLInt.name: int,  # within 32 bits: the executor checks the range
}
MAX_FIELD_PLANS = 20_000


class Planner:
    """Plans one operation of one document for given `@skip`/`@include` conditions."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDetails],
        operation: OperationDefinitionNode,
        variable_values: VariableValues,
        calls: Callable[[GraphQLField], Call],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.operation = operation
        self.variable_values = variable_values
        self.calls = calls
        self.size = 0

    def plan(self) -> Plan:
        root_type = self.schema.get_root_type(self.operation.operation)
        if root_type is None:
            raise PlanTooLargeError(f"no root type for {self.operation.operation.value}")
        grouped, _, _ = collect_fields(
            self.schema, self.fragments, self.variable_values, root_type, self.operation
        )
        return Plan(self.operation, self.selection(root_type, grouped), self)

    def subselection(
        self, completion: Completion, runtime_type: GraphQLObjectType, details: list[FieldDetails]
    ) -> Selection:
        """The selection of `runtime_type` below a field (planned on first use)."""
        found = completion.selections.get(runtime_type.name)
        if found is None:
            grouped, _, _ = collect_subfields(
                self.schema,
                self.fragments,
                self.variable_values,
                self.operation,
                runtime_type,
                details,
            )
            found = completion.selections[runtime_type.name] = self.selection(runtime_type, grouped)
        return found

    def selection(
        self, parent_type: GraphQLObjectType, grouped: dict[str, list[FieldDetails]]
    ) -> Selection:
        fields = []
        for ordinal, (key, details) in enumerate(grouped.items()):
            node = details[0].node
            name = node.name.value
            if name == "__typename":
                definition = TypeNameMetaFieldDef
                call = Call(TYPENAME)
            else:
                found = self.schema.get_field(parent_type, name)
                if found is None:
                    continue  # graphql-core skips it too (validation refuses it first)
                definition = found
                call = self.calls(definition) if not name.startswith("__") else Call(WRAPPED)
            self.size += 1
            if self.size > MAX_FIELD_PLANS:
                raise PlanTooLargeError(f"more than {MAX_FIELD_PLANS} fields")
            fields.append(
                FieldPlan(
                    key=key,
                    name=name,
                    ordinal=ordinal,
                    parent_type=parent_type,
                    definition=definition,
                    details=details,
                    nodes=[detail.node for detail in details],
                    call=call,
                    arguments=static_arguments(definition, node),
                    completion=completion_of(definition.type),
                )
            )
        typename_only = all(plan.call.kind == TYPENAME for plan in fields)
        return Selection(parent_type, fields, typename_only)


def completion_of(output_type: GraphQLOutputType) -> Completion:
    nullable = True
    if is_non_null_type(output_type):
        nullable = False
        output_type = output_type.of_type
    if is_list_type(output_type):
        assert isinstance(output_type, GraphQLList)
        return Completion(nullable, LIST, output_type, item=completion_of(output_type.of_type))
    if is_leaf_type(output_type):
        assert isinstance(output_type, GraphQLLeafType)
        enum_class, names = enum_names(output_type)
        return Completion(
            nullable,
            LEAF,
            output_type,
            coerce=output_type.coerce_output_value,
            passes=LEAF_PASSES.get(output_type.name),
            enum_class=enum_class,
            names=names,
        )
    if is_abstract_type(output_type):
        return Completion(nullable, ABSTRACT, output_type)
    assert isinstance(output_type, GraphQLObjectType)
    return Completion(nullable, OBJECT, output_type)


def enum_names(leaf: GraphQLLeafType) -> tuple[type | None, dict[Any, str] | None]:
    """For an enum of Strawberry's (resolvers return its Python members): the class and
    each member's name, as its own output coercion gives them."""
    wrapped = getattr(leaf, "wrapped_cls", None)
    if not isinstance(leaf, GraphQLEnumType) or not isinstance(wrapped, type):
        return None, None
    return wrapped, {member: leaf.coerce_output_value(member) for member in wrapped}  # type: ignore[attr-defined]


def static_arguments(definition: GraphQLField, node: FieldNode) -> dict[str, Any] | None:
    """The coerced arguments of a field node that names no variable; None when it does."""
    if not definition.args and not node.arguments:
        return {}
    if any(_names_variable(argument.value) for argument in node.arguments or ()):
        return None
    try:
        return get_argument_values(definition, node)
    except Exception:  # noqa: BLE001 - coerced per request, where the error is reported
        return None


def _names_variable(value: Any) -> bool:
    found = False

    class Finder(Visitor):
        def enter_variable(self, node: VariableNode, *_: Any) -> None:
            nonlocal found
            found = True

    visit(value, Finder())
    return found


def condition_variables(operation: OperationDefinitionNode, document: Any) -> tuple[str, ...]:
    """The variables that `@skip(if:)` and `@include(if:)` read anywhere in the document."""
    names: set[str] = set()

    class Finder(Visitor):
        def enter_directive(self, node: Any, *_: Any) -> None:
            if node.name.value in {"skip", "include"}:
                for argument in node.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        names.add(argument.value.name.value)

    visit(document, Finder())
    return tuple(sorted(names))


def is_mutation(plan: Plan) -> bool:
    return plan.operation.operation is OperationType.MUTATION


def unwrap(output_type: GraphQLOutputType) -> GraphQLOutputType:
    while isinstance(output_type, GraphQLNonNull | GraphQLList):
        output_type = output_type.of_type
    return output_type


def possible_selections(
    planner: Planner, plan: FieldPlan
) -> list[tuple[GraphQLObjectType, Selection]]:
    """Every selection below `plan` (one per object type its value can be)."""
    completion = plan.completion
    while completion.kind == LIST:
        assert completion.item is not None
        completion = completion.item
    if completion.kind == OBJECT:
        assert isinstance(completion.graphql_type, GraphQLObjectType)
        object_types = [completion.graphql_type]
    elif completion.kind == ABSTRACT:
        assert isinstance(completion.graphql_type, GraphQLAbstractType)
        object_types = list(planner.schema.get_possible_types(completion.graphql_type))
    else:
        return []
    return [
        (object_type, planner.subselection(completion, object_type, plan.details))
        for object_type in object_types
    ]


__all__ = [
    "ABSTRACT",
    "ATTRIBUTE",
    "LEAF",
    "LIST",
    "OBJECT",
    "Completion",
    "FieldPlan",
    "Plan",
    "PlanTooLargeError",
    "Planner",
    "Selection",
    "call_of",
    "condition_variables",
    "possible_selections",
]
