from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class GroupPrivacy(StrEnum):
    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"
    SECRET = "SECRET"  # noqa: S105 - a privacy level, not a password


class Group(Model):
    """A community group. Its member count moves in the same transaction as its memberships."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=100, unique=True)
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    privacy = fields.CharEnumField(GroupPrivacy, max_length=7, default=GroupPrivacy.PUBLIC)
    member_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "groups"
        indexes = (Index(fields=("privacy", "created_at", "id"), name="groups_listing"),)
