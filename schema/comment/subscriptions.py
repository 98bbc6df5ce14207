"""`commentAdded`: new comments and replies on an article, served by `live.hub`."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import Annotated, Any

import strawberry

from live.events import Change, Event
from live.feed import Watch
from live.fields import served_by_hub
from schema.comment.loaders import comment_ids_after, last_comment_id
from schema.comment.types import Comment
from schema.context import Context, Info
from schema.core import ids
from schema.core.errors import NotFoundError


class CommentAddedFeed:
    async def watch(self, context: Context, arguments: Mapping[str, Any]) -> Watch:
        global_id = arguments["articleId"]
        key = ids.decode_as("Article", global_id)
        article = None if key is None else await context.loaders.article_by_id.load(key)
        if article is None:
            raise NotFoundError("Article", global_id, argument="articleId")
        return Watch(
            articles={article.pk: article.group_id},
            groups=frozenset({article.group_id}),
            position=await last_comment_id(article.pk),
        )

    def accepts(self, watch: Watch, event: Event) -> bool:
        return event.change is Change.COMMENTED and event.article_id in watch.articles

    def ends(self, watch: Watch, event: Event) -> bool:
        return event.change is Change.DELETED and event.article_id in watch.articles

    async def exists(self, context: Context, watch: Watch) -> bool:
        [article] = watch.articles
        return await context.loaders.article_exists.load(article)

    async def root(self, context: Context, event: Event) -> object | None:
        if event.comment_id is None:
            return None
        return await context.loaders.comment_by_id.load(event.comment_id)

    async def missed(self, context: Context, watch: Watch, after: int) -> list[Event]:
        [(article, group)] = watch.articles.items()
        return [
            Event(Change.COMMENTED, group, article, comment)
            for comment in await comment_ids_after(article, after)
        ]

    def position(self, event: Event) -> int | None:
        return event.comment_id

    def gone(self, watch: Watch) -> NotFoundError:
        [article] = watch.articles
        return NotFoundError("Article", ids.encode("Article", article), argument="articleId")


@strawberry.type
class CommentSubscription:
    @strawberry.subscription(
        description=(
            "Comments and replies added to an article (at any depth) from the moment you "
            "subscribe, each delivered once, in the order they were committed. An article that "
            "is unknown or that you cannot read refuses the subscription (NOT_FOUND). When the "
            "article is deleted or you lose sight of it, one last event carries `data: null` "
            "and a NOT_FOUND error, and the subscription completes. If this server lost its "
            "link to the other servers for a while, the comments added meanwhile (up to 100) "
            "are delivered when it is back."
        )
    )
    def comment_added(
        self,
        info: Info,
        article_id: Annotated[
            strawberry.ID, strawberry.argument(description="The article whose comments to watch.")
        ],
    ) -> AsyncGenerator[Comment, None]:
        return served_by_hub(info)
