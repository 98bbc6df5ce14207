from __future__ import annotations

from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from bench.statements import StatementLog
from models import Article, GroupPrivacy, MembershipStatus
from tests import factories
from tests.helpers import data_of, error_of

ARTICLES = """
query Articles(
  $slug: String!, $first: Int, $after: String, $last: Int, $before: String, $orderBy: ArticleOrder
) {
  group(slug: $slug) {
    articles(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes { title views publishedAt }
    }
  }
}
"""


@pytest.fixture
async def articles(db: TortoiseContext) -> None:
    """Nine articles; several share a publication minute or a view count, so ids break ties."""
    group = await factories.group()
    author = await factories.member()
    other = await factories.group("ms-caregivers-circle")
    await factories.article(other, author, "Elsewhere", minutes=99, views=9999)
    for n, (minutes, views) in enumerate(
        [(0, 10), (5, 30), (5, 30), (5, 20), (9, 30), (12, 0), (12, 50), (20, 10), (30, 30)]
    ):
        await factories.article(group, author, f"A{n}", minutes=minutes, views=views)


async def titles(client: httpx.AsyncClient, **arguments: Any) -> tuple[list[str], dict[str, Any]]:
    data = await data_of(client, ARTICLES, {"slug": "muscle-weakness-ms", **arguments})
    connection = data["group"]["articles"]
    return [node["title"] for node in connection["nodes"]], connection


NEWEST = ["A8", "A7", "A6", "A5", "A4", "A3", "A2", "A1", "A0"]
OLDEST = NEWEST[::-1]
MOST_VIEWED = ["A6", "A8", "A4", "A2", "A1", "A3", "A7", "A0", "A5"]


@pytest.mark.parametrize(
    ("order", "expected"),
    [(None, NEWEST), ("NEWEST", NEWEST), ("OLDEST", OLDEST), ("MOST_VIEWED", MOST_VIEWED)],
)
async def test_articles_in_each_order(
    articles: None, client: httpx.AsyncClient, order: str | None, expected: list[str]
) -> None:
    found, connection = await titles(client, orderBy=order)

    assert found == expected
    assert connection["totalCount"] == 9


@pytest.mark.parametrize("order", ["NEWEST", "OLDEST", "MOST_VIEWED"])
@pytest.mark.parametrize("size", [1, 2, 4])
async def test_paging_either_way_meets_every_article_once(
    articles: None, client: httpx.AsyncClient, order: str, size: int
) -> None:
    everything, _ = await titles(client, orderBy=order)
    forwards: list[str] = []
    after = None
    while True:
        page, connection = await titles(client, orderBy=order, first=size, after=after)
        forwards += page
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    backwards: list[str] = []
    before = None
    while True:
        page, connection = await titles(client, orderBy=order, last=size, before=before)
        backwards = page + backwards
        if not connection["pageInfo"]["hasPreviousPage"]:
            break
        before = connection["pageInfo"]["startCursor"]

    assert forwards == everything
    assert backwards == everything


async def test_a_cursor_of_another_order_is_refused(
    articles: None, client: httpx.AsyncClient
) -> None:
    _, newest = await titles(client, first=2)

    error = await error_of(
        client,
        ARTICLES,
        {
            "slug": "muscle-weakness-ms",
            "after": newest["pageInfo"]["endCursor"],
            "orderBy": "OLDEST",
        },
    )

    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}
    assert error["path"] == ["group", "articles"]


async def test_a_group_without_articles_has_an_empty_connection(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    await factories.group()

    found, connection = await titles(client)

    assert (found, connection["totalCount"], connection["pageInfo"]["hasNextPage"]) == (
        [],
        0,
        False,
    )


# Group.article(slug:)

ARTICLE_BY_SLUG = """
query ArticleBySlug($group: String!, $article: String!) {
  group(slug: $group) { name article(slug: $article) { id slug title group { slug } } }
}
"""
ARTICLES_OF_THREE_GROUPS = """
query ArticlesOfThreeGroups($tremors: String!, $weakness: String!) {
  a: group(slug: "g1") { article(slug: $tremors) { title } }
  b: group(slug: "g2") { article(slug: $weakness) { title } }
  c: group(slug: "g3") { article(slug: $tremors) { title } }
  d: group(slug: "g3") { article(slug: $weakness) { title } }
}
"""


async def article_by_slug(
    client: httpx.AsyncClient, group: str, article: str, **kwargs: Any
) -> dict[str, Any] | None:
    data = await data_of(client, ARTICLE_BY_SLUG, {"group": group, "article": article}, **kwargs)
    assert data["group"] is not None
    found: dict[str, Any] | None = data["group"]["article"]
    return found


async def test_an_article_by_its_slug_in_the_group(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    group = await factories.group()
    article = await factories.article(group, await factories.member())

    found = await article_by_slug(client, "muscle-weakness-ms", article.slug)

    assert found == {
        "id": factories.global_id(article),
        "slug": article.slug,
        "title": "Managing Hand Tremors in MS",
        "group": {"slug": "muscle-weakness-ms"},
    }


@pytest.mark.parametrize("slug", ["no-such-article", "", "x" * 500, "nul\x00", "elsewhere-0-0"])
async def test_an_unknown_slug_or_one_of_another_group_is_null(
    db: TortoiseContext, client: httpx.AsyncClient, slug: str
) -> None:
    group = await factories.group()
    other = await factories.group("ms-caregivers-circle")
    author = await factories.member()
    await factories.article(group, author)
    await factories.article(other, author, "Elsewhere")

    assert await article_by_slug(client, "muscle-weakness-ms", slug) is None


async def test_a_deleted_article_is_null(db: TortoiseContext, client: httpx.AsyncClient) -> None:
    group = await factories.group()
    article = await factories.article(group, await factories.member())
    await Article.filter(id=article.id).update(deleted_at=factories.EPOCH)

    assert await article_by_slug(client, "muscle-weakness-ms", article.slug) is None


@pytest.mark.parametrize("viewer", ["anonymous", "outsider", "pending", "member"])
async def test_an_article_of_a_private_group_only_for_its_members(
    db: TortoiseContext, client: httpx.AsyncClient, viewer: str
) -> None:
    group = await factories.group("ms-research", GroupPrivacy.PRIVATE)
    article = await factories.article(group, await factories.member("Dana Whitfield"))
    headers = {}
    if viewer != "anonymous":
        sam = await factories.member()
        if viewer == "pending":
            await factories.join(group, sam, status=MembershipStatus.PENDING)
        elif viewer == "member":
            await factories.join(group, sam)
        headers = factories.bearer(await factories.token(sam))

    found = await article_by_slug(client, "ms-research", article.slug, headers=headers)

    assert (found is not None) == (viewer == "member")


async def test_articles_of_several_groups_by_slug_cost_one_statement(
    db: TortoiseContext, client: httpx.AsyncClient, statements: StatementLog
) -> None:
    author = await factories.member()
    for slug in ("g1", "g2", "g3"):
        group = await factories.group(slug)
        await factories.article(group, author, f"Tremors {slug}")
        await factories.article(group, author, f"Weakness {slug}")
    statements.statements.clear()

    data = await data_of(
        client,
        ARTICLES_OF_THREE_GROUPS,
        {"tremors": "tremors-g1-0-0", "weakness": "weakness-g2-0-0"},
    )

    assert data == {
        "a": {"article": {"title": "Tremors g1"}},
        "b": {"article": {"title": "Weakness g2"}},
        "c": {"article": None},  # the slug is g1's, not g3's
        "d": {"article": None},
    }
    # the groups by slug; the articles by (group, slug)
    assert len(statements.statements) == 2, statements.statements
