from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from models.article import Article


class ArticleView(Model):
    """The marker that deduplicates views: one row per (article, viewer).

    `viewer` is a salted SHA-256 of the viewer's identity, never a raw address.
    `counted_at` is when this viewer's last counted view happened; a new view
    counts only once the window since then has passed.

    A row whose `viewer` hashes "address:<network>" is an address's allowance of views
    of the article instead, its `counted_at` when the allowance is whole again (see
    schema/article/view_counter.py). Retention deletes rows a window old, either kind.
    """

    id = fields.BigIntField(primary_key=True)
    article: fields.ForeignKeyRelation[Article] = fields.ForeignKeyField(
        "models.Article", related_name="view_markers", on_delete=fields.CASCADE
    )
    viewer = fields.CharField(max_length=64)
    counted_at = fields.DatetimeField()

    class Meta:
        table = "article_views"
        unique_together = (("article", "viewer"),)
        # Retention deletes by age (models/retention.py): without it, a scan of every marker.
        indexes = (Index(fields=("counted_at",), name="article_views_by_age"),)
