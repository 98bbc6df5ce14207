from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from models.group import Group
    from models.member import Member


class Article(Model):
    """An article in a group.

    Views only ever move through one atomic views = views + 1. The comment count
    counts every comment that is not deleted, replies included, and the reaction
    count every reaction, each moving in the same transaction as what it counts.
    A deleted article keeps its row (deleted_at) but leaves every list and lookup.
    """

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "models.Group", related_name="articles", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="articles", on_delete=fields.RESTRICT
    )
    slug = fields.CharField(max_length=120)
    title = fields.CharField(max_length=200)
    subtitle = fields.CharField(max_length=300, null=True)
    body = fields.TextField()
    cover_image_url = fields.CharField(max_length=2048, null=True)
    cover_image_caption = fields.CharField(max_length=300, null=True)
    views = fields.IntField(default=0)
    comment_count = fields.IntField(default=0)
    reaction_count = fields.IntField(default=0, db_default=0)
    published_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    pinned_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "articles"
        unique_together = (("group", "slug"),)
        indexes = (
            Index(fields=("group_id", "published_at", "id"), name="articles_by_published"),
            Index(fields=("group_id", "views", "id"), name="articles_by_views"),
            Index(fields=("group_id", "pinned_at"), name="articles_pinned"),
        )
