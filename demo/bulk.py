"""A large, deterministic data set for benchmarks: members, groups, articles, threads.

Rows are generated in memory with explicit ids (so replies can point at their
parents) and written with batched multi-row inserts. Counters (`member_count`,
`comment_count`, `reply_count`) are computed from the generated rows, so they
are exact from the start.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from models import GroupPrivacy
from models.sql import client, execute_many, fetch, is_postgres
from schema.core.slugs import SECRET_SEPARATOR, SECRET_SUFFIX_ALPHABET, SECRET_SUFFIX_LENGTH

BATCH_ROWS = 5000
START = datetime(2022, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 2 * 365 * 24 * 3600


@dataclass(frozen=True)
class Sizes:
    members: int = 10_000
    groups: int = 100
    articles: int = 20_000
    comments: int = 200_000

    def __str__(self) -> str:
        return (
            f"{self.members} members, {self.groups} groups, "
            f"{self.articles} articles, {self.comments} comments"
        )


def privacy_of(group_id: int) -> GroupPrivacy:
    """Group 1 (the benchmark's page) is public; every tenth is private, every 25th secret."""
    if group_id % 25 == 0:
        return GroupPrivacy.SECRET
    if group_id % 10 == 0:
        return GroupPrivacy.PRIVATE
    return GroupPrivacy.PUBLIC


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
            group_id = (article_id - 1) % self.sizes.groups + 1
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
                ]
            )
        return rows

    def comments(
        self, articles: list[list[Any]], members_of: dict[int, list[int]]
    ) -> list[list[Any]]:
        rows: list[list[Any]] = []
        thread_of: dict[int, list[int]] = {}  # article id -> its comments' row indexes
        for comment_id in range(1, self.sizes.comments + 1):
            article = self.random.choice(articles)
            article_id, group_id = article[0], article[1]
            earlier = thread_of.setdefault(article_id, [])
            parent = (
                rows[self.random.choice(earlier)]
                if earlier and self.random.random() < 0.5
                else None
            )
            created = self.moment(parent[6] if parent else article[11])
            if parent is not None:
                parent[5] += 1  # reply_count
            article[10] += 1  # comment_count
            earlier.append(len(rows))
            rows.append(
                [
                    comment_id,
                    article_id,
                    self.random.choice(members_of[group_id]),
                    parent[0] if parent else None,
                    f"Comment {comment_id}: I'm glad someone wrote this. What worked for you?",
                    0,
                    created,
                ]
            )
        return rows


async def generate(sizes: Sizes) -> None:
    """Fill an empty database with `sizes` worth of rows."""
    count = await fetch("SELECT COUNT(*) AS n FROM groups")
    if count[0]["n"]:
        raise RuntimeError("generate needs an empty database: this one already has groups")
    generator = Generator(sizes)
    memberships, members_of = generator.memberships()
    articles = generator.articles(members_of)
    comments = generator.comments(articles, members_of)
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
            "published_at", "updated_at",
        ),
        articles,
    )  # fmt: skip
    await insert(
        "comments",
        ("id", "article_id", "author_id", "parent_id", "body", "reply_count", "created_at"),
        comments,
    )
    if is_postgres(client()):
        for table in ("members", "groups", "memberships", "articles", "comments"):
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
