"""Which operations answer differently per viewer: decided by walking the selection."""

from __future__ import annotations

import pytest
from graphql import OperationDefinitionNode, parse

from live.selection import depends_on_viewer
from schema.schema import schema

GRAPHQL_SCHEMA = schema._schema

SHARED = """
subscription Shared($ids: [ID!]!) {
  articleChanged(ids: $ids) {
    id title views commentCount reactionGroups { kind count }
    author { name } group { name memberCount articles(first: 3) { nodes { title } } }
    comments(first: 5) { nodes { body author { name } } }
  }
}
"""

ARTICLES = "subscription S($ids: [ID!]!) { articleChanged(ids: $ids) { %s } }"
PER_VIEWER = [
    ARTICLES % "id viewerDidAuthor",
    ARTICLES % "reactionGroups { viewerHasReacted }",
    ARTICLES % "group { viewerMembership { role } }",
    ARTICLES % "group { joinRequests { totalCount } }",
    "subscription S($a: ID!) { commentAdded(articleId: $a) { replies { nodes { viewerCanReply }}}}",
    "subscription S($id: ID!) { groupActivity(groupId: $id) { article { viewerCanPin } } }",
    # Through fragments, named and inline, however deep.
    """subscription S($ids: [ID!]!) { articleChanged(ids: $ids) { ...A } }
       fragment A on Article { title group { ...G } }
       fragment G on Group { name viewerCanPost }""",
    """subscription S($ids: [ID!]!) { articleChanged(ids: $ids) {
         ... on Reactable { reactionGroups { ... { viewerHasReacted } } } } }""",
]


def per_viewer(query: str) -> bool:
    document = parse(query)
    [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return depends_on_viewer(GRAPHQL_SCHEMA, document, operation)


def test_a_selection_without_viewer_fields_is_shared() -> None:
    assert not per_viewer(SHARED)


@pytest.mark.parametrize("query", PER_VIEWER)
def test_a_viewer_field_anywhere_makes_it_per_viewer(query: str) -> None:
    assert per_viewer(query)


def test_a_fragment_used_twice_is_walked_once_per_type() -> None:
    query = """subscription S($ids: [ID!]!) { articleChanged(ids: $ids) { ...A group { articles {
                 nodes { ...A } } } } }
               fragment A on Article { title views }"""
    assert not per_viewer(query)
