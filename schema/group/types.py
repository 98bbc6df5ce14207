from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from models.sql import Row, timestamp
from schema.article.types import ARTICLE_ORDERS, Article, ArticleOrder, prefetch_comments
from schema.context import Info
from schema.core.node import Node
from schema.core.pagination import (
    After,
    Before,
    Connection,
    First,
    Last,
    connection,
    empty_connection,
    page_of,
)


@strawberry.enum(description="Who can see a group and what is in it.")
class GroupPrivacy(Enum):
    PUBLIC = strawberry.enum_value("PUBLIC", description="Anyone sees the group and its content.")
    PRIVATE = strawberry.enum_value(
        "PRIVATE",
        description=(
            "Anyone sees the group's name, description and member count; only members see "
            "its articles, comments and member list. Joining makes a request that an owner "
            "or admin approves."
        ),
    )
    SECRET = strawberry.enum_value(
        "SECRET",
        description=(
            "Only members know the group exists; to anyone else it answers as if it did not. "
            "People join only by being added."
        ),
    )


@strawberry.type(description="A community group: its members, and the articles they post.")
class Group(Node):
    slug: str = strawberry.field(description="The group's unique, URL-safe handle.")
    name: str = strawberry.field(description="The group's name, exactly as its owners wrote it.")
    description: str = strawberry.field(description="What the group is about (plain text).")
    privacy: GroupPrivacy = strawberry.field(description="Who can see the group and its content.")
    member_count: int = strawberry.field(description="How many members the group has, exactly.")
    created_at: datetime = strawberry.field(description="When the group was created (UTC).")

    @classmethod
    def from_row(cls, row: Row) -> Group:
        return cls(
            pk=row["id"],
            slug=row["slug"],
            name=row["name"],
            description=row["description"],
            privacy=GroupPrivacy(row["privacy"]),
            member_count=row["member_count"],
            created_at=timestamp(row["created_at"]),
        )

    @strawberry.field(
        description="The group's articles, newest first unless `orderBy` says otherwise."
    )
    async def articles(
        self,
        info: Info,
        first: First = strawberry.UNSET,
        after: After = strawberry.UNSET,
        last: Last = strawberry.UNSET,
        before: Before = strawberry.UNSET,
        order_by: Annotated[
            ArticleOrder | None, strawberry.argument(description="How to sort the articles.")
        ] = ArticleOrder.NEWEST,
    ) -> Connection[Article]:
        page = page_of(ARTICLE_ORDERS[order_by or ArticleOrder.NEWEST], first, after, last, before)
        if not (await info.context.access()).reads_group(self.privacy.name, self.pk):
            return empty_connection(page)
        loaders = info.context.loaders
        rows = await loaders.articles_by_group.load((self.pk, page))
        articles = connection(
            rows, page, Article.from_row, lambda: loaders.article_count_by_group.load(self.pk)
        )
        await prefetch_comments(info, articles.nodes)
        return articles
