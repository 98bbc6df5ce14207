from __future__ import annotations

from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import Article
from tests import factories
from tests.helpers import data_of

THREAD = """
query Thread($id: ID!, $order: CommentOrder, $first: Int, $after: String) {
  node(id: $id) {
    ... on Article {
      commentCount
      comments(first: $first, after: $after, orderBy: $order) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          body
          replyCount
          parent { body }
          article { title }
          author { name }
          replies(first: 5) {
            totalCount
            nodes {
              body
              parent { body }
              replies(first: 5) { totalCount nodes { body replies(first: 5) { nodes { body } } } }
            }
          }
        }
      }
    }
  }
}
"""


@pytest.fixture
async def article(db: TortoiseContext) -> Article:
    """Two top-level comments; the first has a thread three replies deep."""
    group = await factories.group()
    ella, sam = await factories.member("Ella Brooks"), await factories.member("Sam Harrison")
    article = await factories.article(group, ella, "Understanding Muscle Weakness in MS")
    top = await factories.comment(article, ella, "Anyone from Portland?", minutes=0)
    await factories.comment(article, sam, "Heat explains my afternoons.", minutes=30)
    reply = await factories.comment(
        article, sam, "Oregon or Maine? I'm from Portland, Maine", parent=top, minutes=5
    )
    deeper = await factories.comment(article, ella, "Maine!", parent=reply, minutes=10)
    await factories.comment(article, sam, "Small world.", parent=deeper, minutes=15)
    return article


async def thread(client: httpx.AsyncClient, article: Article, **arguments: Any) -> dict[str, Any]:
    data = await data_of(client, THREAD, {"id": factories.global_id(article), **arguments})
    node: dict[str, Any] = data["node"]
    return node


async def test_comments_are_top_level_with_replies_at_any_depth(
    article: Article, client: httpx.AsyncClient
) -> None:
    node = await thread(client, article)

    assert node["commentCount"] == 5
    comments = node["comments"]
    assert comments["totalCount"] == 2
    first, second = comments["nodes"]
    assert (first["body"], first["replyCount"], first["parent"]) == (
        "Anyone from Portland?",
        1,
        None,
    )
    assert first["article"]["title"] == "Understanding Muscle Weakness in MS"
    assert first["author"]["name"] == "Ella Brooks"
    [reply] = first["replies"]["nodes"]
    assert reply["body"] == "Oregon or Maine? I'm from Portland, Maine"
    assert reply["parent"]["body"] == "Anyone from Portland?"
    [deeper] = reply["replies"]["nodes"]
    assert deeper["body"] == "Maine!"
    assert deeper["replies"]["nodes"] == [{"body": "Small world."}]
    assert second["replies"] == {"totalCount": 0, "nodes": []}


async def test_newest_first_on_request(article: Article, client: httpx.AsyncClient) -> None:
    node = await thread(client, article, order="NEWEST")

    assert [c["body"] for c in node["comments"]["nodes"]] == [
        "Heat explains my afternoons.",
        "Anyone from Portland?",
    ]


async def test_comments_page_by_cursor(article: Article, client: httpx.AsyncClient) -> None:
    first = await thread(client, article, first=1)
    after = first["comments"]["pageInfo"]["endCursor"]

    second = await thread(client, article, first=1, after=after)

    assert [c["body"] for c in first["comments"]["nodes"]] == ["Anyone from Portland?"]
    assert first["comments"]["pageInfo"]["hasNextPage"] is True
    assert [c["body"] for c in second["comments"]["nodes"]] == ["Heat explains my afternoons."]
    assert second["comments"]["pageInfo"]["hasNextPage"] is False


REPLIES_PAGE = """
query Replies($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  node(id: $id) {
    ... on Comment {
      replies(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
        nodes { body }
      }
    }
  }
}
"""


async def test_replies_page_both_ways(db: TortoiseContext, client: httpx.AsyncClient) -> None:
    group = await factories.group()
    sam = await factories.member()
    article = await factories.article(group, sam)
    top = await factories.comment(article, sam, "top")
    for n in range(5):
        await factories.comment(article, sam, f"reply {n}", parent=top, minutes=n)
    comment_id = factories.global_id(top)

    page = (await data_of(client, REPLIES_PAGE, {"id": comment_id, "first": 2}))["node"]["replies"]
    after = page["pageInfo"]["endCursor"]
    rest = await data_of(client, REPLIES_PAGE, {"id": comment_id, "first": 5, "after": after})
    tail = (await data_of(client, REPLIES_PAGE, {"id": comment_id, "last": 2}))["node"]["replies"]

    assert page["totalCount"] == 5
    assert [n["body"] for n in page["nodes"]] == ["reply 0", "reply 1"]
    assert [n["body"] for n in rest["node"]["replies"]["nodes"]] == [
        "reply 2",
        "reply 3",
        "reply 4",
    ]
    assert [n["body"] for n in tail["nodes"]] == ["reply 3", "reply 4"]
    assert tail["pageInfo"]["hasPreviousPage"] is True
