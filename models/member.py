from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Member(Model):
    """A person in the community. Sign-in details arrive with accounts."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "members"
