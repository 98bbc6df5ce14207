"""Operations generated from the schema, for the differential test.

Seeded and reproducible. Each operation picks fields of every type at random,
with what the planner has to get right: aliases, repeated fields that merge,
inline fragments on interfaces and on the same type, named fragments,
`@skip`/`@include` with literals and variables, arguments as literals and as
variables, and argument values from pools of real and broken ones (ids of every
type, unknown and malformed ids, cursors, page sizes out of bounds, excerpt
lengths out of bounds) so that answers carry nulls, empty lists and errors in
nested non-null fields.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    get_named_type,
    is_composite_type,
)

MAX_DEPTH = 4
MAX_ALIASES = 12


@dataclass
class Pools:
    """Argument values to draw from: real ones of the test data, and broken ones."""

    ids: list[str]
    slugs: list[str]
    cursors: list[str]
    sizes: list[int] = field(default_factory=lambda: [0, 1, 2, 3, 3, 101, -1])
    lengths: list[int] = field(default_factory=lambda: [1, 5, 40, 200, 0, 1001])
    texts: list[str] = field(
        default_factory=lambda: ["Oregon or Maine? I'm from Portland, Maine", '&<>"', "", "ok"]
    )


@dataclass
class Generated:
    query: str
    variables: dict[str, Any]


class Generator:
    def __init__(self, schema: GraphQLSchema, pools: Pools, seed: int) -> None:
        self.schema = schema
        self.pools = pools
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets

    def operation(self, kind: str = "query") -> Generated:
        self.variables: dict[str, tuple[str, Any]] = {}
        self.fragments: dict[str, str] = {}
        self.aliases = 0
        root = self.schema.mutation_type if kind == "mutation" else self.schema.query_type
        assert root is not None
        if kind == "mutation":
            body = self.mutation_fields(root)
        else:
            body = self.selection(root, 0, at_least=1 + self.rng.randrange(3))
        definitions = ", ".join(f"${name}: {type_}" for name, (type_, _) in self.variables.items())
        signature = f"({definitions})" if definitions else ""
        name = f"Generated{self.rng.randrange(10**6)}"
        text = f"{kind} {name}{signature} {{ {body} }}"
        text += "".join(f" {fragment}" for fragment in self.fragments.values())
        values = {name: value for name, (_, value) in self.variables.items()}
        return Generated(text, values)

    def mutation_fields(self, root: GraphQLObjectType) -> str:
        names = [
            "recordArticleView", "addComment", "addReaction", "removeReaction", "editComment",
            "deleteComment", "joinGroup", "leaveGroup", "pinArticle", "updateArticle",
        ]  # fmt: skip
        chosen = self.rng.sample([n for n in names if n in root.fields], self.rng.randint(1, 2))
        return " ".join(self.field(root, name, 0) for name in chosen)

    # Selections

    def selection(self, parent: GraphQLNamedType, depth: int, at_least: int = 1) -> str:
        if isinstance(parent, GraphQLInterfaceType):
            return self.abstract_selection(parent, depth)
        assert isinstance(parent, GraphQLObjectType)
        names = [name for name in parent.fields if self.usable(parent, name, depth)]
        count = min(len(names), max(at_least, self.rng.randint(1, 4)))
        parts = [self.field(parent, name, depth) for name in self.rng.sample(names, count)]
        if self.rng.random() < 0.1:
            parts.append("__typename")
        if parts and self.rng.random() < 0.08:
            parts.append(parts[0])  # the same field twice: merged into one
        if self.rng.random() < 0.1:
            parts = [f"... on {parent.name} {{ {' '.join(parts)} }}"]
        elif self.rng.random() < 0.1:
            parts = [f"... {self.condition()} {{ {' '.join(parts)} }}"]
        elif self.rng.random() < 0.1:
            parts = [self.fragment(parent, " ".join(parts))]
        return " ".join(parts)

    def abstract_selection(self, interface: GraphQLInterfaceType, depth: int) -> str:
        parts = []
        if self.rng.random() < 0.7:
            parts.append(self.selection_of_fields(interface, depth))
        implementers = list(self.schema.get_possible_types(interface))
        for object_type in self.rng.sample(implementers, self.rng.randint(1, len(implementers))):
            inner = self.selection(object_type, depth)
            if self.rng.random() < 0.2:
                parts.append(self.fragment(object_type, inner))
            else:
                parts.append(f"... on {object_type.name} {{ {inner} }}")
        if self.rng.random() < 0.3:
            parts.append("__typename")
        return " ".join(parts)

    def selection_of_fields(self, interface: GraphQLInterfaceType, depth: int) -> str:
        names = [name for name in interface.fields if self.usable(interface, name, depth)]
        chosen = self.rng.sample(names, self.rng.randint(1, len(names)))
        return " ".join(self.field(interface, name, depth) for name in chosen)

    def usable(self, parent: Any, name: str, depth: int) -> bool:
        composite = is_composite_type(get_named_type(parent.fields[name].type))
        return not (composite and depth >= MAX_DEPTH)

    def field(self, parent: Any, name: str, depth: int) -> str:
        definition = parent.fields[name]
        text = name
        if self.aliases < MAX_ALIASES and self.rng.random() < 0.15:
            self.aliases += 1
            text = f"a{self.aliases}_{name}: {name}"
        arguments = []
        for argument_name, argument in definition.args.items():
            required = isinstance(argument.type, GraphQLNonNull)
            if required or self.rng.random() < 0.45:
                arguments.append(f"{argument_name}: {self.argument(argument_name, argument.type)}")
        if arguments:
            text += f"({', '.join(arguments)})"
        if self.rng.random() < 0.07:
            text += f" {self.condition()}"
        named = get_named_type(definition.type)
        if is_composite_type(named):
            text += f" {{ {self.selection(named, depth + 1)} }}"
        return text

    def fragment(self, on: GraphQLNamedType, selection: str) -> str:
        name = f"F{len(self.fragments)}"
        self.fragments[name] = f"fragment {name} on {on.name} {{ {selection} }}"
        return f"...{name}"

    def condition(self) -> str:
        directive = self.rng.choice(["include", "skip"])
        if self.rng.random() < 0.5:
            return f"@{directive}(if: {self.rng.choice(['true', 'false'])})"
        return f"@{directive}(if: {self.variable('Boolean!', self.rng.random() < 0.5)})"

    # Argument values

    def argument(self, name: str, input_type: GraphQLInputType) -> str:
        value = self.value(name, input_type)
        if self.rng.random() < 0.3:
            return self.variable(str(input_type), value)
        return literal(value, input_type)

    def variable(self, type_: str, value: Any) -> str:
        name = f"v{len(self.variables)}"
        self.variables[name] = (type_, value)
        return f"${name}"

    def value(self, name: str, input_type: GraphQLInputType) -> Any:
        required = isinstance(input_type, GraphQLNonNull)
        inner = input_type.of_type if isinstance(input_type, GraphQLNonNull) else input_type
        if not required and self.rng.random() < 0.1:
            return None
        if isinstance(inner, GraphQLList):
            return [self.value(name, inner.of_type) for _ in range(self.rng.randint(0, 3))]
        if isinstance(inner, GraphQLInputObjectType):
            return {
                field_name: self.value(field_name, field_.type)
                for field_name, field_ in inner.fields.items()
                if isinstance(field_.type, GraphQLNonNull) or self.rng.random() < 0.5
            }
        if isinstance(inner, GraphQLEnumType):
            return self.rng.choice(list(inner.values))
        if inner is GraphQLID or name.lower().endswith(("id", "ids")):
            return self.rng.choice(self.pools.ids)
        if inner is GraphQLInt:
            if name in {"first", "last"}:
                return self.rng.choice(self.pools.sizes)
            return self.rng.choice(self.pools.lengths)
        if inner is GraphQLBoolean:
            return self.rng.random() < 0.5
        if inner is GraphQLString:
            if name == "slug":
                return self.rng.choice(self.pools.slugs)
            if name in {"after", "before"}:
                return self.rng.choice(self.pools.cursors)
            return self.rng.choice(self.pools.texts)
        return self.rng.choice(self.pools.texts)


def literal(value: Any, input_type: GraphQLInputType) -> str:
    """`value` written as a GraphQL literal of `input_type`."""
    inner = input_type.of_type if isinstance(input_type, GraphQLNonNull) else input_type
    if value is None:
        return "null"
    if isinstance(inner, GraphQLList):
        return "[" + ", ".join(literal(item, inner.of_type) for item in value) + "]"
    if isinstance(inner, GraphQLInputObjectType):
        fields = ", ".join(
            f"{name}: {literal(item, inner.fields[name].type)}" for name, item in value.items()
        )
        return "{" + fields + "}"
    if isinstance(inner, GraphQLEnumType):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return orjson.dumps(value).decode()
