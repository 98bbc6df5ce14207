from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from models.group import Group
    from models.member import Member


class MembershipRole(StrEnum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    MODERATOR = "MODERATOR"
    MEMBER = "MEMBER"


class MembershipStatus(StrEnum):
    ACTIVE = "ACTIVE"
    PENDING = "PENDING"


class Membership(Model):
    """A member's place in a group, or their request to join it (status PENDING).

    Only ACTIVE memberships count in the group's member count.
    """

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="memberships", on_delete=fields.CASCADE
    )
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "models.Group", related_name="memberships", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(MembershipRole, max_length=9, default=MembershipRole.MEMBER)
    status = fields.CharEnumField(
        MembershipStatus, max_length=7, default=MembershipStatus.ACTIVE, db_default="ACTIVE"
    )
    joined_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "memberships"
        unique_together = (("member", "group"),)
        indexes = (
            Index(fields=("group_id", "status", "joined_at", "id"), name="memberships_of_group"),
        )
