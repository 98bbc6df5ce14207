"""Resolvers that graphql-core calls directly, without Strawberry's wrapper around each call.

For every call, Strawberry's wrapper converts the arguments by looking their
types up again (names to snake case, enums to Python) and builds its chain of
field extensions: on the group page, with an excerpt and a page of comments for
each of 20 articles, that was a fifth of the CPU. For fields that use none of
what the wrapper is for (permission classes, field extensions, input objects),
`call_directly` installs a resolver that does the same conversion from a table
built once. The resolver functions and what they receive stay exactly the same.
Fields without a resolver read their attribute (`Attribute`), and over HTTP
`DirectExecutionContext` answers the scalar ones without a resolve info.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    Undefined,
    get_nullable_type,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info
from strawberry.utils.str_converters import to_camel_case


def call_directly(graphql_schema: Any, skip: frozenset[str] = frozenset({"Mutation"})) -> int:
    """Install direct resolvers wherever the wrapper adds nothing; returns how many."""
    installed = 0
    for name, graphql_type in graphql_schema.type_map.items():
        if name.startswith("__") or name in skip or not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field in graphql_type.fields.values():
            resolver = _direct(field)
            if resolver is not None:
                field.resolve = resolver
                installed += 1
    return installed


def _direct(field: GraphQLField) -> Callable[..., Any] | None:
    definition = (field.extensions or {}).get("strawberry-definition")
    if not isinstance(definition, StrawberryField):
        return None
    if definition.permission_classes or definition.extensions:
        return None
    if definition.base_resolver is None:
        leaf = get_nullable_type(field.type)
        coerce = (
            leaf.coerce_output_value
            if isinstance(leaf, GraphQLScalarType | GraphQLEnumType) and not field.args
            else None
        )
        return Attribute(definition.python_name, coerce)
    converters: dict[str, tuple[str, Any]] = {}
    for argument in definition.arguments:
        if isinstance(argument.type, StrawberryMaybe):
            return None  # Maybe[...] arrives wrapped in Some: left to Strawberry
        kind = (
            argument.type.of_type
            if isinstance(argument.type, StrawberryOptional)
            else argument.type
        )
        enum: Any = None
        if isinstance(kind, StrawberryEnumDefinition):
            enum = kind.wrapped_cls
        elif not isinstance(kind, type) or kind not in {int, str, bool, float}:
            return None  # input objects, lists, IDs...: left to Strawberry
        converters[argument.graphql_name or to_camel_case(argument.python_name)] = (
            argument.python_name,
            enum,
        )
    function: Callable[..., Any] = definition.base_resolver.wrapped_func  # type: ignore[assignment]
    parameters = list(inspect.signature(function).parameters)
    wants_info = "info" in parameters
    expected = ["self", *(["info"] if wants_info else []), *(p for p, _ in converters.values())]
    if parameters[:1] != ["self"] or sorted(parameters) != sorted(expected):
        return None  # a root by keyword, Info or Parent under other names: left to Strawberry

    def resolve(source: Any, info: GraphQLResolveInfo[Any], **kwargs: Any) -> Any:
        arguments = {}
        for name, value in kwargs.items():
            python_name, enum = converters[name]
            arguments[python_name] = (
                enum(value) if enum is not None and value is not None else value
            )
        if wants_info:
            arguments["info"] = Info(_raw_info=info, _field=definition)
        return function(source, **arguments)

    return resolve


class Attribute:
    """A field without a resolver: the attribute, as Strawberry's default resolver reads it.
    `coerce` is its scalar's or enum's output coercion when the field is a leaf, which lets
    `DirectExecutionContext` answer it without building a resolve info."""

    __slots__ = ("coerce", "name")

    def __init__(self, name: str, coerce: Callable[[Any], Any] | None) -> None:
        self.name = name
        self.coerce = coerce

    def __call__(self, source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        return getattr(source, self.name)


class DirectExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with leaf attributes answered straight away.

    About two thirds of the group page's fields are plain attributes of scalars: for each,
    graphql-core builds a resolve info, calls the resolver, checks for an awaitable and
    completes the value. Here a leaf `Attribute` with a value is read and coerced directly;
    a null, or anything that raises, goes the usual way, which reports it as graphql-core
    does."""

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        field = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
        resolve = field.resolve if field is not None else None
        if type(resolve) is Attribute and resolve.coerce is not None:
            try:
                value = getattr(source, resolve.name)
                coerced = None if value is None else resolve.coerce(value)
            except Exception:  # noqa: BLE001  # graphql-core reports it below
                coerced = None
            if coerced is not None and coerced is not Undefined:
                return coerced
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
