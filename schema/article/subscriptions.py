"""`articleChanged`: a live query of articles, served by `live.hub`."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Annotated, Any

import strawberry

from live.feed import Watch
from live.fields import served_by_hub
from schema.article.types import Article
from schema.context import Context, Info
from schema.core import ids
from schema.core.errors import NotFoundError, UserInputError

MAX_IDS = 100


class ArticleChangedFeed:
    async def watch(self, context: Context, arguments: Mapping[str, Any]) -> Watch:
        wanted = list(dict.fromkeys(arguments["ids"]))
        if not 1 <= len(wanted) <= MAX_IDS:
            raise UserInputError(
                f"`ids` must hold 1 to {MAX_IDS} distinct IDs; it holds {len(wanted)}.",
                argument="ids",
            )
        keys = []
        for global_id in wanted:
            key = ids.decode_as("Article", global_id)
            if key is None:
                raise NotFoundError("Article", global_id, argument="ids")
            keys.append(key)
        found = await context.loaders.article_by_id.load_many(keys)
        for global_id, article in zip(wanted, found, strict=True):
            if article is None:
                raise NotFoundError("Article", global_id, argument="ids")
        articles = {article.pk: article.group_id for article in found if article is not None}
        return Watch(articles=articles, groups=frozenset(articles.values()))

    async def current(self, context: Context, keys: Sequence[int]) -> list[object | None]:
        return list(await context.loaders.article_by_id.load_many(list(keys)))

    def gone(self, key: int) -> NotFoundError:
        return NotFoundError("Article", ids.encode("Article", key), argument="ids")


@strawberry.type
class ArticleSubscription:
    @strawberry.subscription(
        description=(
            "The articles as they are now: first each one's current state at once, then its "
            "latest state whenever its views, reactions, comments, title, body or pin change, "
            "at most once per article per `LIVE_INTERVAL_MS` (250 ms unless configured): "
            "changes in between are coalesced, and the last event always carries the final "
            "state. Each event is one article. An id that is unknown or that you cannot see "
            "refuses the subscription (NOT_FOUND, `extensions.id` naming it). When an article "
            "is deleted, or you lose sight of it (removed from its group, the group made "
            "SECRET), you get one last event for it: `data: null` and a NOT_FOUND error "
            "naming its id; the subscription completes when none of its articles is left."
        )
    )
    def article_changed(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(description=f"The articles to watch: 1 to {MAX_IDS} IDs."),
        ],
    ) -> AsyncGenerator[Article, None]:
        return served_by_hub(info)
