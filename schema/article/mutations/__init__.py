"""The article mutations, one module per concern, composed here."""

from __future__ import annotations

import strawberry

from schema.article.mutations.articles import ArticleWriteMutation
from schema.article.mutations.pins import PinMutation
from schema.article.mutations.views import ViewMutation


@strawberry.type
class ArticleMutation(ArticleWriteMutation, PinMutation, ViewMutation):
    pass
