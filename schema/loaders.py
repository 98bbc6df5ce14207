"""Every DataLoader of one request, each created when first used."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property

from strawberry.dataloader import DataLoader

from models.sql import Row
from schema.article.loaders import (
    article_by_group_slug_loader,
    article_by_id_loader,
    article_count_by_group_loader,
    article_exists_loader,
    articles_by_group_loader,
    pinned_articles_by_group_loader,
)
from schema.article.types import Article
from schema.comment.loaders import (
    comment_by_id_loader,
    comment_count_by_article_loader,
    comments_by_article_loader,
    replies_by_comment_loader,
)
from schema.comment.types import Comment
from schema.core.access import AccessGetter, Standing
from schema.core.loaders import PageKey
from schema.group.loaders import (
    group_by_id_loader,
    group_by_slug_loader,
    join_request_count_by_group_loader,
    join_requests_by_group_loader,
    member_count_by_group_loader,
    members_by_group_loader,
    privacy_by_group_loader,
)
from schema.group.types import Group
from schema.member.loaders import member_by_id_loader, standings_by_member_loader
from schema.member.types import Member
from schema.reaction.loaders import reaction_groups_loader
from schema.reaction.types import ReactionGroup


class Loaders:
    def __init__(self, access: AccessGetter, clock: Callable[[], datetime]) -> None:
        self.access = access
        self.clock = clock

    @cached_property
    def standings_by_member(self) -> DataLoader[int, dict[int, Standing]]:
        return standings_by_member_loader()

    @cached_property
    def member_by_id(self) -> DataLoader[int, Member | None]:
        return member_by_id_loader()

    @cached_property
    def group_by_id(self) -> DataLoader[int, Group | None]:
        return group_by_id_loader(self.access)

    @cached_property
    def privacy_by_group(self) -> DataLoader[int, str | None]:
        return privacy_by_group_loader()

    @cached_property
    def group_by_slug(self) -> DataLoader[str, Group | None]:
        return group_by_slug_loader(self.access)

    @cached_property
    def article_by_id(self) -> DataLoader[int, Article | None]:
        return article_by_id_loader(self.access)

    @cached_property
    def article_by_group_slug(self) -> DataLoader[tuple[int, str], Article | None]:
        return article_by_group_slug_loader(self.access)

    @cached_property
    def article_exists(self) -> DataLoader[int, bool]:
        return article_exists_loader()

    @cached_property
    def articles_by_group(self) -> DataLoader[PageKey, list[Row]]:
        return articles_by_group_loader(self.clock)

    @cached_property
    def article_count_by_group(self) -> DataLoader[int, int]:
        return article_count_by_group_loader()

    @cached_property
    def comment_by_id(self) -> DataLoader[int, Comment | None]:
        return comment_by_id_loader(self.access)

    @cached_property
    def comments_by_article(self) -> DataLoader[PageKey, list[Row]]:
        return comments_by_article_loader(self.clock)

    @cached_property
    def comment_count_by_article(self) -> DataLoader[int, int]:
        return comment_count_by_article_loader()

    @cached_property
    def replies_by_comment(self) -> DataLoader[PageKey, list[Row]]:
        return replies_by_comment_loader(self.clock)

    @cached_property
    def pinned_articles_by_group(self) -> DataLoader[int, list[Article]]:
        return pinned_articles_by_group_loader()

    @cached_property
    def members_by_group(self) -> DataLoader[PageKey, list[Row]]:
        return members_by_group_loader(self.clock)

    @cached_property
    def member_count_by_group(self) -> DataLoader[int, int]:
        return member_count_by_group_loader()

    @cached_property
    def join_requests_by_group(self) -> DataLoader[PageKey, list[Row]]:
        return join_requests_by_group_loader(self.clock)

    @cached_property
    def join_request_count_by_group(self) -> DataLoader[int, int]:
        return join_request_count_by_group_loader()

    @cached_property
    def reactions_by_article(self) -> DataLoader[int, list[ReactionGroup]]:
        return reaction_groups_loader("article", self.access)

    @cached_property
    def reactions_by_comment(self) -> DataLoader[int, list[ReactionGroup]]:
        return reaction_groups_loader("comment", self.access)
