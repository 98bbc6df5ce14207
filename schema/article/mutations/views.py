from __future__ import annotations

from datetime import timedelta
from enum import Enum
from typing import Annotated

import strawberry

from live.events import Change, Event
from schema.article.types import Article
from schema.article.view_counter import NOT_FOUND, Allowance, record_view
from schema.article.view_identity import MAX_VIEWER_KEY_LENGTH, address_identity, view_identity
from schema.context import Context, Info
from schema.core import ids
from schema.core.access import Access
from schema.core.mutations import MutationInput, Payload, UserError, UserErrorCode, given
from schema.core.rate_limits import Budget


@strawberry.enum(description="Why a view was not counted.")
class ViewSkipReason(Enum):
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND", description="No article you can see has this ID. Nothing was recorded."
    )
    SELF_VIEW = strawberry.enum_value(
        "SELF_VIEW", description="The viewer is the article's author: their own views never count."
    )
    RATE_LIMITED = strawberry.enum_value(
        "RATE_LIMITED",
        description=(
            "Too many views: this viewer recorded too many this minute, or this network "
            "address (when not signed in) added as many views of this article as it may "
            "within the view window, whatever viewer keys or User-Agents it sent. Nothing "
            "was recorded."
        ),
    )
    DUPLICATE_IN_WINDOW = strawberry.enum_value(
        "DUPLICATE_IN_WINDOW",
        description=(
            "This viewer's view of this article was already counted within the view window."
        ),
    )


@strawberry.input(description="Which article was opened, and by whom.")
class RecordArticleViewInput(MutationInput):
    article_id: strawberry.ID = strawberry.field(description="The global ID of the opened article.")
    viewer_key: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            f"An opaque id the app keeps for this browser (1 to {MAX_VIEWER_KEY_LENGTH} "
            "characters), for example a random UUID in local storage. Without it the viewer is "
            "told apart by network address and User-Agent, which several people can share."
        ),
    )


@strawberry.type(description="The outcome of `recordArticleView`.")
class RecordArticleViewPayload(Payload):
    article: Article | None = strawberry.field(
        default=None,
        description=(
            "The article as it is after this call (its `views` included); null when not found."
        ),
    )
    counted: bool = strawberry.field(
        default=False, description="True when this call added one to `views`."
    )
    reason: ViewSkipReason | None = strawberry.field(
        default=None, description="Why the view was not counted; null when it was."
    )


@strawberry.type
class ViewMutation:
    @strawberry.mutation(
        description=(
            "Record that someone opened an article. Adds one to its `views` unless the same "
            "viewer was counted for it within the view window (8 hours by default) or is its "
            "author; reading an article never counts. Call it once when the article is shown. "
            "The viewer is the signed-in member, else `viewerKey`, else the network address "
            "and User-Agent. Without signing in, one network address adds at most a few views "
            "(10 by default) of one article per window, whatever keys it sends; past that the "
            "answer is `RATE_LIMITED`."
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
        echo = given(input.client_mutation_id)
        if key is not None and not 1 <= len(key) <= MAX_VIEWER_KEY_LENGTH:
            error = UserError(
                field=["input", "viewerKey"],
                code=UserErrorCode.INVALID,
                message=f"viewerKey must be 1 to {MAX_VIEWER_KEY_LENGTH} characters; "
                f"it is {len(key)}.",
            )
            return RecordArticleViewPayload(errors=[error], client_mutation_id=echo)
        context = info.context
        access = await context.access()
        article_id = ids.decode_as("Article", input.article_id)
        outcome = NOT_FOUND
        if article_id is not None and await context.wait_for(Budget.VIEWS, 1):
            limited = await context.loaders.article_by_id.load(article_id)
            return RecordArticleViewPayload(
                errors=[],
                client_mutation_id=echo,
                article=limited,
                reason=ViewSkipReason.NOT_FOUND if limited is None else ViewSkipReason.RATE_LIMITED,
            )
        if article_id is not None:
            viewer = view_identity(context.settings.secret_key, access, key, context.request)
            window = timedelta(seconds=context.settings.view_window_seconds)
            allowance = address_allowance(context, access)
            now = context.clock()
            outcome = await record_view(access, article_id, viewer, now, window, allowance)
        if outcome.article is None:
            return RecordArticleViewPayload(
                errors=[], client_mutation_id=echo, reason=ViewSkipReason.NOT_FOUND
            )
        article = Article.from_row(outcome.article)
        context.loaders.article_by_id.prime(article.pk, article, force=True)
        if outcome.skipped is None:  # committed: one statement, or its own transaction
            context.emit(Event(Change.VIEWED, article.group_id, article.pk))
        return RecordArticleViewPayload(
            errors=[],
            client_mutation_id=echo,
            article=article,
            counted=outcome.skipped is None,
            reason=None if outcome.skipped is None else ViewSkipReason[outcome.skipped],
        )


def address_allowance(context: Context, access: Access) -> Allowance | None:
    """The allowance of the viewer's network address (VIEWS_PER_ADDRESS), for anonymous
    viewers only: a signed-in member counts as themselves, once per window. None when
    rate limits are off, the setting is 0, or every call counts (a window of 0)."""
    settings = context.settings
    if access.member_id is not None or not settings.rate_limits:
        return None
    if settings.views_per_address == 0 or settings.view_window_seconds == 0:
        return None
    address = address_identity(settings.secret_key, context.request)
    return Allowance(address=address, views=settings.views_per_address)
