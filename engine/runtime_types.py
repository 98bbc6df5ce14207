"""The object type of a value, as planned execution checks it: once per Python class.

Values are trusted to be of their declared types, as graphql-jit trusts them: an object
type's `is_type_of` is asked once per Python class, and an abstract type's runtime type is
resolved once per class too (no value here is cast to another type).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLInterfaceType, GraphQLObjectType, GraphQLUnionType
from graphql.execution.executor import Executor
from graphql.pyutils import Path, inspect

from engine.inputs import FieldInputs
from engine.plan import Completion, FieldPlan
from engine.positions import Position, path_of
from engine.waiting import is_awaitable


class RuntimeTypes:
    """The type checks of one execution, remembered per (type, Python class)."""

    def __init__(self, executor: Executor[Any], inputs: FieldInputs) -> None:
        self.executor = executor
        self.inputs = inputs
        self.type_checked: dict[tuple[str, type], bool] = {}
        self.runtime_types: dict[tuple[int, type], GraphQLObjectType] = {}

    def is_type_of(self, object_type: GraphQLObjectType, value: Any) -> bool:
        """Checked once per Python class (no value here is cast to another type)."""
        memo = (object_type.name, type(value))
        known = self.type_checked.get(memo)
        if known is None:
            assert object_type.is_type_of is not None
            known = self.type_checked[memo] = bool(object_type.is_type_of(value, None))  # type: ignore[arg-type]
        return known

    def runtime_type(
        self,
        completion: Completion,
        value: Any,
        parent: Position,
        key: str | int,
        plan: FieldPlan,
    ) -> GraphQLObjectType:
        memo = (id(completion), type(value))
        known = self.runtime_types.get(memo)
        if known is not None:
            return known
        abstract = completion.graphql_type
        assert isinstance(abstract, GraphQLInterfaceType | GraphQLUnionType)
        info = self.inputs.raw_info(plan, Path(path_of(parent), key, None))
        resolve_type = abstract.resolve_type or self.executor.type_resolver
        name = resolve_type(value, info, abstract)
        if is_awaitable(name):
            raise TypeError(f"resolve_type of {abstract} must not be asynchronous here")
        runtime_type = self.executor.ensure_valid_runtime_type(
            name, abstract, plan.details, info, value
        )
        self.runtime_types[memo] = runtime_type
        return runtime_type


def wrong_type(object_type: GraphQLObjectType, value: Any, plan: FieldPlan) -> GraphQLError:
    return GraphQLError(
        f"Expected value of type '{object_type.name}' but got: {inspect(value)}.", plan.nodes
    )
