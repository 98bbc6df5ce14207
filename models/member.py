from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Member(Model):
    """A person in the community, who signs in with an email address and a password.

    The email is stored lower-cased, so it is unique whatever its case. Members
    made by the data generator have neither and cannot sign in.
    """

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    email = fields.CharField(max_length=254, unique=True, null=True)
    password_hash = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "members"
