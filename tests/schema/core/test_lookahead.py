"""Comment pages fetched ahead for a page of articles: same answers, fewer statements."""

from __future__ import annotations

import httpx
import pytest
from tortoise.context import TortoiseContext

from bench.statements import StatementLog
from tests import factories
from tests.helpers import data_of, error_of

ARTICLES_WITH_COMMENTS = """
query Articles($slug: String!, $first: Int!, $order: CommentOrder) {
  group(slug: $slug) {
    articles {
      nodes { title oldest: comments(first: 1) { nodes { body } } ...Newest }
      edges { node { comments(first: $first, orderBy: $order) { nodes { body } } } }
    }
  }
}
fragment Newest on Article {
  newest: comments(orderBy: NEWEST, first: 2) { nodes { body } }
}
"""


@pytest.fixture
async def two_articles(db: TortoiseContext) -> None:
    group = await factories.group()
    sam = await factories.member()
    for n in range(2):
        article = await factories.article(group, sam, f"Article {n}", minutes=n)
        for m in range(3):
            await factories.comment(article, sam, f"a{n} c{m}", minutes=m)


async def test_every_variant_of_comments_answers_and_is_fetched_ahead(
    two_articles: None, client: httpx.AsyncClient, statements: StatementLog
) -> None:
    data = await data_of(
        client,
        ARTICLES_WITH_COMMENTS,
        {"slug": "muscle-weakness-ms", "first": 3, "order": "NEWEST"},
    )

    connection = data["group"]["articles"]
    first_article, second_article = connection["nodes"]
    assert first_article["title"] == "Article 1"
    assert [c["body"] for c in first_article["oldest"]["nodes"]] == ["a1 c0"]
    assert [c["body"] for c in first_article["newest"]["nodes"]] == ["a1 c2", "a1 c1"]
    assert [c["body"] for c in second_article["newest"]["nodes"]] == ["a0 c2", "a0 c1"]
    edge_bodies = [[c["body"] for c in e["node"]["comments"]["nodes"]] for e in connection["edges"]]
    assert edge_bodies == [["a1 c2", "a1 c1", "a1 c0"], ["a0 c2", "a0 c1", "a0 c0"]]
    # group, articles, then one statement per distinct comment page (oldest-1, newest-2,
    # newest-3), all before any article is resolved
    assert len(statements.statements) == 5, statements.statements


async def test_a_bad_argument_below_is_still_named(
    two_articles: None, client: httpx.AsyncClient
) -> None:
    error = await error_of(
        client,
        "query Bad($slug: String!) { group(slug: $slug) { articles { nodes { comments(first: -1)"
        " { nodes { body } } } } } }",
        {"slug": "muscle-weakness-ms"},
    )

    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}
