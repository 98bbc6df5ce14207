"""Every DataLoader of one request, created together in `get_context`."""

from __future__ import annotations

from schema.article.loaders import (
    article_by_id_loader,
    article_count_by_group_loader,
    articles_by_group_loader,
)
from schema.comment.loaders import (
    comment_by_id_loader,
    comment_count_by_article_loader,
    comments_by_article_loader,
    replies_by_comment_loader,
)
from schema.group.loaders import group_by_id_loader, group_by_slug_loader
from schema.member.loaders import member_by_id_loader


class Loaders:
    __slots__ = (
        "article_by_id",
        "article_count_by_group",
        "articles_by_group",
        "comment_by_id",
        "comment_count_by_article",
        "comments_by_article",
        "group_by_id",
        "group_by_slug",
        "member_by_id",
        "replies_by_comment",
    )

    def __init__(self) -> None:
        self.member_by_id = member_by_id_loader()
        self.group_by_id = group_by_id_loader()
        self.group_by_slug = group_by_slug_loader()
        self.article_by_id = article_by_id_loader()
        self.articles_by_group = articles_by_group_loader()
        self.article_count_by_group = article_count_by_group_loader()
        self.comment_by_id = comment_by_id_loader()
        self.comments_by_article = comments_by_article_loader()
        self.comment_count_by_article = comment_count_by_article_loader()
        self.replies_by_comment = replies_by_comment_loader()
