"""axe-core (from npm, injected into the page) on the group and article pages."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.app.conftest import NewContext, Server, sign_in

SERIOUS = {"serious", "critical"}


def violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    page.add_script_tag(content=axe_source)
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations"
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "nodes": [node["target"] for node in violation["nodes"]],
        }
        for violation in found
        if violation["impact"] in SERIOUS
    ]


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/groups/muscle-weakness-ms", "Muscle Weakness & MS"),
        (
            "/groups/muscle-weakness-ms/understanding-muscle-weakness-in-ms",
            "Understanding Muscle Weakness in MS: Why It Happens & What Actually Helps",
        ),
        ("/groups/ms-research-volunteers", "MS Research Volunteers"),
        ("/sign-in", "Sign in"),
    ],
    ids=["group", "article", "private-group", "sign-in"],
)
def test_no_serious_or_critical_violation_for_a_visitor(
    shared_server: Server, new_context: NewContext, axe_source: str, path: str, heading: str
) -> None:
    # The page's Content-Security-Policy allows only its own scripts: axe comes from the test.
    page = new_context(shared_server.url, bypass_csp=True).new_page()
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)

    assert violations(page, axe_source) == []


def test_no_serious_or_critical_violation_for_a_member_with_a_reply_open(
    shared_server: Server, new_context: NewContext, axe_source: str
) -> None:
    page = new_context(shared_server.url, bypass_csp=True).new_page()
    sign_in(page, "grace@example.org")
    page.goto("/groups/muscle-weakness-ms/understanding-muscle-weakness-in-ms")
    page.get_by_role("button", name="Reply").first.click()
    expect(page.get_by_label("Reply to Ella Brooks")).to_be_visible()

    assert violations(page, axe_source) == []
