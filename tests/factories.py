"""Rows for tests, written through the ORM with the counters kept exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.expressions import F

from models import (
    Article,
    Comment,
    Group,
    GroupPrivacy,
    GroupSlug,
    Member,
    Membership,
    MembershipRole,
    MembershipStatus,
)
from schema.account.tokens import issue_token
from schema.core import ids

EPOCH = datetime(2023, 10, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)  # where the tests' clock starts


async def member(name: str = "Sam Harrison") -> Member:
    return await Member.create(name=name)


async def group(
    slug: str = "muscle-weakness-ms",
    privacy: GroupPrivacy = GroupPrivacy.PUBLIC,
    created_at: datetime = EPOCH,
    name: str = "Muscle Weakness & MS",
) -> Group:
    created = await Group.create(slug=slug, name=name, privacy=privacy, created_at=created_at)
    await GroupSlug.create(slug=slug, group=created, created_at=created_at)
    return created


async def join(
    group: Group,
    member: Member,
    role: MembershipRole = MembershipRole.MEMBER,
    status: MembershipStatus = MembershipStatus.ACTIVE,
) -> None:
    await Membership.create(group=group, member=member, role=role, status=status)
    if status is MembershipStatus.ACTIVE:
        await Group.filter(id=group.id).update(member_count=F("member_count") + 1)


async def token(member: Member, now: datetime = NOW, days: int = 30) -> str:
    """A bearer token for `member`, valid on the tests' clock."""
    issued, _ = await issue_token(member.id, now, timedelta(days=days))
    return issued


def bearer(issued: str) -> dict[str, str]:
    return {"authorization": f"Bearer {issued}"}


async def article(
    group: Group,
    author: Member,
    title: str = "Managing Hand Tremors in MS",
    *,
    minutes: int = 0,
    views: int = 0,
    body: str = "Tremor in MS usually comes from the cerebellum.",
) -> Article:
    published_at = EPOCH + timedelta(minutes=minutes)
    return await Article.create(
        group=group,
        author=author,
        slug=f"{title.lower().replace(' ', '-')}-{minutes}-{views}",
        title=title,
        body=body,
        views=views,
        published_at=published_at,
        updated_at=published_at,
    )


async def comment(
    article: Article,
    author: Member,
    body: str = "Oregon or Maine? I'm from Portland, Maine",
    *,
    parent: Comment | None = None,
    minutes: int = 0,
) -> Comment:
    created = await Comment.create(
        article=article,
        author=author,
        parent=parent,
        body=body,
        depth=0 if parent is None else parent.depth + 1,
        created_at=EPOCH + timedelta(days=1, minutes=minutes),
    )
    await Article.filter(id=article.id).update(comment_count=F("comment_count") + 1)
    if parent is not None:
        await Comment.filter(id=parent.id).update(reply_count=F("reply_count") + 1)
    return created


def global_id(row: Article | Comment | Group | Member) -> str:
    return ids.encode(type(row).__name__, row.id)
