"""How the planned executor calls each field: Strawberry's resolvers without Strawberry's
wrapper where the wrapper adds nothing.

For every call, Strawberry's wrapper converts the arguments by looking their
types up again (names to snake case, enums to Python) and builds its chain of
field extensions. For fields that use none of what the wrapper is for
(permission classes, field extensions, input objects, lists), the call is
worked out once per schema here: the Python function, the argument names and
enum conversions, and whether it takes `info`. Everything else goes through the
wrapper (`field.resolve`), exactly as graphql-core's executor calls it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from graphql import GraphQLField
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

# How a field is resolved.
ATTRIBUTE = 0  # a plain attribute of the source (a field without a resolver)
DIRECT = 1  # the resolver function, called with converted arguments
WRAPPED = 2  # Strawberry's wrapper, with a full resolve info, as graphql-core calls it
TYPENAME = 3  # __typename: the runtime type's name


@dataclass(frozen=True, slots=True)
class Call:
    """How to call one field of the schema."""

    kind: int
    attribute: str | None = None
    function: Callable[..., Any] | None = None
    definition: StrawberryField | None = None
    wants_info: bool = False
    # GraphQL argument name -> (Python name, enum class to convert to, or None)
    arguments: tuple[tuple[str, str, type[Enum] | None], ...] = ()


WRAPPED_CALL = Call(WRAPPED)


def call_of(field: GraphQLField) -> Call:
    """The cheapest call that answers exactly as Strawberry's wrapper does."""
    definition = (field.extensions or {}).get("strawberry-definition")
    if not isinstance(definition, StrawberryField):
        return WRAPPED_CALL
    if definition.permission_classes or definition.extensions or definition.is_subscription:
        return WRAPPED_CALL
    if definition.base_resolver is None:
        if field.args:
            return WRAPPED_CALL
        return Call(ATTRIBUTE, attribute=definition.python_name, definition=definition)
    arguments: list[tuple[str, str, type[Enum] | None]] = []
    for argument in definition.arguments:
        if isinstance(argument.type, StrawberryMaybe):
            return WRAPPED_CALL  # Maybe[...] arrives wrapped in Some
        kind = (
            argument.type.of_type
            if isinstance(argument.type, StrawberryOptional)
            else argument.type
        )
        enum: Any = None
        if isinstance(kind, StrawberryEnumDefinition):
            enum = kind.wrapped_cls
        elif not isinstance(kind, type) or kind not in {int, str, bool, float}:
            return WRAPPED_CALL  # input objects, lists, IDs...
        graphql_name = argument.graphql_name or to_camel_case(argument.python_name)
        arguments.append((graphql_name, argument.python_name, enum))
    function: Callable[..., Any] = definition.base_resolver.wrapped_func  # type: ignore[assignment]
    parameters = list(inspect.signature(function).parameters)
    wants_info = "info" in parameters
    expected = ["self", *(["info"] if wants_info else []), *(p for _, p, _ in arguments)]
    if parameters[:1] != ["self"] or sorted(parameters) != sorted(expected):
        return WRAPPED_CALL  # a root by keyword, Info or Parent under other names
    return Call(
        DIRECT,
        function=function,
        definition=definition,
        wants_info=wants_info,
        arguments=tuple(arguments),
    )


def python_arguments(call: Call, coerced: dict[str, Any]) -> dict[str, Any]:
    """graphql-core's coerced arguments, as the resolver function takes them."""
    converted = {}
    for graphql_name, python_name, enum in call.arguments:
        if graphql_name in coerced:
            value = coerced[graphql_name]
            converted[python_name] = (
                enum(value) if enum is not None and value is not None else value
            )
    return converted
