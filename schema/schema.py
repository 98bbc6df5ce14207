"""The schema, composed from each area's queries and mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.account.mutations import AccountMutation
from schema.account.queries import AccountQuery
from schema.article.mutations import ArticleMutation
from schema.comment.mutations import CommentMutation
from schema.core.errors import add_codes
from schema.core.scalars import DateTime
from schema.group.mutations import GroupMutation
from schema.group.queries import GroupQuery
from schema.node.queries import NodeQuery
from schema.reaction.mutations import ReactionMutation


@strawberry.type(description="The entry points for reading groups, articles and comments.")
class Query(AccountQuery, GroupQuery, NodeQuery):
    pass


@strawberry.type(description="The entry points for changing data.")
class Mutation(AccountMutation, GroupMutation, ArticleMutation, CommentMutation, ReactionMutation):
    pass


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        executed = execution_context is not None and execution_context.result is not None
        add_codes(errors, executed=executed)


schema = Schema(
    query=Query,
    mutation=Mutation,
    extensions=[ParserCache, ValidationCache],
    config=StrawberryConfig(scalar_map={datetime: DateTime}),
)
