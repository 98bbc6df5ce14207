"""Limits on what one document may ask, checked before it is validated or executed.

Tokens are counted before parsing, and the lexer stops one past the limit;
depth, aliases, directives and field repeats after parsing and before
validation, on the document with its fragments inlined (a fragment cycle is
left to validation, which refuses it). The node count is counted on the plan
(`engine.cost`). Each refusal is a GraphQL error naming the limit and the
measured value, its `extensions.code` saying which limit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
    TokenKind,
)
from graphql.language.lexer import Lexer

from schema.core.errors import ErrorCode
from settings import Settings


@dataclass(frozen=True, slots=True)
class Limits:
    depth: int = 10
    aliases: int = 15
    tokens: int = 2000
    directives: int = 50
    nodes: int = 10_000
    repeats: int = 10

    def refusal_of(self, found: Shape) -> GraphQLError | None:
        """The error for the first limit `found` goes past (depth, aliases, directives,
        field repeats), or None."""
        for code, measured, limit in (
            (ErrorCode.DEPTH_LIMIT_EXCEEDED, found.depth, self.depth),
            (ErrorCode.ALIAS_LIMIT_EXCEEDED, found.aliases, self.aliases),
            (ErrorCode.DIRECTIVE_LIMIT_EXCEEDED, found.directives, self.directives),
            (ErrorCode.FIELD_REPEAT_LIMIT_EXCEEDED, found.repeats, self.repeats),
        ):
            if measured > limit:
                return refusal(code, measured, limit)
        return None


@dataclass(frozen=True, slots=True)
class Shape:
    """What a document asks, before its variables are known (all but the node count)."""

    depth: int
    aliases: int
    directives: int
    repeats: int


MESSAGES = {
    ErrorCode.TOKEN_LIMIT_EXCEEDED: (
        "The document has more than {limit:,} tokens, the limit (it was not read further)."
    ),
    ErrorCode.DEPTH_LIMIT_EXCEEDED: "The query is {measured} levels deep; the limit is {limit}.",
    ErrorCode.ALIAS_LIMIT_EXCEEDED: "The query uses {measured} aliases; the limit is {limit}.",
    ErrorCode.DIRECTIVE_LIMIT_EXCEEDED: (
        "The query uses {measured} directives; the limit is {limit}."
    ),
    ErrorCode.FIELD_REPEAT_LIMIT_EXCEEDED: (
        "The query asks for one field {measured} times in one selection; the limit is {limit}."
    ),
    ErrorCode.NODE_LIMIT_EXCEEDED: (
        "The query asks for up to {measured:,} nodes; the limit is {limit:,} (each connection's "
        "first or last, 20 when not given, times those of the connections around it)."
    ),
}


def refusal(code: ErrorCode, measured: int, limit: int) -> GraphQLError:
    return GraphQLError(
        MESSAGES[code].format(measured=measured, limit=limit),
        extensions={"code": code.value, "limit": limit, "measured": measured},
    )


def count_tokens(query: str, limit: int) -> int:
    """How many tokens the lexer reads (comments excluded), up to `limit + 1`: the rest of a
    document over the limit is never lexed. A syntax error stops the count (the parser will
    report it)."""
    lexer = Lexer(Source(query))
    tokens = 0
    try:
        while tokens <= limit and lexer.advance().kind is not TokenKind.EOF:
            tokens += 1
    except GraphQLError:
        pass
    return tokens


def _operations(document: DocumentNode) -> Iterator[OperationDefinitionNode]:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            yield definition


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


def shape(document: DocumentNode) -> Shape:
    """Depth (introspection fields add none), aliases, directives and field repeats, with
    fragments inlined."""
    fragments = _fragments(document)
    seen: dict[tuple[str, bool], Tally] = {}
    total = Tally()
    for operation in _operations(document):
        total.directives += len(operation.directives or ())
        total.add(
            _walk(operation.selection_set, fragments, frozenset(), 0, exempt=False, seen=seen)
        )
    for fragment in fragments.values():
        total.directives += len(fragment.directives or ())
    return Shape(
        depth=total.depth,
        aliases=total.aliases,
        directives=total.directives,
        repeats=total.repeats,
    )


@dataclass(slots=True)
class Tally:
    depth: int = 0
    aliases: int = 0
    directives: int = 0
    repeats: int = 0

    def add(self, other: Tally) -> None:
        self.depth = max(self.depth, other.depth)
        self.aliases += other.aliases
        self.directives += other.directives
        self.repeats = max(self.repeats, other.repeats)

    def shifted(self, levels: int) -> Tally:
        return Tally(self.depth + levels, self.aliases, self.directives, self.repeats)


def _walk(
    selections: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    entered: frozenset[str],
    level: int,
    *,
    exempt: bool,
    seen: dict[tuple[str, bool], Tally],
) -> Tally:
    """What lies below `selections`, at `level`; `exempt`: inside introspection.

    A fragment is walked once (at level 0, then shifted): spreading the same fragment
    twice in each of twenty fragments must not take 2**20 walks."""
    tally = Tally(depth=level)
    keys: Counter[str] = Counter()
    for selection in selections.selections:
        tally.directives += len(selection.directives or ())
        if isinstance(selection, FieldNode):
            tally.aliases += selection.alias is not None
            keys[(selection.alias or selection.name).value] += 1
            inside = exempt or selection.name.value.startswith("__")
            below = level if inside else level + 1
            if selection.selection_set:
                tally.add(
                    _walk(
                        selection.selection_set, fragments, entered, below, exempt=inside, seen=seen
                    )
                )
            else:
                tally.add(Tally(depth=below))
        elif isinstance(selection, InlineFragmentNode):
            tally.add(
                _walk(selection.selection_set, fragments, entered, level, exempt=exempt, seen=seen)
            )
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in entered or name not in fragments:
                continue  # a cycle, or an unknown fragment: validation refuses both
            below_fragment = seen.get((name, exempt))
            if below_fragment is None:
                fragment = fragments[name].selection_set
                below_fragment = _walk(
                    fragment, fragments, entered | {name}, 0, exempt=exempt, seen=seen
                )
                seen[name, exempt] = below_fragment
            tally.add(below_fragment.shifted(level))
    tally.repeats = max(tally.repeats, max(keys.values(), default=0))
    return tally


def limits_of(settings: Settings) -> Limits:
    return Limits(
        depth=settings.max_depth,
        aliases=settings.max_aliases,
        tokens=settings.max_tokens,
        directives=settings.max_directives,
        nodes=settings.max_nodes,
        repeats=settings.max_field_repeats,
    )
