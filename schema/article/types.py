from __future__ import annotations

import math
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from models.sql import Row, timestamp
from schema.article import markdown
from schema.article.excerpt import MAX_EXCERPT_LENGTH, excerpt
from schema.comment.types import COMMENT_ORDERS, Comment, CommentOrder
from schema.context import Info
from schema.core.errors import UserInputError
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
    from schema.group.types import Group


@strawberry.enum(description="How to sort a group's articles.")
class ArticleOrder(Enum):
    NEWEST = strawberry.enum_value("NEWEST", description="Most recently published first.")
    OLDEST = strawberry.enum_value("OLDEST", description="First published first.")
    MOST_VIEWED = strawberry.enum_value(
        "MOST_VIEWED",
        description=(
            "Most views first. Views keep counting while you page, so an article can move "
            "between pages already read."
        ),
    )
    TOP = strawberry.enum_value(
        "TOP",
        description=(
            "Most reactions first. The order is fixed when the first page is read, so "
            "paging on never repeats or skips an article (for an hour; the best 1,000)."
        ),
    )
    HOT = strawberry.enum_value(
        "HOT",
        description=(
            "What is drawing attention now: (3 x reactions + 2 x comments + log2(1 + views) "
            "+ 1) / (hours since publication + 2) ^ 1.5, highest first. Fixed when the "
            "first page is read, like TOP."
        ),
    )


def hot_score(row: Row, now: datetime) -> float:
    """The HOT formula (see ArticleOrder.HOT): engagement, decaying with age."""
    engagement = 3 * row["reaction_count"] + 2 * row["comment_count"] + math.log2(1 + row["views"])
    hours = max(0.0, (now - timestamp(row["published_at"])).total_seconds() / 3600)
    return float((engagement + 1) / (hours + 2) ** 1.5)


ARTICLE_ORDERS = {
    ArticleOrder.NEWEST: Order("article:NEWEST", "published_at", descending=True),
    ArticleOrder.OLDEST: Order("article:OLDEST", "published_at", descending=False),
    ArticleOrder.MOST_VIEWED: Order("article:MOST_VIEWED", "views", descending=True, numeric=True),
    ArticleOrder.TOP: Order(
        "article:TOP", "", descending=True, score=by_reactions, score_columns=("reaction_count",)
    ),
    ArticleOrder.HOT: Order(
        "article:HOT",
        "",
        descending=True,
        score=hot_score,
        score_columns=("reaction_count", "comment_count", "views", "published_at"),
    ),
}


@strawberry.type(description="An image with its caption, as the page shows it.")
class Image:
    url: str = strawberry.field(description="Where the image is (an http or https URL).")
    caption: str | None = strawberry.field(
        description="The caption or alt text, free text written by the author."
    )


@strawberry.type(description="An article posted in a group.")
class Article(Node, Reactable):
    slug: str = strawberry.field(description="A URL-safe handle, unique within the group.")
    title: str = strawberry.field(description="The title, exactly as the author typed it.")
    subtitle: str | None = strawberry.field(description="An optional second line under the title.")
    body: str = strawberry.field(description="The article's text in Markdown, as written.")
    views: int = strawberry.field(
        description=(
            "How many times the article was opened, counted by `recordArticleView`: "
            "once per viewer per view window. Reading an article never counts a view."
        )
    )
    comment_count: int = strawberry.field(
        description=(
            "How many comments the article has, replies at every depth included; deleted "
            "ones do not count."
        )
    )
    published_at: datetime = strawberry.field(description="When the article was published (UTC).")
    updated_at: datetime = strawberry.field(description="When the article last changed (UTC).")
    pinned_at: datetime | None = strawberry.field(
        description="When a moderator pinned the article to its group; null when not pinned."
    )
    # Built with the row (a plain field costs less than a resolver call).
    author: Member = strawberry.field(description="Who wrote the article.")
    cover_image: Image | None = strawberry.field(
        description="The cover image and its caption; null when there is none."
    )
    group_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Row) -> Article:
        return cls(
            pk=row["id"],
            slug=row["slug"],
            title=row["title"],
            subtitle=row["subtitle"],
            body=row["body"],
            views=row["views"],
            comment_count=row["comment_count"],
            reaction_count=row["reaction_count"],
            published_at=timestamp(row["published_at"]),
            updated_at=timestamp(row["updated_at"]),
            pinned_at=None if row["pinned_at"] is None else timestamp(row["pinned_at"]),
            group_id=row["group_id"],
            author=Member(pk=row["author_id"], name=row["author_name"]),
            cover_image=None
            if row["cover_image_url"] is None
            else Image(url=row["cover_image_url"], caption=row["cover_image_caption"]),
        )

    @strawberry.field(
        description=(
            "The start of the body as plain text (Markdown removed), cut on a word boundary "
            'so that it is at most `maxLength` characters; it ends with "…" when it was cut.'
        )
    )
    def excerpt(
        self,
        max_length: Annotated[
            int | None,
            strawberry.argument(
                description=(
                    f"The longest excerpt wanted (1 to {MAX_EXCERPT_LENGTH}; null means 200)."
                )
            ),
        ] = 200,
    ) -> str:
        max_length = 200 if max_length is None else max_length
        if not 1 <= max_length <= MAX_EXCERPT_LENGTH:
            raise UserInputError(
                f"`maxLength` must be between 1 and {MAX_EXCERPT_LENGTH}, got {max_length}.",
                argument="maxLength",
            )
        return excerpt((self.pk, self.updated_at), self.body, max_length)

    @strawberry.field(
        description=(
            "The body rendered to HTML and sanitised: safe to put in a page as it is (no "
            "scripts, no event handlers, links only to http, https and mailto)."
        )
    )
    def body_html(self) -> str:
        return markdown.render_html((self.pk, self.updated_at), self.body)

    @strawberry.field(description="Minutes to read the body at 200 words a minute (at least 1).")
    def reading_time_minutes(self) -> int:
        return markdown.reading_time_minutes((self.pk, self.updated_at), self.body)

    @strawberry.field(description="Whether the viewer wrote the article.")
    async def viewer_did_author(self, info: Info) -> bool:
        return (await info.context.access()).member_id == self.author.pk

    @strawberry.field(description="Whether the viewer may edit it: its author, or a moderator.")
    async def viewer_can_update(self, info: Info) -> bool:
        return (await info.context.access()).can_change(self.group_id, self.author.pk)

    @strawberry.field(description="Whether the viewer may delete it: its author, or a moderator.")
    async def viewer_can_delete(self, info: Info) -> bool:
        return (await info.context.access()).can_change(self.group_id, self.author.pk)

    @strawberry.field(description="Whether the viewer may comment (members of the group may).")
    async def viewer_can_comment(self, info: Info) -> bool:
        return (await info.context.access()).is_member(self.group_id)

    @strawberry.field(
        description="Each kind of reaction, in a fixed order, with its count (0 included)."
    )
    async def reaction_groups(self, info: Info) -> list[ReactionGroup]:
        return await info.context.loaders.reactions_by_article.load(self.pk)

    @strawberry.field(description="Whether the viewer may react (members of the group may).")
    async def viewer_can_react(self, info: Info) -> bool:
        return (await info.context.access()).is_member(self.group_id)

    @strawberry.field(description="Whether the viewer may pin or unpin it (moderators may).")
    async def viewer_can_pin(self, info: Info) -> bool:
        return (await info.context.access()).can_moderate(self.group_id)

    @strawberry.field(description="The group the article was posted in.")
    async def group(self, info: Info) -> Annotated[Group, strawberry.lazy("schema.group.types")]:
        group = await info.context.loaders.group_by_id.load(self.group_id)
        if group is None:
            raise LookupError(f"article {self.pk} is in no visible group")
        return group

    @strawberry.field(
        description=(
            "Top-level comments on the article, oldest first unless `orderBy` says otherwise. "
            "Replies are under each comment's `replies`."
        )
    )
    async def comments(
        self,
        info: Info,
        first: First = strawberry.UNSET,
        after: After = strawberry.UNSET,
        last: Last = strawberry.UNSET,
        before: Before = strawberry.UNSET,
        order_by: Annotated[
            CommentOrder | None, strawberry.argument(description="How to sort the comments.")
        ] = CommentOrder.OLDEST,
    ) -> Connection[Comment]:
        page = page_of(COMMENT_ORDERS[order_by or CommentOrder.OLDEST], first, after, last, before)
        loaders = info.context.loaders
        rows = await loaders.comments_by_article.load((self.pk, page))
        return connection(
            rows, page, Comment.from_row, lambda: loaders.comment_count_by_article.load(self.pk)
        )
