from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from models.sql import Row, timestamp
from schema.article.types import ARTICLE_ORDERS, Article, ArticleOrder
from schema.context import Info
from schema.core.access import Access
from schema.core.node import Node
from schema.core.pagination import (
    After,
    Before,
    Connection,
    First,
    Last,
    Order,
    connection,
    empty_connection,
    page_of,
)
from schema.member.types import Member


@strawberry.enum(description="Who can see a group and what is in it.")
class GroupPrivacy(Enum):
    PUBLIC = strawberry.enum_value("PUBLIC", description="Anyone sees the group and its content.")
    PRIVATE = strawberry.enum_value(
        "PRIVATE",
        description=(
            "Anyone sees the group's name, description and member count; only members see "
            "its articles, comments and member list. Joining makes a request that an owner "
            "or admin approves."
        ),
    )
    SECRET = strawberry.enum_value(
        "SECRET",
        description=(
            "Only members know the group exists; to anyone else it answers as if it did not. "
            "People join only by being added."
        ),
    )


@strawberry.enum(description="What a member may do in a group.")
class MemberRole(Enum):
    OWNER = strawberry.enum_value(
        "OWNER",
        description="Everything an admin may, and names admins; a group keeps at least one.",
    )
    ADMIN = strawberry.enum_value(
        "ADMIN",
        description=(
            "Changes the group, approves join requests, adds and removes members, and moderates."
        ),
    )
    MODERATOR = strawberry.enum_value(
        "MODERATOR", description="Edits, deletes and pins anyone's articles and comments."
    )
    MEMBER = strawberry.enum_value("MEMBER", description="Reads, posts, comments and reacts.")


@strawberry.enum(description="Whether a membership is in effect or still a request.")
class MembershipStatus(Enum):
    ACTIVE = strawberry.enum_value("ACTIVE", description="A member of the group.")
    PENDING = strawberry.enum_value(
        "PENDING", description="Asked to join a PRIVATE group; an owner or admin decides."
    )


@strawberry.type(description="The viewer's place in a group.")
class ViewerMembership:
    role: MemberRole = strawberry.field(description="The viewer's role (MEMBER while pending).")
    status: MembershipStatus = strawberry.field(description="Member, or asking to be one.")


@strawberry.type(description="A member of a group, with their role in it.")
class GroupMember:
    member: Member = strawberry.field(description="The member.")
    role: MemberRole = strawberry.field(description="Their role in this group.")
    joined_at: datetime = strawberry.field(description="When they joined (UTC).")

    @classmethod
    def from_row(cls, row: Row) -> GroupMember:
        return cls(
            member=Member(pk=row["member_id"], name=row["member_name"]),
            role=MemberRole(row["role"]),
            joined_at=timestamp(row["joined_at"]),
        )


@strawberry.type(description="Someone asking to join a PRIVATE group.")
class JoinRequest:
    member: Member = strawberry.field(description="Who asks.")
    requested_at: datetime = strawberry.field(description="When they asked (UTC).")

    @classmethod
    def from_row(cls, row: Row) -> JoinRequest:
        return cls(
            member=Member(pk=row["member_id"], name=row["member_name"]),
            requested_at=timestamp(row["joined_at"]),
        )


@strawberry.type(description="A community group: its members, and the articles they post.")
class Group(Node):
    slug: str = strawberry.field(
        description=(
            "The group's unique, URL-safe handle. A SECRET group's is unguessable: a readable "
            "start, `--` and 20 random characters. `group(slug:)` also finds a group by the "
            "slugs it had before."
        )
    )
    name: str = strawberry.field(description="The group's name, exactly as its owners wrote it.")
    description: str = strawberry.field(description="What the group is about (plain text).")
    privacy: GroupPrivacy = strawberry.field(description="Who can see the group and its content.")
    member_count: int = strawberry.field(description="How many members the group has, exactly.")
    created_at: datetime = strawberry.field(description="When the group was created (UTC).")

    @classmethod
    def from_row(cls, row: Row) -> Group:
        return cls(
            pk=row["id"],
            slug=row["slug"],
            name=row["name"],
            description=row["description"],
            privacy=GroupPrivacy(row["privacy"]),
            member_count=row["member_count"],
            created_at=timestamp(row["created_at"]),
        )

    @strawberry.field(
        description="The group's articles, newest first unless `orderBy` says otherwise."
    )
    async def articles(
        self,
        info: Info,
        first: First = strawberry.UNSET,
        after: After = strawberry.UNSET,
        last: Last = strawberry.UNSET,
        before: Before = strawberry.UNSET,
        order_by: Annotated[
            ArticleOrder | None, strawberry.argument(description="How to sort the articles.")
        ] = ArticleOrder.NEWEST,
    ) -> Connection[Article]:
        page = page_of(ARTICLE_ORDERS[order_by or ArticleOrder.NEWEST], first, after, last, before)
        if not (await info.context.access()).reads_group(self.privacy.name, self.pk):
            return empty_connection(page)
        loaders = info.context.loaders
        rows = await loaders.articles_by_group.load((self.pk, page))
        return connection(
            rows, page, Article.from_row, lambda: loaders.article_count_by_group.load(self.pk)
        )

    @strawberry.field(
        description=(
            "The group's article with this slug (as in `/groups/:slug/:articleSlug`); null "
            "when there is none, it was deleted, or you may not read the group's content."
        )
    )
    async def article(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="The article's slug.")],
    ) -> Article | None:
        if not 0 < len(slug) <= MAX_ARTICLE_SLUG_LENGTH or "\x00" in slug:  # no slug holds NUL
            return None
        return await info.context.loaders.article_by_group_slug.load((self.pk, slug))

    @strawberry.field(
        description="Articles the group's moderators pinned, most recently pinned first."
    )
    async def pinned_articles(self, info: Info) -> list[Article]:
        if not (await info.context.access()).reads_group(self.privacy.name, self.pk):
            return []
        return await info.context.loaders.pinned_articles_by_group.load(self.pk)

    @strawberry.field(
        description=(
            "The group's members, longest-standing first. Empty for whoever may not read the "
            "group's content."
        )
    )
    async def members(
        self,
        info: Info,
        first: First = strawberry.UNSET,
        after: After = strawberry.UNSET,
        last: Last = strawberry.UNSET,
        before: Before = strawberry.UNSET,
    ) -> Connection[GroupMember]:
        page = page_of(MEMBERS_ORDER, first, after, last, before)
        if not (await info.context.access()).reads_group(self.privacy.name, self.pk):
            return empty_connection(page)
        loaders = info.context.loaders
        rows = await loaders.members_by_group.load((self.pk, page))
        return connection(
            rows, page, GroupMember.from_row, lambda: loaders.member_count_by_group.load(self.pk)
        )

    @strawberry.field(
        description=(
            "Pending requests to join, oldest first: seen by the group's owners and admins, "
            "empty for everyone else."
        )
    )
    async def join_requests(
        self,
        info: Info,
        first: First = strawberry.UNSET,
        after: After = strawberry.UNSET,
        last: Last = strawberry.UNSET,
        before: Before = strawberry.UNSET,
    ) -> Connection[JoinRequest]:
        page = page_of(MEMBERS_ORDER, first, after, last, before)
        if not (await info.context.access()).can_manage(self.pk):
            return empty_connection(page)
        loaders = info.context.loaders
        rows = await loaders.join_requests_by_group.load((self.pk, page))
        return connection(
            rows,
            page,
            JoinRequest.from_row,
            lambda: loaders.join_request_count_by_group.load(self.pk),
        )

    @strawberry.field(description="The viewer's membership or pending request; null when neither.")
    async def viewer_membership(self, info: Info) -> ViewerMembership | None:
        return viewer_membership(await info.context.access(), self.pk)

    @strawberry.field(description="Whether the viewer may join (PUBLIC) or ask to join (PRIVATE).")
    async def viewer_can_join(self, info: Info) -> bool:
        return (await info.context.access()).can_join(self.privacy.name, self.pk)

    @strawberry.field(description="Whether the viewer may leave, or withdraw a pending request.")
    async def viewer_can_leave(self, info: Info) -> bool:
        return self.pk in (await info.context.access()).standings

    @strawberry.field(description="Whether the viewer may post articles here (members may).")
    async def viewer_can_post(self, info: Info) -> bool:
        return (await info.context.access()).is_member(self.pk)

    @strawberry.field(
        description="Whether the viewer may change the group's name, description and privacy."
    )
    async def viewer_can_update(self, info: Info) -> bool:
        return (await info.context.access()).can_manage(self.pk)

    @strawberry.field(
        description="Whether the viewer may approve requests, add and remove members, set roles."
    )
    async def viewer_can_manage_members(self, info: Info) -> bool:
        return (await info.context.access()).can_manage(self.pk)


def viewer_membership(access: Access, group_id: int) -> ViewerMembership | None:
    standing = access.standings.get(group_id)
    if standing is None:
        return None
    return ViewerMembership(
        role=MemberRole(standing.role.value), status=MembershipStatus(standing.status.value)
    )


MAX_ARTICLE_SLUG_LENGTH = 120  # models.Article.slug
MEMBERS_ORDER = Order("member:JOINED", "joined_at", descending=False)
