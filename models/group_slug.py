from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.group import Group


class GroupSlug(Model):
    """Every slug a group has had: its current one (also `groups.slug`) and its former ones.

    Unique across all groups, so a slug names at most one group, ever: a former
    slug stays with its group (the links members keep still work) and nobody
    else can take it. `group(slug:)` resolves through this table.
    """

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=100, unique=True)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "models.Group", related_name="slugs", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "group_slugs"
