"""The schema, composed from each area's queries and mutations."""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial
from typing import Any

import strawberry
from graphql import FieldNode, GraphQLError, ValidationRule
from strawberry.extensions import AddValidationRules, ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.account.mutations import AccountMutation
from schema.account.queries import AccountQuery
from schema.article.mutations import ArticleMutation
from schema.article.subscriptions import ArticleSubscription
from schema.comment.mutations import CommentMutation
from schema.comment.subscriptions import CommentSubscription
from schema.core.direct import call_directly
from schema.core.errors import ErrorCode, add_codes
from schema.core.limits import Limits, QueryLimits
from schema.core.scalars import DateTime
from schema.group.mutations import GroupMutation
from schema.group.queries import GroupQuery
from schema.group.subscriptions import GroupSubscription
from schema.node.queries import NodeQuery
from schema.reaction.mutations import ReactionMutation
from settings import Settings


@strawberry.type(description="The entry points for reading groups, articles and comments.")
class Query(AccountQuery, GroupQuery, NodeQuery):
    pass


@strawberry.type(description="The entry points for changing data.")
class Mutation(AccountMutation, GroupMutation, ArticleMutation, CommentMutation, ReactionMutation):
    pass


@strawberry.type(
    description=(
        "Live data, over WebSocket (graphql-transport-ws) or Server-Sent Events: what changes "
        "while you watch."
    )
)
class Subscription(ArticleSubscription, CommentSubscription, GroupSubscription):
    pass


class Schema(strawberry.Schema):
    """Strawberry's schema, giving every error a code (and masking unexpected ones)."""

    mask_errors = False

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        executed = execution_context is not None and execution_context.result is not None
        add_codes(errors, executed=executed, mask=self.mask_errors)
        if self.mask_errors:  # no "Did you mean" of any kind in production: it maps the schema
            for error in errors:
                error.message = SUGGESTION.sub("", error.message)


SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")


class NoIntrospection(ValidationRule):
    """Refuses `__schema` and `__type` (not `__typename`) where introspection is off."""

    def enter_field(self, node: FieldNode, *_: object) -> None:
        if node.name.value in {"__schema", "__type"}:
            self.report_error(
                GraphQLError(
                    "Introspection is disabled on this server.",
                    node,
                    extensions={"code": ErrorCode.INTROSPECTION_DISABLED.value},
                )
            )


def limits_of(settings: Settings) -> Limits:
    return Limits(
        depth=settings.max_depth,
        aliases=settings.max_aliases,
        tokens=settings.max_tokens,
        directives=settings.max_directives,
        nodes=settings.max_nodes,
        repeats=settings.max_field_repeats,
    )


def build_schema(settings: Settings) -> Schema:
    """The schema as `settings` configure it: limits, introspection, error messages (for
    `Schema.execute`, which the WebSocket transport uses; HTTP runs `schema.core.execution`)."""
    limits = limits_of(settings)
    extensions: list[Any] = [partial(QueryLimits, limits), ParserCache, ValidationCache]
    if not settings.introspection:
        extensions.append(partial(AddValidationRules, [NoIntrospection]))
    built = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(
            scalar_map={datetime: DateTime}, disable_field_suggestions=settings.production
        ),
    )
    built.mask_errors = settings.production
    call_directly(built._schema)
    return built


# The schema as developed: for the committed SDL, and for tests that need no settings.
schema = build_schema(Settings())
