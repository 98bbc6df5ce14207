from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Ranking(Model):
    """A list's order frozen when its first page was read, so paging on is stable.

    Rankings by reactions or by a hot score move while people react; a cursor
    names the ranking it came from and keeps its place in it. The key names the
    list (order and parent) and the time bucket, so readers within the same few
    seconds share one ranking.
    """

    key = fields.CharField(max_length=100, primary_key=True)
    item_ids = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "rankings"
        indexes = (Index(fields=("created_at",), name="rankings_by_age"),)
