from __future__ import annotations

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import GroupPrivacy
from schema.core import ids
from tests import factories
from tests.helpers import data_of, error_of

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Group { name }
    ... on Article { title }
    ... on Comment { body }
    ... on Member { name }
  }
}
"""

NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) { __typename id }
}
"""


@pytest.fixture
async def rows(db: TortoiseContext) -> dict[str, str]:
    group = await factories.group()
    sam = await factories.member()
    article = await factories.article(group, sam)
    comment = await factories.comment(article, sam)
    hidden = await factories.group("research", GroupPrivacy.PRIVATE)
    secret_group = await factories.group("secret-club", GroupPrivacy.SECRET)
    hidden_article = await factories.article(hidden, sam, "Trial visits")
    hidden_comment = await factories.comment(hidden_article, sam)
    return {
        "Group": factories.global_id(group),
        "Article": factories.global_id(article),
        "Comment": factories.global_id(comment),
        "Member": factories.global_id(sam),
        "private group": factories.global_id(hidden),
        "hidden article": factories.global_id(hidden_article),
        "hidden comment": factories.global_id(hidden_comment),
        "secret group": factories.global_id(secret_group),
    }


@pytest.mark.parametrize("kind", ["Group", "Article", "Comment", "Member"])
async def test_every_node_type_round_trips(
    rows: dict[str, str], client: httpx.AsyncClient, kind: str
) -> None:
    data = await data_of(client, NODE, {"id": rows[kind]})

    assert data["node"]["__typename"] == kind
    assert data["node"]["id"] == rows[kind]


@pytest.mark.parametrize(
    "global_id",
    [
        "malformed!",
        "",
        ids.encode("Article", 424242),
        ids.encode("Unknown", 1),
        ids.encode("PageInfo", 1),
    ],
)
async def test_malformed_unknown_or_foreign_ids_are_null(
    rows: dict[str, str], client: httpx.AsyncClient, global_id: str
) -> None:
    assert await data_of(client, NODE, {"id": global_id}) == {"node": None}


@pytest.mark.parametrize("kind", ["hidden article", "hidden comment", "secret group"])
async def test_what_is_in_hidden_groups_answers_as_missing(
    rows: dict[str, str], client: httpx.AsyncClient, kind: str
) -> None:
    assert await data_of(client, NODE, {"id": rows[kind]}) == {"node": None}


async def test_nodes_answers_in_order_with_nulls_in_place(
    rows: dict[str, str], client: httpx.AsyncClient
) -> None:
    asked = [rows["Comment"], "malformed", rows["hidden article"], rows["Group"], rows["Comment"]]

    data = await data_of(client, NODES, {"ids": asked})

    assert data["nodes"] == [
        {"__typename": "Comment", "id": rows["Comment"]},
        None,
        None,
        {"__typename": "Group", "id": rows["Group"]},
        {"__typename": "Comment", "id": rows["Comment"]},
    ]


async def test_nodes_refuses_more_than_100_ids(
    rows: dict[str, str], client: httpx.AsyncClient
) -> None:
    error = await error_of(client, NODES, {"ids": [rows["Group"]] * 101})

    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "ids"}
