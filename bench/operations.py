"""What the benchmark sends: each request shape, in each server's words.

Three shapes: the group page (groupql's GraphiQL default query), an article
thread (one article by id, its first 20 top-level comments with their first 5
replies, authors and reaction groups) and a view (recordArticleView with a new
viewer each time, against the floor's and PostGraphile's atomic increment).
PostGraphile's operations are the files in bench/postgraphile/queries/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from schema.core import ids
from server import GROUP_PAGE_QUERY

FLOOR = "floor"
GROUPQL = "groupql"
POSTGRAPHILE = "PostGraphile"
SERVERS = (FLOOR, GROUPQL, POSTGRAPHILE)  # the order in which each shape is measured
PAGE = "page"
THREAD = "thread"
VIEW = "view"
SHAPES = (PAGE, THREAD, VIEW)
WRITES = frozenset({VIEW})
PAGE_SLUG = "group-1"
PAGE_SIZE = 20
THREAD_COMMENTS = 20
THREAD_REPLIES = 5
PEER_QUERIES = Path(__file__).resolve().parent / "postgraphile" / "queries"
# Placeholders post.lua fills per request.
ID = "{id}"
VIEWER = "{viewer}"

THREAD_QUERY = """\
query ArticleThread($id: ID!) {
  node(id: $id) {
    ... on Article {
      id
      title
      body
      views
      author { name }
      reactionGroups { kind count }
      comments(first: 20) {
        totalCount
        pageInfo { hasNextPage }
        nodes {
          id
          body
          createdAt
          author { name }
          replyCount
          reactionGroups { kind count }
          replies(first: 5) {
            nodes {
              id
              body
              createdAt
              author { name }
              replyCount
              reactionGroups { kind count }
            }
          }
        }
      }
    }
  }
}
"""
RECORD_VIEW_MUTATION = (
    "mutation RecordView($input: RecordArticleViewInput!) "
    "{ recordArticleView(input: $input) { counted article { id views } } }"
)


def page_query(size: int) -> str:
    """GROUP_PAGE_QUERY asking for `size` articles instead of 20."""
    asked = f"articles(first: {PAGE_SIZE})"
    if asked not in GROUP_PAGE_QUERY:
        raise RuntimeError(f"GROUP_PAGE_QUERY no longer asks for {asked}: update bench")
    return GROUP_PAGE_QUERY.replace(asked, f"articles(first: {size})")


def peer_query(name: str) -> str:
    return (PEER_QUERIES / f"{name}.graphql").read_text()


PEER_OPERATIONS = {PAGE: "page", THREAD: "thread", VIEW: "increment"}
PATHS = {
    FLOOR: {PAGE: "/page", THREAD: "/thread", VIEW: "/view"},
    GROUPQL: dict.fromkeys(SHAPES, "/graphql"),
    POSTGRAPHILE: dict.fromkeys(SHAPES, "/graphql"),
}
# Text every answer must contain while timing (and none may contain '"errors"').
EXPECTED = {
    PAGE: '"endCursor"',
    THREAD: '"replies"',
    VIEW: '"views"',
}
EXPECTED_VIEW_OF_GROUPQL = '"counted":true'


def article_key(server: str, pk: int) -> str | int:
    """How `server` names an article: groupql by global id, the others by primary key."""
    return ids.encode("Article", pk) if server == GROUPQL else pk


def body(shape: str, server: str, key: str | int, viewer: str = VIEWER) -> dict[str, Any]:
    """The request body of `shape` for `server`: `key` is a slug for the page, else an
    article as `article_key` names it."""
    if server == FLOOR:
        return {"slug": key} if shape == PAGE else {"articleId": key}
    if server == POSTGRAPHILE:
        variables = {PAGE: {"slug": key}, THREAD: {"rowId": key}, VIEW: {"articleId": key}}
        return {"query": peer_query(PEER_OPERATIONS[shape]), "variables": variables[shape]}
    if shape == PAGE:
        return {"query": GROUP_PAGE_QUERY, "variables": {"slug": key}}
    if shape == THREAD:
        return {"query": THREAD_QUERY, "variables": {"id": key}}
    view = {"input": {"articleId": key, "viewerKey": viewer}}
    return {"query": RECORD_VIEW_MUTATION, "variables": view}


def template(shape: str, server: str) -> str:
    """The body post.lua sends, with ID (an article, from its id file) and VIEWER to fill."""
    text = dumps(body(shape, server, PAGE_SLUG if shape == PAGE else ID))
    return text if server == GROUPQL else text.replace(f'"{ID}"', ID)


def expected(shape: str, server: str) -> str:
    return EXPECTED_VIEW_OF_GROUPQL if (shape, server) == (VIEW, GROUPQL) else EXPECTED[shape]


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()
