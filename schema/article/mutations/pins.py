from __future__ import annotations

from typing import Annotated

import strawberry

from live.events import Change, Event
from models.sql import Row, fetch_one
from schema.article.mutations.articles import ArticleInput, ArticlePayload, locked_article
from schema.context import Info
from schema.core.mutations import UserErrorCode, perform, refuse, reloaded, signed_in
from schema.group.membership import locked_group

MAX_PINNED = 10


async def pin(info: Info, input: ArticleInput, pinned: bool) -> ArticlePayload:  # noqa: A002
    context = info.context
    changed: list[int] = []

    async def work() -> dict[str, object]:
        access = await context.access()
        signed_in(access)
        article: Row = await locked_article(access, input.article_id)
        if not access.can_moderate(article["group_id"]):
            raise refuse(UserErrorCode.FORBIDDEN, "Only the group's moderators may pin articles.")
        if pinned and article["pinned_at"] is None:
            # Pins of two articles lock two rows: the group's row makes them take turns,
            # so that both cannot count nine pinned and make eleven.
            await locked_group(access, article["group_id"])
            count = await fetch_one(
                "SELECT COUNT(*) AS n FROM articles "
                "WHERE group_id = ? AND pinned_at IS NOT NULL AND deleted_at IS NULL",
                [article["group_id"]],
            )
            if count is not None and count["n"] >= MAX_PINNED:
                raise refuse(
                    UserErrorCode.CONFLICT,
                    f"A group pins at most {MAX_PINNED} articles: unpin one first.",
                )
        await fetch_one(
            "UPDATE articles SET pinned_at = ? WHERE id = ? RETURNING id",
            [context.clock() if pinned else None, article["id"]],
        )
        changed.append(article["id"])
        change = Change.PINNED if pinned else Change.UNPINNED
        context.emit(Event(change, article["group_id"], article["id"]))
        return {}

    payload = await perform(ArticlePayload, input.client_mutation_id, work)
    payload.article = await reloaded(context.loaders.article_by_id, changed)
    return payload


@strawberry.type
class PinMutation:
    @strawberry.mutation(
        description=(
            "Pin an article to the top of its group (moderators). Pinning it again moves it "
            "to the front."
        )
    )
    async def pin_article(
        self,
        info: Info,
        input: Annotated[ArticleInput, strawberry.argument(description="The article.")],  # noqa: A002
    ) -> ArticlePayload:
        return await pin(info, input, pinned=True)

    @strawberry.mutation(description="Unpin an article (moderators).")
    async def unpin_article(
        self,
        info: Info,
        input: Annotated[ArticleInput, strawberry.argument(description="The article.")],  # noqa: A002
    ) -> ArticlePayload:
        return await pin(info, input, pinned=False)
