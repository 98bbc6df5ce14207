from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import urlsplit

import strawberry

from live.events import Change, Event
from models.sql import Row, client, fetch, fetch_one, is_postgres
from schema.article.loaders import readable_articles
from schema.article.types import Article
from schema.context import Context, Info
from schema.core.access import Access
from schema.core.idempotency import (
    IdempotentInput,
    Result,
    created,
    idempotency_key,
    perform_once,
)
from schema.core.mutations import (
    MutationInput,
    Payload,
    UserErrorCode,
    check_length,
    check_text,
    given,
    not_found,
    perform,
    pk_of,
    refuse,
    reloaded,
    signed_in,
)
from schema.core.slugs import numbered, slugify
from schema.group.membership import locked_group

MAX_TITLE_LENGTH = 200
MAX_SUBTITLE_LENGTH = 300
MAX_BODY_BYTES = 100 * 1024
MAX_URL_LENGTH = 2048
MAX_CAPTION_LENGTH = 300


@strawberry.input(description="A cover image: where it is, and its caption.")
class ImageInput:
    url: str = strawberry.field(description="An http or https URL, up to 2,048 characters.")
    caption: str | None = strawberry.field(
        default=None, description="Caption or alt text, up to 300 characters."
    )


@strawberry.input(description="A new article.")
class CreateArticleInput(IdempotentInput):
    group_id: strawberry.ID = strawberry.field(description="The group to post in.")
    title: str = strawberry.field(description="1 to 200 characters, kept exactly as typed.")
    body: str = strawberry.field(description="Markdown, up to 100 KB.")
    subtitle: str | None = strawberry.field(
        default=None, description="An optional second line, up to 300 characters."
    )
    cover_image: ImageInput | None = strawberry.field(
        default=None, description="An optional cover image."
    )


@strawberry.input(
    description=(
        "What to change about an article. Fields left out stay as they are; subtitle and "
        "coverImage set to null are removed. The slug never changes."
    )
)
class UpdateArticleInput(MutationInput):
    article_id: strawberry.ID = strawberry.field(description="The article.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="A new title.")
    body: str | None = strawberry.field(default=strawberry.UNSET, description="A new body.")
    subtitle: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new subtitle, or null to remove it."
    )
    cover_image: ImageInput | None = strawberry.field(
        default=strawberry.UNSET, description="A new cover image, or null to remove it."
    )


@strawberry.input(description="An article.")
class ArticleInput(MutationInput):
    article_id: strawberry.ID = strawberry.field(description="The article.")


@strawberry.type(description="The article a mutation changed, as it is now.")
class ArticlePayload(Payload):
    article: Article | None = strawberry.field(default=None, description="The article.")


@strawberry.type(description="The outcome of `deleteArticle`.")
class DeleteArticlePayload(Payload):
    deleted_article_id: strawberry.ID | None = strawberry.field(
        default=None, description="The ID of the article that is gone."
    )


def check_title(title: str) -> None:
    check_text(title, "input", "title")
    check_length(title, ("input", "title"), 1, MAX_TITLE_LENGTH)


def check_body(body: str) -> None:
    check_text(body, "input", "body")
    size = len(body.encode())
    if not body.strip():
        raise refuse(UserErrorCode.INVALID, "body must not be blank.", "input", "body")
    if size > MAX_BODY_BYTES:
        raise refuse(
            UserErrorCode.INVALID,
            f"body may be at most {MAX_BODY_BYTES} bytes; it is {size}.",
            "input",
            "body",
        )


def check_subtitle(subtitle: str | None) -> None:
    if subtitle is not None:
        check_text(subtitle, "input", "subtitle")
        check_length(subtitle, ("input", "subtitle"), 0, MAX_SUBTITLE_LENGTH)


def cover_columns(image: ImageInput | None) -> tuple[str | None, str | None]:
    if image is None:
        return None, None
    check_text(image.url, "input", "coverImage", "url")
    parts = urlsplit(image.url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(image.url) > MAX_URL_LENGTH:
        raise refuse(
            UserErrorCode.INVALID,
            "coverImage.url must be an http or https URL of at most 2048 characters.",
            "input",
            "coverImage",
            "url",
        )
    if image.caption is not None:
        check_text(image.caption, "input", "coverImage", "caption")
        check_length(image.caption, ("input", "coverImage", "caption"), 0, MAX_CAPTION_LENGTH)
    return image.url, image.caption


async def locked_article(access: Access, article_id: str) -> Row:
    """The article the viewer can read, locked until the transaction ends."""
    readable, params = readable_articles(access)
    lock = " FOR UPDATE OF a" if is_postgres(client()) else ""
    pk = pk_of("Article", article_id, "input", "articleId")
    row = await fetch_one(f"{readable} AND a.id = ?{lock}", [*params, pk])
    if row is None:
        raise not_found("Article", "input", "articleId")
    return row


async def new_slug(group_id: int, title: str) -> str:
    base = slugify(title, fallback="article")
    taken = await fetch(
        "SELECT slug FROM articles WHERE group_id = ? AND (slug = ? OR slug LIKE ?)",
        [group_id, base, f"{base}-%"],
    )
    return numbered(base, {row["slug"] for row in taken})


ArticleWork = Callable[[Context, Access, Row], Awaitable[None]]


async def change_article(
    info: Info, client_mutation_id: Any, article_id: str, work: ArticleWork
) -> ArticlePayload:
    """Lock the article, let its author or a moderator change it, answer with it as it is after."""
    context = info.context
    changed: list[int] = []

    async def transaction() -> dict[str, Any]:
        access = await context.access()
        signed_in(access)
        article = await locked_article(access, article_id)
        if not access.can_change(article["group_id"], article["author_id"]):
            raise refuse(
                UserErrorCode.FORBIDDEN,
                "Only the author or the group's moderators may change this article.",
            )
        await work(context, access, article)
        changed.append(article["id"])
        return {}

    payload = await perform(ArticlePayload, client_mutation_id, transaction)
    payload.article = await reloaded(context.loaders.article_by_id, changed)
    return payload


@strawberry.type
class ArticleWriteMutation:
    @strawberry.mutation(description="Post an article in a group you are a member of.")
    async def create_article(
        self,
        info: Info,
        input: Annotated[CreateArticleInput, strawberry.argument(description="The article.")],  # noqa: A002
    ) -> ArticlePayload:
        context = info.context
        now = context.clock()

        async def work() -> Result:
            access = await context.access()
            author = signed_in(access)
            group_pk = pk_of("Group", input.group_id, "input", "groupId")
            group = await locked_group(access, group_pk)
            if group is None:
                raise not_found("Group", "input", "groupId")
            if not access.is_member(group_pk):
                raise refuse(UserErrorCode.FORBIDDEN, "Only members may post in this group.")
            check_title(input.title)
            check_subtitle(input.subtitle)
            check_body(input.body)
            url, caption = cover_columns(input.cover_image)
            row = await fetch_one(
                "INSERT INTO articles (group_id, author_id, slug, title, subtitle, body, "
                "cover_image_url, cover_image_caption, views, comment_count, reaction_count, "
                "published_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?) "
                "RETURNING id",
                [
                    group_pk,
                    author,
                    await new_slug(group_pk, input.title),
                    input.title,
                    input.subtitle,
                    input.body,
                    url,
                    caption,
                    now,
                    now,
                ],
            )
            assert row is not None  # INSERT ... RETURNING returns the row it wrote
            context.emit(Event(Change.ADDED, group_pk, row["id"]))
            return {"article": row["id"]}

        key = idempotency_key(context, "createArticle", input)
        payload, done = await perform_once(ArticlePayload, input.client_mutation_id, key, now, work)
        payload.article = await reloaded(context.loaders.article_by_id, created(done, "article"))
        return payload

    @strawberry.mutation(
        description="Edit an article (its author, or a moderator). Its slug stays the same."
    )
    async def update_article(
        self,
        info: Info,
        input: Annotated[UpdateArticleInput, strawberry.argument(description="The changes.")],  # noqa: A002
    ) -> ArticlePayload:
        async def work(context: Context, access: Access, article: Row) -> None:
            changes: dict[str, Any] = {}
            title, body = given(input.title), given(input.body)
            if title is not None:
                check_title(title)
                changes["title"] = title
            if body is not None:
                check_body(body)
                changes["body"] = body
            if input.subtitle is not strawberry.UNSET:
                check_subtitle(input.subtitle)
                changes["subtitle"] = input.subtitle
            if input.cover_image is not strawberry.UNSET:
                url, caption = cover_columns(input.cover_image)
                changes |= {"cover_image_url": url, "cover_image_caption": caption}
            changes["updated_at"] = context.clock()
            assignments = ", ".join(f"{column} = ?" for column in changes)
            await fetch_one(
                f"UPDATE articles SET {assignments} WHERE id = ? RETURNING id",
                [*changes.values(), article["id"]],
            )
            context.emit(Event(Change.EDITED, article["group_id"], article["id"]))

        return await change_article(info, input.client_mutation_id, input.article_id, work)

    @strawberry.mutation(
        description=(
            "Delete an article (its author, or a moderator). It leaves every list, count and "
            "lookup at once; its comments go with it."
        )
    )
    async def delete_article(
        self,
        info: Info,
        input: Annotated[ArticleInput, strawberry.argument(description="The article.")],  # noqa: A002
    ) -> DeleteArticlePayload:
        async def work(context: Context, access: Access, article: Row) -> None:
            await fetch_one(
                "UPDATE articles SET deleted_at = ?, pinned_at = NULL WHERE id = ? RETURNING id",
                [context.clock(), article["id"]],
            )
            context.emit(Event(Change.DELETED, article["group_id"], article["id"]))

        payload = await change_article(info, input.client_mutation_id, input.article_id, work)
        return DeleteArticlePayload(
            errors=payload.errors,
            client_mutation_id=payload.client_mutation_id,
            deleted_article_id=None if payload.errors else input.article_id,
        )
