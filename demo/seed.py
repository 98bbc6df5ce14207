"""The demo data: the seed page (see shared/seed-facts.md) and three more groups.

Titles, captions, view counts, the member count and Sam Harrison's comment are
the facts of the page; the bodies are written fresh on the same topics. Five
demo members can sign in (DEMO_ACCOUNTS, all with DEMO_PASSWORD: for local
use only, never on a server others can reach).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

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
    Reaction,
    ReactionKind,
)
from schema.account.passwords import hash_password
from schema.core.slugs import secret_slug

SEED_GROUP_SLUG = "muscle-weakness-ms"
SEED_MEMBER_COUNT = 169
REACTED_AT = datetime(2023, 10, 18, 8, 0, tzinfo=UTC)
DEMO_PASSWORD = "groupql-demo-password"  # noqa: S105 - documented, local demo data only
DEMO_ACCOUNTS = {
    "Dana Whitfield": "dana@example.org",
    "Sam Harrison": "sam@example.org",
    "Ella Brooks": "ella@example.org",
    "Noah Carter": "noah@example.org",
    "Grace Diaz": "grace@example.org",
}

FIRST_NAMES = (
    "Ava", "Ben", "Chloe", "Daniel", "Ella", "Finn", "Grace", "Henry", "Isla", "Jack",
    "Kate", "Liam", "Maya", "Noah", "Olive", "Paul", "Quinn", "Rosa", "Theo",
)  # fmt: skip
LAST_NAMES = ("Adams", "Brooks", "Carter", "Diaz", "Evans", "Foster", "Gray", "Hughes", "Irwin")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class Thread:
    """A comment and its replies, each reply a Thread of its own."""

    author: str
    body: str
    created_at: str
    replies: list[Thread] = field(default_factory=list)
    reactions: tuple[tuple[str, ReactionKind], ...] = ()


@dataclass
class ArticleSeed:
    slug: str
    title: str
    caption: str | None
    views: int
    published_at: str
    body: str
    subtitle: str | None = None
    threads: list[Thread] = field(default_factory=list)
    reactions: tuple[tuple[str, ReactionKind], ...] = ()
    pinned: bool = False


SEED_ARTICLES = (
    ArticleSeed(
        slug="understanding-muscle-weakness-in-ms",
        title="Understanding Muscle Weakness in MS: Why It Happens & What Actually Helps",
        caption="TraXel: Muscle Weakness in MS",
        views=256,
        published_at="2023-09-12 09:30:00",
        body=(
            "Many of us notice that a leg which felt fine at breakfast drags by late "
            "afternoon. That swing is a clue: in MS the muscle itself is usually healthy. "
            "The trouble sits in the nerves that carry the signal to it.\n\n"
            "## Why it changes during the day\n\n"
            "Demyelinated nerve fibres conduct signals slowly and unreliably, and they get "
            "worse when they warm up or tire. Heat, a long walk or a poor night can all "
            "tip a borderline signal into a weak movement, which recovers with rest "
            "and cooling.\n\n"
            "## What helps\n\n"
            "- Pace the day and plan demanding tasks for your strongest hours.\n"
            "- Keep cool: cold drinks, fans and cooling vests.\n"
            "- Work with a physiotherapist on strength and balance you can keep up.\n"
        ),
        threads=[
            Thread(
                author="Ella Brooks",
                body=(
                    "Cooling vests changed my summers. Our local MS support group in "
                    "Portland meets monthly if anyone here is nearby."
                ),
                created_at="2023-10-15 18:20:00",
                replies=[
                    Thread(
                        author="Sam Harrison",
                        body="Oregon or Maine? I'm from Portland, Maine",
                        created_at="2023-10-16 08:05:00",
                        replies=[
                            Thread(
                                author="Ella Brooks",
                                body="Maine! We meet at the library on Congress Street.",
                                created_at="2023-10-16 12:40:00",
                                replies=[
                                    Thread(
                                        author="Sam Harrison",
                                        body="I'll be there next month. Thanks, Ella!",
                                        created_at="2023-10-16 19:10:00",
                                        reactions=(("Ella Brooks", ReactionKind.HEART),),
                                    )
                                ],
                            )
                        ],
                        reactions=(("Ella Brooks", ReactionKind.LIKE),),
                    )
                ],
                reactions=(
                    ("Sam Harrison", ReactionKind.SUPPORT),
                    ("Noah Carter", ReactionKind.SUPPORT),
                ),
            ),
            Thread(
                author="Noah Carter",
                body="The point about heat explains so much about my afternoons.",
                created_at="2023-10-17 07:55:00",
                reactions=(("Grace Diaz", ReactionKind.INSIGHTFUL),),
            ),
        ],
        reactions=(
            ("Sam Harrison", ReactionKind.INSIGHTFUL),
            ("Ella Brooks", ReactionKind.HEART),
            ("Grace Diaz", ReactionKind.LIKE),
        ),
        pinned=True,
    ),
    ArticleSeed(
        slug="managing-hand-tremors-in-ms",
        title="Managing Hand Tremors in MS",
        caption="TraXel | Managing Hand Tremors in MS",
        views=299,
        published_at="2023-09-28 14:00:00",
        body=(
            "Tremor in MS usually comes from damage in the cerebellum or in the pathways "
            "that link it to the rest of the brain, where demyelination blurs the fine "
            "timing a steady hand depends on.\n\n"
            "## Everyday strategies\n\n"
            "1. Brace the forearm on a table before writing or eating.\n"
            "2. Try weighted cutlery and mugs with lids.\n"
            "3. Use voice typing instead of a small keyboard.\n\n"
            "An occupational therapist can suggest more, and a neurologist can say whether "
            "medication is worth a try."
        ),
        threads=[
            Thread(
                author="Grace Diaz",
                body="Weighted cutlery was the best tip I ever got from my OT.",
                created_at="2023-10-02 10:15:00",
            )
        ],
    ),
    ArticleSeed(
        slug="muscle-weakness-in-ms-adaptive-strategies-tips",
        title="Muscle Weakness in MS: Adaptive Strategies& Tips",
        subtitle="Muscle Weakness in Multiple Sclerosis (MS)",
        caption="Muscle Weakness in Multiple Sclerosis (MS)",
        views=364,
        published_at="2023-10-05 11:45:00",
        body=(
            "**Key points**\n\n"
            "- *Location and extent*: weakness can affect one limb, one side or both legs, "
            "depending on where the lesions are.\n"
            "- *Fluctuation*: it often varies from hour to hour and day to day.\n"
            "- *Fatigue*: MS fatigue and weakness feed each other, so rest is part of the plan.\n\n"
            "Small adaptations add up: a perching stool in the kitchen, rails where you "
            "turn, and shoes that stay on without effort."
        ),
    ),
)


@dataclass
class GroupSeed:
    """A group; its first `members` demo members join (the first is its owner), or the
    named `member_names`; `roles` raises some; `pending` ask to join."""

    slug: str
    name: str
    description: str
    privacy: GroupPrivacy
    created_at: str
    members: int = 0
    articles: tuple[ArticleSeed, ...] = ()
    member_names: tuple[str, ...] = ()
    roles: tuple[tuple[str, MembershipRole], ...] = ()
    pending: tuple[str, ...] = ()


GROUPS = (
    GroupSeed(
        slug=SEED_GROUP_SLUG,
        name="Muscle Weakness & MS",
        description=(
            "For people living with multiple sclerosis and those who support them: "
            "practical ways to live with muscle weakness, tremor and fatigue."
        ),
        privacy=GroupPrivacy.PUBLIC,
        created_at="2023-06-01 10:00:00",
        members=SEED_MEMBER_COUNT,
        articles=SEED_ARTICLES,
        roles=(("Ella Brooks", MembershipRole.ADMIN), ("Noah Carter", MembershipRole.MODERATOR)),
    ),
    GroupSeed(
        slug="ms-caregivers-circle",
        name="MS Caregivers Circle",
        description="Partners, parents and friends of people with MS, sharing what works.",
        privacy=GroupPrivacy.PUBLIC,
        created_at="2023-07-20 16:30:00",
        members=24,
        articles=(
            ArticleSeed(
                slug="looking-after-yourself-too",
                title="Looking After Yourself Too",
                caption="TraXel: Caring for the carer",
                views=88,
                published_at="2023-08-14 08:00:00",
                body="Caring is a long road. Book respite before you need it, and say yes to help.",
            ),
        ),
    ),
    GroupSeed(
        slug="ms-research-volunteers",
        name="MS Research Volunteers",
        description="Members taking part in clinical studies compare notes (private).",
        privacy=GroupPrivacy.PRIVATE,
        created_at="2023-08-02 12:00:00",
        member_names=("Dana Whitfield", "Ella Brooks", "Grace Diaz", "Noah Carter"),
        pending=("Sam Harrison",),
        articles=(
            ArticleSeed(
                slug="what-a-trial-visit-is-like",
                title="What a Trial Visit Is Like",
                caption=None,
                views=17,
                published_at="2023-09-01 15:00:00",
                body="Expect questionnaires, a walking test and a lot of waiting. Bring a book.",
                threads=[
                    Thread(
                        author="Grace Diaz",
                        body="The walking test was harder than I expected.",
                        created_at="2023-09-02 09:00:00",
                    )
                ],
            ),
        ),
    ),
    GroupSeed(
        slug="ms-trial-coordinators",
        name="MS Trial Coordinators",
        description="Coordinators of the volunteer programme (secret: members only).",
        privacy=GroupPrivacy.SECRET,
        created_at="2023-08-05 08:00:00",
        member_names=("Dana Whitfield", "Ella Brooks"),
        articles=(
            ArticleSeed(
                slug="autumn-recruitment-plan",
                title="Autumn Recruitment Plan",
                caption=None,
                views=4,
                published_at="2023-09-05 10:00:00",
                body="Two new study sites open in October; we need volunteers to host visits.",
            ),
        ),
    ),
)


def member_names(count: int) -> list[str]:
    """`count` distinct names; the first are the people who write in the demo threads."""
    writers = ["Dana Whitfield", "Sam Harrison", "Ella Brooks", "Noah Carter", "Grace Diaz"]
    others = [f"{first} {last}" for last in LAST_NAMES for first in FIRST_NAMES]
    names = writers + [name for name in others if name not in writers]
    return names[:count]


async def seed_if_empty() -> bool:
    """Load the demo data into an empty database, in one transaction. True when it did."""
    password_hash = await hash_password(DEMO_PASSWORD)
    async with in_transaction():
        if await Group.exists():
            return False
        names = member_names(max(group.members for group in GROUPS))
        members = {
            name: await Member.create(
                name=name,
                email=DEMO_ACCOUNTS.get(name),
                password_hash=password_hash if name in DEMO_ACCOUNTS else None,
            )
            for name in names
        }
        for group_seed in GROUPS:
            await create_group(group_seed, members)
    return True


async def create_group(seed: GroupSeed, members: dict[str, Member]) -> None:
    # A SECRET group's slug is unguessable (see schema/group/slugs.py): its seed slug is
    # only the readable start, and the rest differs in every database.
    slug = secret_slug(seed.slug) if seed.privacy is GroupPrivacy.SECRET else seed.slug
    group = await Group.create(
        slug=slug,
        name=seed.name,
        description=seed.description,
        privacy=seed.privacy,
        created_at=at(seed.created_at),
    )
    await GroupSlug.create(slug=slug, group=group, created_at=group.created_at)
    names = seed.member_names or tuple(members)[: seed.members]
    roles = dict(seed.roles)
    await Membership.bulk_create(
        [
            Membership(
                member=members[name],
                group=group,
                role=MembershipRole.OWNER if n == 0 else roles.get(name, MembershipRole.MEMBER),
                joined_at=group.created_at,
            )
            for n, name in enumerate(names)
        ]
        + [
            Membership(
                member=members[name],
                group=group,
                status=MembershipStatus.PENDING,
                joined_at=group.created_at,
            )
            for name in seed.pending
        ]
    )
    # The counter moves in the same transaction as the memberships it counts.
    await Group.filter(id=group.id).update(member_count=len(names))
    for article_seed in seed.articles:
        await create_article(group, article_seed, members)


async def create_article(group: Group, seed: ArticleSeed, members: dict[str, Member]) -> None:
    article = await Article.create(
        group=group,
        author=members["Dana Whitfield"],
        slug=seed.slug,
        title=seed.title,
        subtitle=seed.subtitle,
        body=seed.body,
        cover_image_url=f"https://images.example.com/traxel/{seed.slug}.jpg",
        cover_image_caption=seed.caption,
        views=seed.views,
        published_at=at(seed.published_at),
        updated_at=at(seed.published_at),
        pinned_at=at(seed.published_at) if seed.pinned else None,
    )
    await react(seed.reactions, members, article=article)
    total = 0
    for thread in seed.threads:
        total += await create_thread(article, thread, None, members)
    await Article.filter(id=article.id).update(comment_count=total)


async def create_thread(
    article: Article, thread: Thread, parent: Comment | None, members: dict[str, Member]
) -> int:
    """Write a comment and its replies; returns how many comments that was."""
    comment = await Comment.create(
        article=article,
        author=members[thread.author],
        parent=parent,
        body=thread.body,
        depth=0 if parent is None else parent.depth + 1,
        reply_count=len(thread.replies),
        created_at=at(thread.created_at),
    )
    await react(thread.reactions, members, comment=comment)
    written = 1
    for reply in thread.replies:
        written += await create_thread(article, reply, comment, members)
    return written


async def react(
    reactions: tuple[tuple[str, ReactionKind], ...],
    members: dict[str, Member],
    article: Article | None = None,
    comment: Comment | None = None,
) -> None:
    """Reactions to one article or comment, and the count that goes with them."""
    for name, kind in reactions:
        await Reaction.create(
            member=members[name], kind=kind, article=article, comment=comment, created_at=REACTED_AT
        )
    if not reactions:
        return
    if article is not None:
        await Article.filter(id=article.id).update(reaction_count=len(reactions))
    elif comment is not None:
        await Comment.filter(id=comment.id).update(reaction_count=len(reactions))
