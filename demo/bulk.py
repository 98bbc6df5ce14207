"""A large, deterministic data set for benchmarks: members, groups, articles, threads.

Rows are generated in memory with explicit ids (so replies can point at their
parents) and written with batched multi-row inserts. Counters (`member_count`,
`comment_count`, `reply_count`, `reaction_count`) and comment depths are
computed from the generated rows, so they are exact from the start.

Most comments land on articles at random, half of them replies. The first
`threads` public articles instead get full threads and no other comments:
THREAD_COMMENTS top-level comments with THREAD_REPLIES replies each (what the
benchmark's thread query reads). Every article, and every comment of a full
thread, gets 0 to 4 reactions.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from models import GroupPrivacy, ReactionKind
from models.sql import client, execute_many, fetch, is_postgres
from schema.core.slugs import SECRET_SEPARATOR, SECRET_SUFFIX_ALPHABET, SECRET_SUFFIX_LENGTH

BATCH_ROWS = 5000
START = datetime(2022, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 2 * 365 * 24 * 3600
THREAD_COMMENTS = 25
THREAD_REPLIES = 6
PER_THREAD = THREAD_COMMENTS * (1 + THREAD_REPLIES)
MAX_REACTIONS = 4
KINDS = tuple(kind.value for kind in ReactionKind)


@dataclass(frozen=True)
class Sizes:
    members: int = 10_000
    groups: int = 100
    articles: int = 20_000
    comments: int = 200_000  # full threads included
    threads: int = 50

    def __post_init__(self) -> None:
        if self.threads * PER_THREAD > self.comments:
            raise ValueError(
                f"{self.threads} full threads need {self.threads * PER_THREAD} comments, "
                f"more than {self.comments}: ask for fewer threads or more comments"
            )
        if self.threads > len(public_articles(self)):
            raise ValueError(f"{self.threads} full threads need as many public articles")
        if self.comments > self.threads * PER_THREAD and self.threads == self.articles:
            raise ValueError("the comments beyond the full threads need an article without one")

    def __str__(self) -> str:
        return (
            f"{self.members} members, {self.groups} groups, "
            f"{self.articles} articles, {self.comments} comments "
            f"({self.threads} full threads of {THREAD_COMMENTS} comments x "
            f"{THREAD_REPLIES} replies)"
        )


def privacy_of(group_id: int) -> GroupPrivacy:
    """Group 1 (the benchmark's page) is public; every tenth is private, every 25th secret."""
    if group_id % 25 == 0:
        return GroupPrivacy.SECRET
    if group_id % 10 == 0:
        return GroupPrivacy.PRIVATE
    return GroupPrivacy.PUBLIC


def group_of(article_id: int, sizes: Sizes) -> int:
    return (article_id - 1) % sizes.groups + 1


def public_articles(sizes: Sizes) -> list[int]:
    return [
        article_id
        for article_id in range(1, sizes.articles + 1)
        if privacy_of(group_of(article_id, sizes)) is GroupPrivacy.PUBLIC
    ]


def thread_articles(sizes: Sizes) -> list[int]:
    """The ids of the articles that get full threads."""
    return public_articles(sizes)[: sizes.threads]


class Generator:
    def __init__(self, sizes: Sizes, seed: int = 20231016) -> None:
        self.sizes = sizes
        self.random = random.Random(seed)

    def moment(self, after: datetime | None = None) -> datetime:
        if after is None:
            return START + timedelta(seconds=self.random.randrange(SPAN_SECONDS))
        return after + timedelta(seconds=self.random.randrange(1, 30 * 24 * 3600))

    def members(self) -> list[tuple[Any, ...]]:
        return [(n, f"Member {n}", self.moment()) for n in range(1, self.sizes.members + 1)]

    def memberships(self) -> tuple[list[tuple[Any, ...]], dict[int, list[int]]]:
        rows: list[tuple[Any, ...]] = []
        members_of: dict[int, list[int]] = {}
        population = range(1, self.sizes.members + 1)
        for group_id in range(1, self.sizes.groups + 1):
            size = min(self.sizes.members, self.random.randint(50, 300))
            members_of[group_id] = self.random.sample(population, size)
            for n, member_id in enumerate(members_of[group_id]):
                role = "OWNER" if n == 0 else "MEMBER"
                rows.append((len(rows) + 1, member_id, group_id, role, self.moment()))
        return rows, members_of

    def slug(self, group_id: int) -> str:
        """`group-<id>`; a SECRET group's in the secret shape (deterministic: benchmark data)."""
        if privacy_of(group_id) is not GroupPrivacy.SECRET:
            return f"group-{group_id}"
        suffix = "".join(
            self.random.choice(SECRET_SUFFIX_ALPHABET) for _ in range(SECRET_SUFFIX_LENGTH)
        )
        return f"group-{group_id}{SECRET_SEPARATOR}{suffix}"

    def groups(self, members_of: dict[int, list[int]]) -> list[tuple[Any, ...]]:
        return [
            (
                group_id,
                self.slug(group_id),
                f"Group {group_id} & Friends",
                f"Generated group number {group_id}.",
                privacy_of(group_id).value,
                len(members_of[group_id]),
                self.moment(),
            )
            for group_id in range(1, self.sizes.groups + 1)
        ]

    def articles(self, members_of: dict[int, list[int]]) -> list[list[Any]]:
        rows = []
        for article_id in range(1, self.sizes.articles + 1):
            group_id = group_of(article_id, self.sizes)
            published = self.moment()
            rows.append(
                [
                    article_id,
                    group_id,
                    self.random.choice(members_of[group_id]),
                    f"article-{article_id}",
                    f"Article {article_id}: notes & tips",
                    None,
                    f"Paragraph one of article {article_id}, with **bold** words.\n\n"
                    "- a point\n- another point\n\nA closing paragraph that runs on "
                    "for a while so that the excerpt has something to cut.",
                    f"https://images.example.com/generated/{article_id}.jpg",
                    f"Cover of article {article_id}",
                    self.random.randrange(5000),
                    0,  # comment_count, filled in by comments()
                    published,
                    published,
                    0,  # reaction_count, filled in by reactions()
                ]
            )
        return rows

    def comments(
        self, articles: list[list[Any]], members_of: dict[int, list[int]]
    ) -> list[list[Any]]:
        rows: list[list[Any]] = []
        threads = set(thread_articles(self.sizes))
        for article in articles:
            if article[0] in threads:
                for _ in range(THREAD_COMMENTS):
                    top = self.comment(rows, article, None, members_of)
                    for _ in range(THREAD_REPLIES):
                        self.comment(rows, article, top, members_of)
        others = [article for article in articles if article[0] not in threads]
        thread_of: dict[int, list[int]] = {}  # article id -> its comments' row indexes
        while len(rows) < self.sizes.comments:
            article = self.random.choice(others)
            earlier = thread_of.setdefault(article[0], [])
            parent = (
                rows[self.random.choice(earlier)]
                if earlier and self.random.random() < 0.5
                else None
            )
            earlier.append(len(rows))
            self.comment(rows, article, parent, members_of)
        return rows

    def comment(
        self,
        rows: list[list[Any]],
        article: list[Any],
        parent: list[Any] | None,
        members_of: dict[int, list[int]],
    ) -> list[Any]:
        """Append a comment on `article` (a reply to `parent`) and count it; return its row."""
        article_id, group_id = article[0], article[1]
        created = self.moment(parent[6] if parent else article[11])
        if parent is not None:
            parent[5] += 1  # reply_count
        article[10] += 1  # comment_count
        row = [
            len(rows) + 1,
            article_id,
            self.random.choice(members_of[group_id]),
            parent[0] if parent else None,
            f"Comment {len(rows) + 1}: I'm glad someone wrote this. What worked for you?",
            0,
            created,
            0 if parent is None else parent[7] + 1,  # depth
            0,  # reaction_count, filled in by reactions()
        ]
        rows.append(row)
        return row

    def reactions(
        self,
        articles: list[list[Any]],
        comments: list[list[Any]],
        members_of: dict[int, list[int]],
    ) -> list[tuple[Any, ...]]:
        """0 to MAX_REACTIONS reactions on every article and every comment of a full thread."""
        rows: list[tuple[Any, ...]] = []
        threads = set(thread_articles(self.sizes))
        for article in articles:
            for member_id, kind in self.reactors(members_of[article[1]]):
                rows.append((len(rows) + 1, member_id, kind, article[0], None, article[11]))
                article[13] += 1
        group_of_article = {article[0]: article[1] for article in articles}
        for comment in comments:
            if comment[1] in threads:
                for member_id, kind in self.reactors(members_of[group_of_article[comment[1]]]):
                    rows.append((len(rows) + 1, member_id, kind, None, comment[0], comment[6]))
                    comment[8] += 1
        return rows

    def reactors(self, members: list[int]) -> list[tuple[int, str]]:
        """Up to MAX_REACTIONS distinct (member, kind) pairs drawn from `members`, sorted."""
        drawn = range(self.random.randint(0, MAX_REACTIONS))
        return sorted({(self.random.choice(members), self.random.choice(KINDS)) for _ in drawn})


async def generate(sizes: Sizes) -> None:
    """Fill an empty database with `sizes` worth of rows."""
    count = await fetch("SELECT COUNT(*) AS n FROM groups")
    if count[0]["n"]:
        raise RuntimeError("generate needs an empty database: this one already has groups")
    generator = Generator(sizes)
    memberships, members_of = generator.memberships()
    articles = generator.articles(members_of)
    comments = generator.comments(articles, members_of)
    reactions = generator.reactions(articles, comments, members_of)
    await insert("members", ("id", "name", "created_at"), generator.members())
    groups = generator.groups(members_of)
    await insert(
        "groups",
        ("id", "slug", "name", "description", "privacy", "member_count", "created_at"),
        groups,
    )
    await insert(
        "group_slugs",
        ("group_id", "slug", "created_at"),
        [(group[0], group[1], group[6]) for group in groups],
    )
    await insert("memberships", ("id", "member_id", "group_id", "role", "joined_at"), memberships)
    await insert(
        "articles",
        (
            "id", "group_id", "author_id", "slug", "title", "subtitle", "body",
            "cover_image_url", "cover_image_caption", "views", "comment_count",
            "published_at", "updated_at", "reaction_count",
        ),
        articles,
    )  # fmt: skip
    await insert(
        "comments",
        (
            "id", "article_id", "author_id", "parent_id", "body", "reply_count", "created_at",
            "depth", "reaction_count",
        ),
        comments,
    )  # fmt: skip
    await insert(
        "reactions",
        ("id", "member_id", "kind", "article_id", "comment_id", "created_at"),
        reactions,
    )
    if is_postgres(client()):
        for table in ("members", "groups", "memberships", "articles", "comments", "reactions"):
            await fetch(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
        await fetch("ANALYZE")


async def insert(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    placeholders = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
    for start in range(0, len(rows), BATCH_ROWS):
        await execute_many(sql, [list(row) for row in rows[start : start + BATCH_ROWS]])
