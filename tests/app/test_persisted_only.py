"""The app sends its operations by hash (src/apollo.ts): with PERSISTED_ONLY=on, where the
server runs only the manifest's documents, its pages work as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.app.conftest import NewContext, Seeded, Server, start_server, stop_server, watch

GROUP_NAME = "query GroupName($slug: String!) { group(slug: $slug) { name } }"


@pytest.fixture
def trusted_only(seeded: Seeded, tmp_path: Path) -> Iterator[Server]:
    started = start_server(seeded.copy(tmp_path), PERSISTED_ONLY="on")
    yield started
    stop_server(started)


def test_the_group_and_article_pages_work_with_persisted_only(
    trusted_only: Server, new_context: NewContext
) -> None:
    page = new_context(trusted_only.url).new_page()
    errors = watch(page)
    free_form = httpx.post(
        f"{trusted_only.url}/graphql",
        json={"query": GROUP_NAME, "variables": {"slug": "muscle-weakness-ms"}},
    ).json()

    page.goto("/groups/muscle-weakness-ms")
    expect(page.get_by_text("Public·169 members", exact=True)).to_be_visible()
    page.get_by_role("link", name="Managing Hand Tremors in MS").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Managing Hand Tremors in MS")
    expect(page.get_by_text("300 views")).to_be_visible()
    assert free_form["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
    assert errors.uncaught == []
