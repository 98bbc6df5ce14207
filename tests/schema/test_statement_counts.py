"""No N+1: the group page costs the same number of SQL statements at any page size."""

from __future__ import annotations

import httpx
import pytest
from tortoise.context import TortoiseContext

from bench.statements import StatementLog
from demo.bulk import Sizes, generate
from server import GROUP_PAGE_QUERY
from tests.helpers import data_of

# the group; its articles with their authors and their total; the first comments of every
# article with their authors
GROUP_PAGE_STATEMENTS = 3

GROUP_PAGE_WITH_SIZE = GROUP_PAGE_QUERY.replace(
    "articles(first: 20)", "articles(first: $size)"
).replace("query GroupPage($slug: String!)", "query GroupPage($slug: String!, $size: Int!)")


@pytest.fixture
async def many_articles(db: TortoiseContext) -> None:
    # 3 groups x 200 articles, ~10 comments each, spread over replies.
    await generate(Sizes(members=300, groups=3, articles=600, comments=6000, threads=0))


@pytest.mark.parametrize("size", [1, 20, 100])
async def test_group_page_statements_do_not_grow_with_page_size(
    many_articles: None, client: httpx.AsyncClient, statements: StatementLog, size: int
) -> None:
    data = await data_of(client, GROUP_PAGE_WITH_SIZE, {"slug": "group-1", "size": size})

    articles = data["group"]["articles"]["nodes"]
    assert len(articles) == size
    assert sum(len(article["comments"]["nodes"]) for article in articles) > size
    assert len(statements.statements) == GROUP_PAGE_STATEMENTS, statements.statements
