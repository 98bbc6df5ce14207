"""TOP and HOT: ranked once at the first page, so paging on never repeats or skips."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import Article, Comment, Group
from tests import factories
from tests.conftest import Clock
from tests.helpers import data_of, error_of

ARTICLES = """
query Ranked($slug: String!, $order: ArticleOrder!, $first: Int, $after: String,
             $last: Int, $before: String) {
  group(slug: $slug) {
    articles(orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes { title reactionCount }
    }
  }
}
"""
TOP_COMMENTS = """
query TopComments($slug: String!) {
  group(slug: $slug) {
    articles(orderBy: OLDEST) {
      nodes { title comments(orderBy: TOP, first: 2) { nodes { body } } }
    }
  }
}
"""


@pytest.fixture
async def group(db: TortoiseContext) -> Group:
    """Eight articles A0..A7 with 0, 10, 20, ... 70 reactions (A7 on top)."""
    group = await factories.group()
    author = await factories.member()
    for n in range(8):
        article = await factories.article(group, author, f"A{n}", minutes=n)
        await Article.filter(id=article.id).update(reaction_count=10 * n)
    return group


async def page(client: httpx.AsyncClient, **arguments: Any) -> dict[str, Any]:
    data = await data_of(
        client, ARTICLES, {"slug": "muscle-weakness-ms", "order": "TOP", **arguments}
    )
    connection: dict[str, Any] = data["group"]["articles"]
    return connection


def titles(connection: dict[str, Any]) -> list[str]:
    return [node["title"] for node in connection["nodes"]]


async def test_top_puts_the_most_reactions_first(group: Group, client: httpx.AsyncClient) -> None:
    connection = await page(client)

    assert titles(connection) == ["A7", "A6", "A5", "A4", "A3", "A2", "A1", "A0"]
    assert connection["totalCount"] == 8


async def test_paging_stays_stable_while_reactions_change(
    group: Group, client: httpx.AsyncClient
) -> None:
    seen: list[str] = []
    after = None
    while True:
        connection = await page(client, first=3, after=after)
        seen += titles(connection)
        # Between pages the numbers move: the bottom article jumps to the top, and
        # the top one falls to the bottom.
        await Article.filter(title="A0").update(reaction_count=1000 + len(seen))
        await Article.filter(title="A7").update(reaction_count=0)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]

    assert seen == ["A7", "A6", "A5", "A4", "A3", "A2", "A1", "A0"]


async def test_a_new_first_page_ranks_again_once_its_moment_has_passed(
    group: Group, client: httpx.AsyncClient, clock: Clock
) -> None:
    await page(client)
    await Article.filter(title="A0").update(reaction_count=999)

    same_moment = await page(client)
    clock.advance(seconds=31)
    later = await page(client)

    assert titles(same_moment)[0] == "A7"
    assert titles(later)[0] == "A0"


async def test_paging_backwards_through_a_ranking(group: Group, client: httpx.AsyncClient) -> None:
    last = await page(client, last=3)
    before = await page(client, last=3, before=last["pageInfo"]["startCursor"])

    assert titles(last) == ["A2", "A1", "A0"]
    assert last["pageInfo"]["hasPreviousPage"] is True
    assert titles(before) == ["A5", "A4", "A3"]


async def test_deleted_articles_drop_out_without_a_gap(
    group: Group, client: httpx.AsyncClient, clock: Clock
) -> None:
    first = await page(client, first=3)
    await Article.filter(title__in=["A4", "A3"]).update(deleted_at=clock.now)

    rest = await page(client, first=3, after=first["pageInfo"]["endCursor"])

    assert titles(first) == ["A7", "A6", "A5"]
    assert titles(rest) == ["A2", "A1", "A0"]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_an_expired_ranking_asks_to_start_again(
    group: Group, client: httpx.AsyncClient, clock: Clock
) -> None:
    first = await page(client, first=3)
    clock.advance(hours=1, seconds=1)

    error = await error_of(
        client,
        ARTICLES,
        {"slug": "muscle-weakness-ms", "order": "TOP", "after": first["pageInfo"]["endCursor"]},
    )

    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}
    assert "start again from the first page" in error["message"]


async def test_a_cursor_of_another_groups_ranking_is_refused(
    group: Group, client: httpx.AsyncClient
) -> None:
    other = await factories.group("ms-caregivers-circle", name="MS Caregivers Circle")
    await factories.article(other, await factories.member("Grace Diaz"), "Elsewhere")
    first = await page(client, first=3)

    error = await error_of(
        client,
        ARTICLES,
        {"slug": "ms-caregivers-circle", "order": "TOP", "after": first["pageInfo"]["endCursor"]},
    )

    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}


async def test_hot_weighs_engagement_against_age(
    db: TortoiseContext, client: httpx.AsyncClient, clock: Clock
) -> None:
    group = await factories.group()
    author = await factories.member()
    # Published (relative to the clock): 2 days ago with 50 reactions, 2 hours ago with 4,
    # 1 hour ago with none but 1023 views, 10 minutes ago with nothing.
    for title, age, reactions, views in (
        ("old and loved", timedelta(days=2), 50, 0),
        ("fresh with reactions", timedelta(hours=2), 4, 0),
        ("fresh and read", timedelta(hours=1), 0, 1023),
        ("brand new", timedelta(minutes=10), 0, 0),
    ):
        article = await factories.article(group, author, title, views=views)
        moment = clock.now - age
        await Article.filter(id=article.id).update(
            reaction_count=reactions, published_at=moment, updated_at=moment
        )

    connection = await page(client, order="HOT")

    # (3*50 + 1) / 50^1.5 = 0.43; (3*4 + 1) / 4^1.5 = 1.63; (10 + 1) / 3^1.5 = 2.12;
    # 1 / 2.17^1.5 = 0.31
    assert titles(connection) == [
        "fresh and read",
        "fresh with reactions",
        "old and loved",
        "brand new",
    ]


async def test_top_comments_of_many_articles_in_one_query(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    group = await factories.group()
    sam = await factories.member()
    for n in range(3):
        article = await factories.article(group, sam, f"A{n}", minutes=n)
        for m in range(4):
            comment = await factories.comment(article, sam, f"a{n} c{m}", minutes=m)
            await Comment.filter(id=comment.id).update(reaction_count=(m * 7) % 4)

    data = await data_of(client, TOP_COMMENTS, {"slug": "muscle-weakness-ms"})

    # reactions per comment m: 0, 3, 2, 1 -> c1 then c2
    assert [
        [c["body"] for c in node["comments"]["nodes"]]
        for node in data["group"]["articles"]["nodes"]
    ] == [["a0 c1", "a0 c2"], ["a1 c1", "a1 c2"], ["a2 c1", "a2 c2"]]
