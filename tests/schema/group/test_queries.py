from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import GroupPrivacy
from tests import factories
from tests.helpers import data_of, error_of

GROUP = """
query Group($slug: String!) {
  group(slug: $slug) { id slug name description privacy memberCount createdAt }
}
"""

GROUPS = """
query Groups($first: Int, $after: String, $last: Int, $before: String) {
  groups(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { slug } }
    nodes { slug }
  }
}
"""


async def test_a_group_by_slug(db: TortoiseContext, client: httpx.AsyncClient) -> None:
    group = await factories.group()
    for name in ("Sam Harrison", "Ella Brooks"):
        await factories.join(group, await factories.member(name))

    data = await data_of(client, GROUP, {"slug": "muscle-weakness-ms"})

    assert data["group"] == {
        "id": factories.global_id(group),
        "slug": "muscle-weakness-ms",
        "name": "Muscle Weakness & MS",
        "description": "",
        "privacy": "PUBLIC",
        "memberCount": 2,
        "createdAt": "2023-10-01T09:00:00+00:00",
    }


@pytest.mark.parametrize("slug", ["no-such-group", "", "x" * 500, "research"])
async def test_an_unknown_or_hidden_slug_is_null(
    db: TortoiseContext, client: httpx.AsyncClient, slug: str
) -> None:
    await factories.group("research", GroupPrivacy.SECRET)

    assert await data_of(client, GROUP, {"slug": slug}) == {"group": None}


async def groups(client: httpx.AsyncClient, **arguments: Any) -> dict[str, Any]:
    data = await data_of(client, GROUPS, arguments)
    page: dict[str, Any] = data["groups"]
    return page


@pytest.fixture
async def seven_public_groups(db: TortoiseContext) -> list[str]:
    """Seven groups anyone sees (newest first: g7 ... g1) and two secret ones."""
    for n in range(1, 8):
        await factories.group(f"g{n}", created_at=factories.EPOCH + timedelta(days=n))
    await factories.group("secret", GroupPrivacy.SECRET, factories.EPOCH + timedelta(days=9))
    await factories.group("hidden", GroupPrivacy.SECRET, factories.EPOCH + timedelta(days=2))
    return [f"g{n}" for n in range(7, 0, -1)]


async def test_groups_lists_every_group_but_secret_ones_newest_first(
    seven_public_groups: list[str], client: httpx.AsyncClient
) -> None:
    page = await groups(client)

    assert page["totalCount"] == 7
    assert [node["slug"] for node in page["nodes"]] == seven_public_groups
    assert [edge["node"]["slug"] for edge in page["edges"]] == seven_public_groups
    assert page["pageInfo"]["hasNextPage"] is False
    assert page["pageInfo"]["hasPreviousPage"] is False


async def test_paging_forwards_visits_every_group_once(
    seven_public_groups: list[str], client: httpx.AsyncClient
) -> None:
    seen: list[str] = []
    after = None
    while True:
        page = await groups(client, first=3, after=after)
        seen += [node["slug"] for node in page["nodes"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == seven_public_groups


async def test_paging_backwards_visits_every_group_once(
    seven_public_groups: list[str], client: httpx.AsyncClient
) -> None:
    seen: list[str] = []
    before = None
    while True:
        page = await groups(client, last=3, before=before)
        seen = [node["slug"] for node in page["nodes"]] + seen
        assert page["pageInfo"]["hasNextPage"] is (before is not None)
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]

    assert seen == seven_public_groups


async def test_edge_cursors_continue_from_their_edge(
    seven_public_groups: list[str], client: httpx.AsyncClient
) -> None:
    first = await groups(client, first=7)
    third_cursor = first["edges"][2]["cursor"]

    after = await groups(client, first=2, after=third_cursor)
    before = await groups(client, last=2, before=third_cursor)

    assert [node["slug"] for node in after["nodes"]] == seven_public_groups[3:5]
    assert [node["slug"] for node in before["nodes"]] == seven_public_groups[0:2]


async def test_an_empty_page_has_no_cursors(
    seven_public_groups: list[str], client: httpx.AsyncClient
) -> None:
    page = await groups(client, first=0)

    assert page["nodes"] == []
    assert page["totalCount"] == 7
    assert page["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


@pytest.mark.parametrize(
    ("arguments", "argument"),
    [({"first": 101}, "first"), ({"last": -1}, "last"), ({"after": "bogus"}, "after")],
)
async def test_bad_paging_arguments_are_errors_naming_the_argument(
    db: TortoiseContext, client: httpx.AsyncClient, arguments: dict[str, Any], argument: str
) -> None:
    error = await error_of(client, GROUPS, arguments)

    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert error["path"] == ["groups"]
