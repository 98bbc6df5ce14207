"""Looking ahead into the query: which arguments a field further down is asked with.

Used to fetch, for a whole page of objects at once, what each object's field
will ask for, so that field can answer without waiting. Getting it wrong only
costs speed: a field whose data was not fetched ahead fetches it itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.types.nodes import get_variable_values

from schema.context import Info

Composite = GraphQLObjectType | GraphQLInterfaceType


def arguments_below(info: Info, path: Sequence[str]) -> list[dict[str, Any]]:
    """The coerced arguments (defaults applied) of each selection of the field at `path`.

    `path` is a chain of field names below the current field, e.g. ("nodes",
    "comments"). Fragments, inline or named, are looked through; every alias
    counts on its own.
    """
    raw = info._raw_info
    # Strawberry's executor hands resolvers the plain dict of coerced values;
    # graphql-core's argument coercion wants them wrapped.
    coerced = get_variable_values(raw)
    variables = VariableValues(sources={}, coerced=coerced)
    found: list[dict[str, Any]] = []

    def walk(selection_set: SelectionSetNode, parent: Composite, path: Sequence[str]) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                field = parent.fields.get(selection.name.value)
                if field is None or selection.name.value != path[0]:
                    continue
                if len(path) == 1:
                    found.append(get_argument_values(field, selection, variables))
                    continue
                child = get_named_type(field.type)
                if selection.selection_set and isinstance(child, Composite):
                    walk(selection.selection_set, child, path[1:])
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set, parent, path)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = raw.fragments.get(selection.name.value)
                if fragment is not None:
                    walk(fragment.selection_set, parent, path)

    returned = get_named_type(raw.return_type)
    for node in raw.field_nodes:
        if node.selection_set and isinstance(returned, Composite):
            walk(node.selection_set, returned, path)
    return found
