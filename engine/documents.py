"""Documents: what a query's text alone decides, worked out once per distinct text.

Tokens (the lexer stops one past the limit), parse, the shape limits and
validation, remembered with the plans made from the document. The cache is
bounded by entries and by the size of the texts it holds: a client's own
operations are few and small, so a document of more than `MAX_CACHED_LENGTH`
characters, or one refused before it parsed, is never kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import ASTValidationRule, KnownDirectivesRule

from engine.limits import Limits, count_tokens, refusal, shape
from schema.core.errors import ErrorCode

MAX_CACHED_DOCUMENTS = 1024
MAX_CACHED_CHARACTERS = 4 * 1024 * 1024
MAX_CACHED_LENGTH = 64 * 1024


@dataclass(slots=True, eq=False)
class Document:
    """A query text, parsed and validated; `node` is None when it was refused before."""

    node: DocumentNode | None
    errors: list[GraphQLError]
    length: int
    plans: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    conditions: tuple[str, ...] | None = None  # the variables @skip/@include read


class KnownDirectivesOnce(KnownDirectivesRule):
    """graphql-core's rule, reporting unknown directives once per document: ten unknown
    directives are one error, not ten (directive overloading)."""

    unknown_reported = False

    def report_error(self, error: GraphQLError) -> None:
        if error.message.startswith("Unknown directive"):
            if self.unknown_reported:
                return
            self.unknown_reported = True
        super().report_error(error)


class Documents:
    """Parsed and validated documents by their text (least recently used out first)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        limits: Limits,
        *,
        rules: Collection[type[ASTValidationRule]] = (),
        max_errors: int = 5,
        hide_suggestions: bool = False,
    ) -> None:
        self.schema = schema
        self.limits = limits
        self.rules = [
            KnownDirectivesOnce if rule is KnownDirectivesRule else rule
            for rule in (*specified_rules, *rules)
        ]
        self.max_errors = max_errors
        self.hide_suggestions = hide_suggestions
        self.cached: OrderedDict[str, Document] = OrderedDict()
        self.characters = 0

    def get(self, query: str) -> Document:
        found = self.cached.get(query)
        if found is not None:
            self.cached.move_to_end(query)
            return found
        document = self.prepare(query)
        if document.node is not None and document.length <= MAX_CACHED_LENGTH:
            self.keep(query, document)
        return document

    def keep(self, query: str, document: Document) -> None:
        self.cached[query] = document
        self.characters += document.length
        while len(self.cached) > MAX_CACHED_DOCUMENTS or self.characters > MAX_CACHED_CHARACTERS:
            _, dropped = self.cached.popitem(last=False)
            self.characters -= dropped.length

    def prepare(self, query: str) -> Document:
        length = len(query)
        tokens = count_tokens(query, self.limits.tokens)
        if tokens > self.limits.tokens:
            error = refusal(ErrorCode.TOKEN_LIMIT_EXCEEDED, tokens, self.limits.tokens)
            return Document(None, [error], length)
        try:
            node = parse(query)
        except GraphQLSyntaxError as error:
            return Document(None, [error], length)
        over = self.limits.refusal_of(shape(node))
        if over is not None:
            return Document(node, [over], length)
        errors = validate(
            self.schema,
            node,
            self.rules,
            max_errors=self.max_errors,
            hide_suggestions=self.hide_suggestions,
        )
        return Document(node, errors, length)
