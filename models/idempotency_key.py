from __future__ import annotations

from datetime import timedelta

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

KEY_LIFETIME = timedelta(hours=24)  # a retry after that writes again; retention deletes it


class IdempotencyKey(Model):
    """A creating mutation's `clientMutationId`, stored in the transaction of its write.

    `scope` is whose key it is (a member, or a keyed hash of an address),
    `key_hash` the SHA-256 of the key, `input_hash` the SHA-256 of the input it
    came with, and `result` what the call created (JSON). A retry within the
    key's lifetime answers that result and writes nothing.
    """

    id = fields.BigIntField(primary_key=True)
    scope = fields.CharField(max_length=80)
    mutation = fields.CharField(max_length=40)
    key_hash = fields.CharField(max_length=64)
    input_hash = fields.CharField(max_length=64)
    result = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "idempotency_keys"
        unique_together = (("scope", "mutation", "key_hash"),)
        indexes = (Index(fields=("created_at",), name="idempotency_keys_by_age"),)
