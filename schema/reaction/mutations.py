"""Adding and removing reactions; the subject's reaction count moves in the same transaction.

Both are idempotent: adding a reaction the viewer already gave, or removing
one they did not, changes nothing and is not an error. Both honour idempotency
keys too (they share `ReactionInput`): a retry answers the first call's
`changed`, and a late retry of a removal never takes back a reaction given since.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from live.events import Change, Event
from models.sql import Row, fetch_one
from schema.article.mutations.articles import locked_article
from schema.article.types import Article
from schema.comment.mutations import locked_comment
from schema.comment.types import Comment
from schema.context import Context, Info
from schema.core import ids
from schema.core.idempotency import IdempotentInput, Result, idempotency_key, perform_once
from schema.core.mutations import (
    Payload,
    UserErrorCode,
    not_found,
    refuse,
    reloaded,
    signed_in,
)
from schema.reaction.types import Reactable, ReactionKind


@strawberry.input(description="A reaction to give or take back.")
class ReactionInput(IdempotentInput):
    subject_id: strawberry.ID = strawberry.field(description="The article or comment.")
    kind: ReactionKind = strawberry.field(description="The kind of reaction.")


@strawberry.type(description="What the reaction was given to, as it is now.")
class ReactionPayload(Payload):
    subject: Reactable | None = strawberry.field(
        default=None, description="The article or comment, with its reactions now."
    )
    changed: bool = strawberry.field(
        default=False,
        description="False when there was nothing to do (already given, or never given).",
    )


async def react(info: Info, fields: ReactionInput, give: bool) -> ReactionPayload:
    context = info.context
    now = context.clock()

    async def work() -> Result:
        access = await context.access()
        member = signed_in(access)
        decoded = ids.decode(fields.subject_id)
        kind = decoded[0] if decoded else ""
        row: Row
        if kind == "Article":
            row = await locked_article(access, fields.subject_id)
        elif kind == "Comment":
            row = await locked_comment(access, fields.subject_id, "input", "subjectId")
            if row["deleted_at"] is not None:
                raise not_found("Comment", "input", "subjectId")
        else:
            raise not_found("Article or comment", "input", "subjectId")
        if not access.is_member(row["group_id"]):
            raise refuse(UserErrorCode.FORBIDDEN, "Only members of the group may react.")
        column, table = (
            ("article_id", "articles") if kind == "Article" else ("comment_id", "comments")
        )
        if give:
            done = await fetch_one(
                f"INSERT INTO reactions (member_id, kind, {column}, created_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                [member, fields.kind.name, row["id"], now],
            )
        else:
            done = await fetch_one(
                f"DELETE FROM reactions WHERE member_id = ? AND kind = ? AND {column} = ? "
                "RETURNING id",
                [member, fields.kind.name, row["id"]],
            )
        if done is not None:
            await fetch_one(
                f"UPDATE {table} SET reaction_count = reaction_count + ? WHERE id = ? RETURNING id",
                [1 if give else -1, row["id"]],
            )
            if kind == "Article":
                context.emit(Event(Change.REACTED, row["group_id"], row["id"]))
            else:
                context.emit(Event(Change.REACTED, row["group_id"], row["article_id"], row["id"]))
        return {"kind": kind, "subject": row["id"], "changed": done is not None}

    mutation = "addReaction" if give else "removeReaction"
    key = idempotency_key(context, mutation, fields)
    payload, outcome = await perform_once(
        ReactionPayload, fields.client_mutation_id, key, now, work
    )
    if outcome is None:
        payload.subject = await reloaded_subject(context, [])
        return payload
    result = outcome.result
    payload.changed = bool(result["changed"])
    payload.subject = await reloaded_subject(context, [(result["kind"], result["subject"])])
    return payload


async def reloaded_subject(
    context: Context, subject: list[tuple[str, int]]
) -> Article | Comment | None:
    """The reacted-to article or comment as it is now, its reactions read again."""
    loaders = context.loaders
    stale = (loaders.reactions_by_article, loaders.reactions_by_comment)
    changed = [pk for _, pk in subject]
    if subject and subject[0][0] == "Article":
        return await reloaded(loaders.article_by_id, changed, loaders.comment_by_id, *stale)
    return await reloaded(loaders.comment_by_id, changed, loaders.article_by_id, *stale)


@strawberry.type
class ReactionMutation:
    @strawberry.mutation(
        description="React to an article or comment (members); one reaction per kind each."
    )
    async def add_reaction(
        self,
        info: Info,
        input: Annotated[ReactionInput, strawberry.argument(description="The reaction.")],  # noqa: A002
    ) -> ReactionPayload:
        return await react(info, input, give=True)

    @strawberry.mutation(description="Take back a reaction you gave.")
    async def remove_reaction(
        self,
        info: Info,
        input: Annotated[ReactionInput, strawberry.argument(description="The reaction.")],  # noqa: A002
    ) -> ReactionPayload:
        return await react(info, input, give=False)
