from __future__ import annotations

from datetime import timedelta
from enum import Enum
from typing import Annotated

import strawberry

from schema.article.types import Article
from schema.article.view_counter import record_view
from schema.article.viewer import MAX_VIEWER_KEY_LENGTH, viewer_hash
from schema.context import Info
from schema.core import ids
from schema.core.errors import UserInputError


@strawberry.enum(description="Why a view was not counted.")
class ViewSkipReason(Enum):
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND", description="No article you can see has this ID. Nothing was recorded."
    )
    DUPLICATE_IN_WINDOW = strawberry.enum_value(
        "DUPLICATE_IN_WINDOW",
        description=(
            "This viewer's view of this article was already counted within the view window."
        ),
    )


@strawberry.input(description="Which article was opened, and by whom.")
class RecordArticleViewInput:
    article_id: strawberry.ID = strawberry.field(description="The global ID of the opened article.")
    viewer_key: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            f"An opaque id the app keeps for this browser (1 to {MAX_VIEWER_KEY_LENGTH} "
            "characters), for example a random UUID in local storage. Without it the viewer is "
            "told apart by network address and User-Agent, which several people can share."
        ),
    )
    client_mutation_id: str | None = strawberry.field(
        default=strawberry.UNSET, description="Any string; returned unchanged in the payload."
    )


@strawberry.type(description="The outcome of `recordArticleView`.")
class RecordArticleViewPayload:
    article: Article | None = strawberry.field(
        description=(
            "The article as it is after this call (its `views` included); null when not found."
        )
    )
    counted: bool = strawberry.field(description="True when this call added one to `views`.")
    reason: ViewSkipReason | None = strawberry.field(
        description="Why the view was not counted; null when it was."
    )
    client_mutation_id: str | None = strawberry.field(
        description="The `clientMutationId` of the input, unchanged."
    )


@strawberry.type
class ArticleMutation:
    @strawberry.mutation(
        description=(
            "Record that someone opened an article. Adds one to its `views` unless the same "
            "viewer was counted for it within the view window (8 hours by default); reading "
            "an article never counts. Call it once when the article is shown."
        )
    )
    async def record_article_view(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - the GraphQL argument is named input
            RecordArticleViewInput,
            strawberry.argument(description="The opened article and its viewer."),
        ],
    ) -> RecordArticleViewPayload:
        key = None if input.viewer_key is strawberry.UNSET else input.viewer_key
        client_mutation_id = (
            None if input.client_mutation_id is strawberry.UNSET else input.client_mutation_id
        )
        if key is not None and not 1 <= len(key) <= MAX_VIEWER_KEY_LENGTH:
            raise UserInputError(
                f"`viewerKey` must be 1 to {MAX_VIEWER_KEY_LENGTH} characters, got {len(key)}.",
                argument="input.viewerKey",
            )
        context = info.context
        article_id = ids.decode_as("Article", input.article_id)
        outcome = None
        if article_id is not None:
            viewer = viewer_hash(context.settings.secret_key, key, context.request)
            window = timedelta(seconds=context.settings.view_window_seconds)
            outcome = await record_view(article_id, viewer, context.clock(), window)
        if outcome is None or outcome.article is None:
            return RecordArticleViewPayload(
                article=None,
                counted=False,
                reason=ViewSkipReason.NOT_FOUND,
                client_mutation_id=client_mutation_id,
            )
        article = Article.from_row(outcome.article)
        context.loaders.article_by_id.prime(article.pk, article, force=True)
        return RecordArticleViewPayload(
            article=article,
            counted=outcome.counted,
            reason=None if outcome.counted else ViewSkipReason.DUPLICATE_IN_WINDOW,
            client_mutation_id=client_mutation_id,
        )
