"""GraphiQL from the project's own build: prefilled, and nothing loaded from elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import orjson
import pytest

from tests.web.helpers import app_client
from web.app import APP_DIST
from web.graphiql import (
    GROUP_PAGE_QUERY,
    GROUP_PAGE_VARIABLES,
    graphiql_html,
    script_json,
)

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CONFIG = re.compile(r'<script type="application/json" id="graphiql-config">(.*?)</script>', re.S)
REFERENCE = re.compile(r'(?:src|href)="([^"]*)"')
# What would make a browser load something from another host: a script or style address, a
# CSS url() or @import, a module import.
EXTERNAL = re.compile(
    r"""(?:url\(\s*['"]?|@import\s+['"]|\bfrom\s*['"]|\bimport\s*\(\s*['"])(?:https?:)?//"""
)


async def graphiql_page() -> str:
    async with app_client() as http:
        response = await http.get("/graphql", headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


async def test_graphiql_opens_on_the_group_page_query_with_its_variables() -> None:
    html = await graphiql_page()

    match = CONFIG.search(html)
    assert match, html
    config = orjson.loads(match.group(1))
    assert config["endpoint"] == "/graphql"
    assert config["query"] == GROUP_PAGE_QUERY
    assert orjson.loads(config["variables"]) == GROUP_PAGE_VARIABLES


async def test_graphiql_references_no_external_url() -> None:
    html = await graphiql_page()

    references = REFERENCE.findall(html)
    assert any(ref.endswith(".js") for ref in references), references
    assert all(ref.startswith(("/assets/", "data:")) for ref in references)
    assert not re.search(r"(?:src|href)=\"?(?:https?:)?//", html)
    async with app_client() as http:
        for ref in (ref for ref in references if ref.startswith("/assets/")):
            asset = await http.get(ref)
            assert asset.status_code == 200, ref
            assert not EXTERNAL.search(asset.text), ref


def test_the_external_url_check_sees_each_way_of_loading() -> None:
    for text in (
        "a{background:url(https://cdn.example.com/x.png)}",
        "@import 'https://fonts.example.com/f.css';",
        'import{a}from"https://esm.example.com/react";',
        'import("//cdn.example.com/chunk.js")',
    ):
        assert EXTERNAL.search(text), text
    assert not EXTERNAL.search('a.href="https://graphql.org/learn"')


def test_the_configuration_cannot_end_its_script_element() -> None:
    text = script_json({"query": "# </script><script>alert(1)</script>"})

    assert "</script" not in text
    assert orjson.loads(text) == {"query": "# </script><script>alert(1)</script>"}


def test_every_built_asset_is_of_this_server() -> None:
    for asset in (APP_DIST / "assets").iterdir():
        if asset.suffix in {".js", ".css"}:
            assert not EXTERNAL.search(asset.read_text()), asset.name


def test_without_a_build_the_page_says_how_to_build(tmp_path: Path) -> None:
    assert "make app" in graphiql_html(tmp_path / "graphiql.html")


def test_a_page_without_the_configuration_mark_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "graphiql.html"
    page.write_text("<!doctype html><title>GraphiQL</title>")

    with pytest.raises(RuntimeError, match="make app"):
        graphiql_html(page)


async def test_a_query_for_json_still_gets_json() -> None:
    async with app_client() as http:
        response: httpx.Response = await http.get(
            "/graphql", params={"query": "query A { __typename }"}
        )

    assert response.json() == {
        "data": {"__typename": "Query"},
        "extensions": response.json()["extensions"],
    }


async def test_an_address_bar_with_a_query_opens_graphiql_and_a_script_gets_the_answer() -> None:
    """GraphiQL opens on `?query=` (a link to an operation); fetch and EventSource never ask
    for HTML first, so the same address answers them."""
    params = {"query": "query Typename { __typename }"}
    async with app_client() as http:
        page = await http.get("/graphql", params=params, headers={"accept": BROWSER_ACCEPT})
        answer = await http.get("/graphql", params=params, headers={"accept": "*/*"})

    assert page.headers["content-type"].startswith("text/html")
    assert CONFIG.search(page.text)
    assert answer.json() == {
        "data": {"__typename": "Query"},
        "extensions": {"cost": {"requested": 0, "limit": 10000}},
    }
