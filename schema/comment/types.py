from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from models.sql import Row, timestamp
from schema.context import Info
from schema.core.node import Node
from schema.core.ordering import by_reactions
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
from schema.reaction.types import Reactable, ReactionGroup

if TYPE_CHECKING:
    from schema.article.types import Article


@strawberry.enum(description="How to sort comments.")
class CommentOrder(Enum):
    OLDEST = strawberry.enum_value(
        "OLDEST", description="The conversation in the order it happened."
    )
    NEWEST = strawberry.enum_value("NEWEST", description="Most recent first.")
    TOP = strawberry.enum_value(
        "TOP",
        description=(
            "Most reactions first. The order is fixed when the first page is read, so paging "
            "on never repeats or skips a comment (for an hour; the best 1,000)."
        ),
    )


COMMENT_ORDERS = {
    CommentOrder.OLDEST: Order("comment:OLDEST", "created_at", descending=False),
    CommentOrder.NEWEST: Order("comment:NEWEST", "created_at", descending=True),
    CommentOrder.TOP: Order(
        "comment:TOP", "", descending=True, score=by_reactions, score_columns=("reaction_count",)
    ),
}


@strawberry.type(
    description="A comment on an article, or a reply to another comment, at any depth."
)
class Comment(Node, Reactable):
    body: str = strawberry.field(
        description="What the member wrote (plain text); empty once the comment is deleted."
    )
    author: Member | None = strawberry.field(
        description="Who wrote the comment; null once it is deleted."
    )
    depth: int = strawberry.field(
        description="0 for a comment on the article, 1 for a reply to it, and so on."
    )
    reply_count: int = strawberry.field(
        description="How many direct replies the comment has (deleted ones with replies included)."
    )
    is_deleted: bool = strawberry.field(
        description=(
            "True for a deleted comment that stays as a placeholder because it has replies: "
            "no body, no author, the thread keeps its shape."
        )
    )
    created_at: datetime = strawberry.field(description="When the comment was written (UTC).")
    edited_at: datetime | None = strawberry.field(
        description="When its author last edited it; null when never."
    )
    article_id: strawberry.Private[int]
    group_id: strawberry.Private[int]
    author_id: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Row) -> Comment:
        deleted = row["deleted_at"] is not None
        return cls(
            pk=row["id"],
            body="" if deleted else row["body"],
            author=None if deleted else Member(pk=row["author_id"], name=row["author_name"]),
            depth=row["depth"],
            reply_count=row["reply_count"],
            reaction_count=row["reaction_count"],
            is_deleted=deleted,
            created_at=timestamp(row["created_at"]),
            edited_at=None if row["edited_at"] is None else timestamp(row["edited_at"]),
            article_id=row["article_id"],
            group_id=row["group_id"],
            author_id=row["author_id"],
            parent_id=row["parent_id"],
        )

    @strawberry.field(description="Whether the viewer wrote the comment.")
    async def viewer_did_author(self, info: Info) -> bool:
        return not self.is_deleted and (await info.context.access()).member_id == self.author_id

    @strawberry.field(description="Whether the viewer may edit it: only its author may.")
    async def viewer_can_update(self, info: Info) -> bool:
        return not self.is_deleted and (await info.context.access()).member_id == self.author_id

    @strawberry.field(
        description="Whether the viewer may delete it: its author, or a moderator of the group."
    )
    async def viewer_can_delete(self, info: Info) -> bool:
        access = await info.context.access()
        return not self.is_deleted and access.can_change(self.group_id, self.author_id)

    @strawberry.field(
        description="Each kind of reaction, in a fixed order, with its count (0 included)."
    )
    async def reaction_groups(self, info: Info) -> list[ReactionGroup]:
        return await info.context.loaders.reactions_by_comment.load(self.pk)

    @strawberry.field(description="Whether the viewer may react (members of the group may).")
    async def viewer_can_react(self, info: Info) -> bool:
        return not self.is_deleted and (await info.context.access()).is_member(self.group_id)

    @strawberry.field(description="Whether the viewer may reply (members of the group may).")
    async def viewer_can_reply(self, info: Info) -> bool:
        return not self.is_deleted and (await info.context.access()).is_member(self.group_id)

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
