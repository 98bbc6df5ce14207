from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from models.article import Article
    from models.member import Member


class Comment(Model):
    """A comment on an article, or a reply to another comment (any depth).

    The reply count counts direct replies still in the thread, tombstones
    included. A deleted comment with replies stays as a tombstone (deleted_at
    set, body emptied) so that the thread keeps its shape.
    """

    id = fields.IntField(primary_key=True)
    article: fields.ForeignKeyRelation[Article] = fields.ForeignKeyField(
        "models.Article", related_name="comments", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="comments", on_delete=fields.RESTRICT
    )
    parent: fields.ForeignKeyNullableRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="replies", null=True, on_delete=fields.CASCADE
    )
    body = fields.TextField()
    depth = fields.IntField(default=0, db_default=0)
    reply_count = fields.IntField(default=0)
    reaction_count = fields.IntField(default=0, db_default=0)
    created_at = fields.DatetimeField()
    edited_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "comments"
        indexes = (
            Index(
                fields=("article_id", "parent_id", "created_at", "id"), name="comments_by_article"
            ),
            Index(fields=("parent_id", "created_at", "id"), name="comments_by_parent"),
        )
