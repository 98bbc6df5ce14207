"""Limits on what one request may ask, checked before any resolver runs.

Tokens are counted before parsing; depth, aliases, directives and the node
count after parsing and before validation, on the document with its fragments
inlined (a fragment cycle is left to validation, which refuses it). Each
refusal is a GraphQL error naming the limit and the measured value, its
`extensions.code` saying which limit.

The node count follows GitHub: every connection asks for `first` (or `last`,
or 20) items, times the items of every connection above it; `nodes(ids:)`
asks for one per id. It is the request's cost, reported in every response as
`extensions.cost` ({requested, limit}) and spent from the viewer's rate limit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Source,
    TokenKind,
    VariableNode,
)
from graphql.language.lexer import Lexer
from strawberry.extensions import SchemaExtension

from schema.core.cache import Memo
from schema.core.errors import ErrorCode
from schema.core.pagination import DEFAULT_PAGE_SIZE
from schema.core.rate_limits import Budget


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
    ErrorCode.TOKEN_LIMIT_EXCEEDED: "The document has {measured:,} tokens; the limit is {limit:,}.",
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


_tokens: Memo[int] = Memo(1024)


def count_tokens(query: str) -> int:
    """How many tokens the lexer reads (comments excluded); a syntax error stops the count."""

    def count() -> int:
        lexer = Lexer(Source(query))
        tokens = 0
        try:
            while lexer.advance().kind is not TokenKind.EOF:
                tokens += 1
        except GraphQLError:
            pass  # the parser will report it
        return tokens

    return _tokens.get(query, count)


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


def node_count(document: DocumentNode, variables: Mapping[str, Any]) -> int:
    """The GitHub-style node count of every operation in the document (the largest)."""
    fragments = _fragments(document)
    seen: dict[str, int] = {}
    count = max(
        (
            _nodes(operation.selection_set, fragments, variables, frozenset(), 1, seen)
            for operation in _operations(document)
        ),
        default=0,
    )
    return min(count, MAX_COST)


PAGED_ARGUMENTS = ("first", "last")
MAX_INT = 2**31 - 1
MAX_COST = 2**53 - 1  # what JSON numbers hold exactly in every client


def _nodes(
    selections: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    entered: frozenset[str],
    multiplier: int,
    seen: dict[str, int],
) -> int:
    """The node count below `selections`: linear in `multiplier`, so each fragment is
    counted once, at 1, and scaled wherever it is spread."""
    total = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue
            items = _items(selection, variables)
            below = multiplier * items if items is not None else multiplier
            if items is not None:
                total += below
            if selection.selection_set:
                total += _nodes(selection.selection_set, fragments, variables, entered, below, seen)
        elif isinstance(selection, InlineFragmentNode):
            total += _nodes(
                selection.selection_set, fragments, variables, entered, multiplier, seen
            )
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in entered and name in fragments:
                once = seen.get(name)
                if once is None:
                    fragment = fragments[name].selection_set
                    once = _nodes(fragment, fragments, variables, entered | {name}, 1, seen)
                    seen[name] = once
                total += multiplier * once
    return total


def _items(field: FieldNode, variables: Mapping[str, Any]) -> int | None:
    """How many items a field asks for: a connection's page size, the ids of `nodes`;
    None for a field that is not a list of nodes."""
    arguments = {argument.name.value: argument.value for argument in field.arguments or ()}
    if field.name.value == "nodes" and "ids" in arguments:
        ids = _value(arguments["ids"], variables)
        return len(ids) if isinstance(ids, list) else 1
    paged = [_value(arguments[name], variables) for name in PAGED_ARGUMENTS if name in arguments]
    sizes = [size for size in paged if isinstance(size, int)]
    if sizes:  # clamped to what an Int holds: validation refuses anything larger anyway
        return min(max(0, max(sizes)), MAX_INT)
    if _is_connection(field):
        return DEFAULT_PAGE_SIZE
    return None


def _is_connection(field: FieldNode) -> bool:
    """A field is paged when it selects `nodes` or `edges` (every connection of the schema)."""
    if not field.selection_set:
        return False
    names = {s.name.value for s in field.selection_set.selections if isinstance(s, FieldNode)}
    return bool(names & {"nodes", "edges", "pageInfo", "totalCount"})


def _value(node: Any, variables: Mapping[str, Any]) -> Any:
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, ListValueNode):
        return [_value(value, variables) for value in node.values]
    return None


_shapes: Memo[Shape] = Memo(1024)
SIGN_IN_FIELDS = frozenset({"signIn", "signUp"})


def _selected(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = list(_operations(document))
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((op for op in operations if op.name and op.name.value == name), None)


async def spend_budgets(
    context: Any, document: DocumentNode, operation_name: str | None, cost: int
) -> None:
    """Spend the viewer's budgets: a query its cost, a mutation one per call it makes
    (aliases count each), sign-ins and sign-ups their own tighter budget too."""
    spend = getattr(context, "spend", None)
    operation = _selected(document, operation_name)
    if spend is None or operation is None:
        return
    if operation.operation is OperationType.MUTATION:
        calls = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
        await spend(Budget.MUTATIONS, len(calls))
        await spend(Budget.SIGN_IN, sum(call.name.value in SIGN_IN_FIELDS for call in calls))
    else:
        await spend(Budget.QUERY_COST, max(1, cost))


class QueryLimits(SchemaExtension):
    """Refuses, before validation and execution, a request over any limit; reports its cost."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cost: int | None = None

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query
        if query is not None and self.execution_context.graphql_document is None:
            tokens = count_tokens(query)
            if tokens > self.limits.tokens:
                raise refusal(ErrorCode.TOKEN_LIMIT_EXCEEDED, tokens, self.limits.tokens)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            found = _shapes.get(context.query or id(document), lambda: shape(document))
            over = self.limits.refusal_of(found)
            if over is not None:
                raise over
            self.cost = node_count(document, context.variables or {})
            if self.cost > self.limits.nodes:
                raise refusal(ErrorCode.NODE_LIMIT_EXCEEDED, self.cost, self.limits.nodes)
            await spend_budgets(context.context, document, context.operation_name, self.cost)
        yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": {"requested": self.cost or 0, "limit": self.limits.nodes}}
