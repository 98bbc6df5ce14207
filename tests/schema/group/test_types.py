from __future__ import annotations

from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

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
