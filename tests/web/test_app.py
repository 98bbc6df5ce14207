"""The built app at `/`: index.html for every page path, hashed assets cached for good."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from tests.helpers import client_for
from tests.web.helpers import app_client
from web.app import APP_DIST, CONTENT_SECURITY_POLICY, IMMUTABLE, app_routes

ASSET = re.compile(r'(?:src|href)="(/assets/[^"]+)"')


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with app_client() as client:
        yield client


def built_assets() -> list[str]:
    return ASSET.findall((APP_DIST / "index.html").read_text())


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/groups/muscle-weakness-ms",
        "/groups/muscle-weakness-ms/managing-hand-tremors-in-ms",
        "/sign-in?next=/groups/muscle-weakness-ms",
        "/no/such/page",
    ],
)
async def test_every_page_path_answers_the_app_uncached(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == (APP_DIST / "index.html").read_text()
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


async def test_the_app_page_names_only_hashed_assets_of_this_server(
    http: httpx.AsyncClient,
) -> None:
    html = (await http.get("/")).text

    assets = built_assets()
    assert assets, html
    assert all(re.fullmatch(r"/assets/[\w-]+-[\w-]{8}\.(js|css)", asset) for asset in assets)
    assert "http://" not in html
    assert "https://" not in html


async def test_hashed_assets_are_immutable_and_compressed(http: httpx.AsyncClient) -> None:
    for asset in built_assets():
        response = await http.get(asset, headers={"accept-encoding": "gzip"})

        assert response.status_code == 200, asset
        assert response.headers["cache-control"] == IMMUTABLE
        assert response.headers["content-encoding"] == "gzip"
        assert response.content == (APP_DIST / asset.removeprefix("/")).read_bytes()


@pytest.mark.parametrize(
    "path",
    ["/assets/app-00000000.js", "/graphql/extra", "/healthz/x", "/metrics/x", "/favicon.ico"],
)
async def test_unknown_server_paths_and_files_are_not_the_app(
    http: httpx.AsyncClient, path: str
) -> None:
    response = await http.get(path)

    assert response.status_code == 404
    assert "<html" not in response.text


async def test_the_server_routes_keep_their_answers(http: httpx.AsyncClient) -> None:
    health = await http.get("/healthz")
    graphql = await http.get("/graphql", params={"query": "query A { __typename }"})

    assert health.json() == {"status": "ok"}
    assert graphql.json()["data"] == {"__typename": "Query"}


async def test_only_get_reaches_the_app(http: httpx.AsyncClient) -> None:
    response = await http.post("/groups/muscle-weakness-ms", json={})

    assert response.status_code == 405


async def test_without_a_build_the_page_says_how_to_build(tmp_path: Path) -> None:
    async with client_for(Starlette(routes=app_routes(tmp_path))) as http:
        response = await http.get("/groups/muscle-weakness-ms")

    assert response.status_code == 200
    assert "make app" in response.text
