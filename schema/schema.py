"""The schema, composed from each area's queries and mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry
from graphql import FieldNode, GraphQLError, ValidationRule
from strawberry.schema.config import StrawberryConfig

from schema.account.mutations import AccountMutation
from schema.account.queries import AccountQuery
from schema.article.mutations import ArticleMutation
from schema.article.subscriptions import ArticleSubscription
from schema.comment.mutations import CommentMutation
from schema.comment.subscriptions import CommentSubscription
from schema.core.errors import ErrorCode
from schema.core.scalars import DateTime
from schema.group.mutations import GroupMutation
from schema.group.queries import GroupQuery
from schema.group.subscriptions import GroupSubscription
from schema.node.queries import NodeQuery
from schema.reaction.mutations import ReactionMutation


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


# One schema: what settings change (limits, introspection, masking) is the engine's.
schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    config=StrawberryConfig(scalar_map={datetime: DateTime}),
)
