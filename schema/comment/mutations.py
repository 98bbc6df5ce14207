"""Adding, editing and deleting comments; the counters move in the same transaction.

`Article.commentCount` counts the comments that are not deleted, replies included;
`Comment.replyCount` counts a comment's direct replies still in the thread
(placeholders of deleted comments included). Rows a change depends on are
locked first (on PostgreSQL; SQLite runs one transaction at a time), so a reply
cannot land on a comment that is being deleted.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from live.events import Change, Event
from models.sql import Row, client, fetch_one, is_postgres
from schema.article.mutations.articles import locked_article
from schema.comment.loaders import readable_comments
from schema.comment.types import Comment
from schema.context import Info
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
    given,
    not_found,
    perform,
    pk_of,
    refuse,
    reloaded,
    signed_in,
)

MAX_COMMENT_LENGTH = 10_000


@strawberry.input(description="A new comment, or a reply.")
class AddCommentInput(IdempotentInput):
    article_id: strawberry.ID = strawberry.field(description="The article commented on.")
    body: str = strawberry.field(description="Plain text, 1 to 10,000 characters.")
    reply_to_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The comment this one replies to (on the same article), at any depth.",
    )


@strawberry.input(description="A comment's new text.")
class EditCommentInput(MutationInput):
    comment_id: strawberry.ID = strawberry.field(description="The comment.")
    body: str = strawberry.field(description="Plain text, 1 to 10,000 characters.")


@strawberry.input(description="A comment.")
class DeleteCommentInput(MutationInput):
    comment_id: strawberry.ID = strawberry.field(description="The comment.")


@strawberry.type(description="The comment a mutation changed, as it is now.")
class CommentPayload(Payload):
    comment: Comment | None = strawberry.field(default=None, description="The comment.")


@strawberry.type(description="The outcome of `deleteComment`.")
class DeleteCommentPayload(Payload):
    deleted_comment_id: strawberry.ID | None = strawberry.field(
        default=None, description="The ID of the deleted comment."
    )
    comment: Comment | None = strawberry.field(
        default=None,
        description=(
            "The placeholder left in its place when it had replies (isDeleted: true); null "
            "when it is gone altogether."
        ),
    )


async def locked_comment(access: Access, comment_id: str, *path: str) -> Row:
    """A comment the viewer can read (placeholders included), locked until the end."""
    readable, params = access.reads_groups_sql("g")
    lock = " FOR UPDATE OF c" if is_postgres(client()) else ""
    pk = pk_of("Comment", comment_id, *path)
    row = await fetch_one(f"{readable_comments(readable)} AND c.id = ?{lock}", [*params, pk])
    if row is None:
        raise not_found("Comment", *path)
    return row


async def lock_article_of(comment_id: str, *path: str) -> None:
    """Lock the comment's article before the comment, in the order `addComment` locks them.

    Every change to a thread then queues on its article: locking the comment first
    deadlocks with a reply being added to it, or with a delete of one of its replies.
    """
    if is_postgres(client()):
        await fetch_one(
            "SELECT a.id FROM articles a JOIN comments c ON c.article_id = a.id "
            "WHERE c.id = ? FOR UPDATE OF a",
            [pk_of("Comment", comment_id, *path)],
        )


def check_body(body: str) -> None:
    check_length(body, ("input", "body"), 1, MAX_COMMENT_LENGTH)


async def count(table: str, column: str, delta: int, row_id: int) -> None:
    await fetch_one(
        f"UPDATE {table} SET {column} = {column} + ? WHERE id = ? RETURNING id", [delta, row_id]
    )


async def remove(comment: Row) -> None:
    """Delete a comment without replies; then each placeholder above left without any."""
    await fetch_one("DELETE FROM comments WHERE id = ? RETURNING id", [comment["id"]])
    parent_id = comment["parent_id"]
    while parent_id is not None:
        parent = await fetch_one(
            "UPDATE comments SET reply_count = reply_count - 1 WHERE id = ? "
            "RETURNING id, parent_id, reply_count, deleted_at",
            [parent_id],
        )
        if parent is None or parent["deleted_at"] is None or parent["reply_count"] > 0:
            return
        await fetch_one("DELETE FROM comments WHERE id = ? RETURNING id", [parent["id"]])
        parent_id = parent["parent_id"]


def changed(comment: Row) -> Event:
    return Event(Change.COMMENT_CHANGED, comment["group_id"], comment["article_id"], comment["id"])


@strawberry.type
class CommentMutation:
    @strawberry.mutation(
        description="Comment on an article, or reply to a comment at any depth (members)."
    )
    async def add_comment(
        self,
        info: Info,
        input: Annotated[AddCommentInput, strawberry.argument(description="The comment.")],  # noqa: A002
    ) -> CommentPayload:
        context = info.context
        now = context.clock()

        async def work() -> Result:
            access = await context.access()
            author = signed_in(access)
            article = await locked_article(access, input.article_id)
            if not access.is_member(article["group_id"]):
                raise refuse(UserErrorCode.FORBIDDEN, "Only members of the group may comment.")
            check_body(input.body)
            parent = None
            reply_to = given(input.reply_to_id)
            if reply_to is not None:
                parent = await locked_comment(access, reply_to, "input", "replyToId")
                if parent["article_id"] != article["id"] or parent["deleted_at"] is not None:
                    raise not_found("Comment", "input", "replyToId")
            row = await fetch_one(
                "INSERT INTO comments (article_id, author_id, parent_id, body, depth, "
                "reply_count, reaction_count, created_at) VALUES (?, ?, ?, ?, ?, 0, 0, ?) "
                "RETURNING id",
                [
                    article["id"],
                    author,
                    parent and parent["id"],
                    input.body,
                    0 if parent is None else parent["depth"] + 1,
                    now,
                ],
            )
            assert row is not None  # INSERT ... RETURNING returns the row it wrote
            await count("articles", "comment_count", 1, article["id"])
            if parent is not None:
                await count("comments", "reply_count", 1, parent["id"])
            context.emit(Event(Change.COMMENTED, article["group_id"], article["id"], row["id"]))
            return {"comment": row["id"]}

        key = idempotency_key(context, "addComment", input)
        payload, done = await perform_once(CommentPayload, input.client_mutation_id, key, now, work)
        payload.comment = await reloaded(
            context.loaders.comment_by_id, created(done, "comment"), context.loaders.article_by_id
        )
        return payload

    @strawberry.mutation(description="Change a comment's text (its author only).")
    async def edit_comment(
        self,
        info: Info,
        input: Annotated[EditCommentInput, strawberry.argument(description="The new text.")],  # noqa: A002
    ) -> CommentPayload:
        context = info.context
        edited: list[int] = []

        async def work() -> dict[str, Any]:
            access = await context.access()
            signed_in(access)
            comment = await locked_comment(access, input.comment_id, "input", "commentId")
            if comment["deleted_at"] is not None:
                raise not_found("Comment", "input", "commentId")
            if comment["author_id"] != access.member_id:
                raise refuse(UserErrorCode.FORBIDDEN, "Only its author may edit a comment.")
            check_body(input.body)
            await fetch_one(
                "UPDATE comments SET body = ?, edited_at = ? WHERE id = ? RETURNING id",
                [input.body, context.clock(), comment["id"]],
            )
            edited.append(comment["id"])
            context.emit(changed(comment))
            return {}

        payload = await perform(CommentPayload, input.client_mutation_id, work)
        payload.comment = await reloaded(
            context.loaders.comment_by_id, edited, context.loaders.article_by_id
        )
        return payload

    @strawberry.mutation(
        description=(
            "Delete a comment (its author, or a moderator). With replies, it stays as a "
            "placeholder (isDeleted: true) so the thread keeps its shape; without, it is gone."
        )
    )
    async def delete_comment(
        self,
        info: Info,
        input: Annotated[DeleteCommentInput, strawberry.argument(description="The comment.")],  # noqa: A002
    ) -> DeleteCommentPayload:
        context = info.context
        kept: list[int] = []

        async def work() -> dict[str, Any]:
            access = await context.access()
            signed_in(access)
            await lock_article_of(input.comment_id, "input", "commentId")
            comment = await locked_comment(access, input.comment_id, "input", "commentId")
            if comment["deleted_at"] is not None:
                raise not_found("Comment", "input", "commentId")
            if not access.can_change(comment["group_id"], comment["author_id"]):
                raise refuse(
                    UserErrorCode.FORBIDDEN,
                    "Only its author or the group's moderators may delete a comment.",
                )
            await count("articles", "comment_count", -1, comment["article_id"])
            if comment["reply_count"] > 0:
                await fetch_one(
                    "UPDATE comments SET deleted_at = ?, body = '' WHERE id = ? RETURNING id",
                    [context.clock(), comment["id"]],
                )
                kept.append(comment["id"])
            else:
                await remove(comment)
            context.emit(changed(comment))
            return {"deleted_comment_id": input.comment_id}

        payload = await perform(DeleteCommentPayload, input.client_mutation_id, work)
        payload.comment = await reloaded(
            context.loaders.comment_by_id, kept, context.loaders.article_by_id
        )
        return payload
