from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from models.member import Member


class AuthToken(Model):
    """A bearer token, stored only as the SHA-256 of the token the member holds."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "auth_tokens"
        # Retention deletes expired or revoked tokens (models/retention.py): one index each
        # side of its OR, so neither side scans the table.
        indexes = (
            Index(fields=("expires_at",), name="auth_tokens_by_expiry"),
            Index(fields=("revoked_at",), name="auth_tokens_by_revocation"),
        )
