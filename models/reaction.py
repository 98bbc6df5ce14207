from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from models.article import Article
    from models.comment import Comment
    from models.member import Member


class ReactionKind(StrEnum):
    LIKE = "LIKE"
    HEART = "HEART"
    INSIGHTFUL = "INSIGHTFUL"
    SUPPORT = "SUPPORT"


class Reaction(Model):
    """A member's reaction to an article or to a comment: one per member, kind and subject.

    Exactly one of article and comment is set.
    """

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="reactions", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(ReactionKind, max_length=10)
    article: fields.ForeignKeyNullableRelation[Article] = fields.ForeignKeyField(
        "models.Article", related_name="reactions", null=True, on_delete=fields.CASCADE
    )
    comment: fields.ForeignKeyNullableRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="reactions", null=True, on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "reactions"
        unique_together = (("member", "kind", "article"), ("member", "kind", "comment"))
        indexes = (
            Index(fields=("article_id", "kind"), name="reactions_of_article"),
            Index(fields=("comment_id", "kind"), name="reactions_of_comment"),
        )
