from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from models.sql import Row, timestamp
from schema.context import Info
from schema.core.node import Node
from schema.core.pagination import (
    After,
    Before,
    Connection,
    First,
    Last,
    Order,
    connection,
    page_of,
)
from schema.member.types import Member

if TYPE_CHECKING:
    from schema.article.types import Article


@strawberry.enum(description="How to sort comments.")
class CommentOrder(Enum):
    OLDEST = strawberry.enum_value(
        "OLDEST", description="The conversation in the order it happened."
    )
    NEWEST = strawberry.enum_value("NEWEST", description="Most recent first.")


COMMENT_ORDERS = {
    CommentOrder.OLDEST: Order("comment:OLDEST", "created_at", descending=False),
    CommentOrder.NEWEST: Order("comment:NEWEST", "created_at", descending=True),
}


@strawberry.type(
    description="A comment on an article, or a reply to another comment, at any depth."
)
class Comment(Node):
    body: str = strawberry.field(description="What the member wrote (plain text).")
    reply_count: int = strawberry.field(description="How many direct replies the comment has.")
    created_at: datetime = strawberry.field(description="When the comment was written (UTC).")
    article_id: strawberry.Private[int]
    author: Member = strawberry.field(description="Who wrote the comment.")
    parent_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Row) -> Comment:
        return cls(
            pk=row["id"],
            body=row["body"],
            reply_count=row["reply_count"],
            created_at=timestamp(row["created_at"]),
            article_id=row["article_id"],
            author=Member(pk=row["author_id"], name=row["author_name"]),
            parent_id=row["parent_id"],
        )

    @strawberry.field(description="The article the comment belongs to.")
    async def article(
        self, info: Info
    ) -> Annotated[Article, strawberry.lazy("schema.article.types")]:
        article = await info.context.loaders.article_by_id.load(self.article_id)
        if article is None:
            raise LookupError(f"comment {self.pk} is on no visible article")
        return article

    @strawberry.field(description="The comment this one replies to; null for a top-level comment.")
    async def parent(self, info: Info) -> Comment | None:
        if self.parent_id is None:
            return None
        return await info.context.loaders.comment_by_id.load(self.parent_id)

    @strawberry.field(
        description="Direct replies to this comment, oldest first unless `orderBy` says otherwise."
    )
    async def replies(
        self,
        info: Info,
        first: First = strawberry.UNSET,
        after: After = strawberry.UNSET,
        last: Last = strawberry.UNSET,
        before: Before = strawberry.UNSET,
        order_by: Annotated[
            CommentOrder | None, strawberry.argument(description="How to sort the replies.")
        ] = CommentOrder.OLDEST,
    ) -> Connection[Comment]:
        page = page_of(COMMENT_ORDERS[order_by or CommentOrder.OLDEST], first, after, last, before)
        rows = await info.context.loaders.replies_by_comment.load((self.pk, page))
        return connection(rows, page, Comment.from_row, self._reply_count)

    async def _reply_count(self) -> int:
        return self.reply_count
