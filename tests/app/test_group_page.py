"""The group page in a browser: the seed page's numbers, privacy, the keyboard."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.app.conftest import NewContext, Seeded, Server, watch

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "group-page.png"
SEED_GROUP = "/groups/muscle-weakness-ms"
# From shared/seed-facts.md: title exactly as typed, caption, views; pinned first, then newest.
SEED_ARTICLES = [
    (
        "Understanding Muscle Weakness in MS: Why It Happens & What Actually Helps",
        "TraXel: Muscle Weakness in MS",
        "256 views",
    ),
    (
        "Muscle Weakness in MS: Adaptive Strategies& Tips",
        "Muscle Weakness in Multiple Sclerosis (MS)",
        "364 views",
    ),
    ("Managing Hand Tremors in MS", "TraXel | Managing Hand Tremors in MS", "299 views"),
]
COMMENT_COUNTS = """
query CommentCounts($slug: String!) {
  group(slug: $slug) { articles(first: 10) { nodes { title commentCount } } }
}
"""


def comment_counts(server: Server) -> dict[str, int]:
    nodes = server.api(COMMENT_COUNTS, {"slug": "muscle-weakness-ms"})["group"]["articles"]
    return {node["title"]: node["commentCount"] for node in nodes["nodes"]}


def test_the_seed_group_page_shows_the_numbers_of_the_seed_page(
    server: Server, seeded: Seeded, new_context: NewContext
) -> None:
    page = new_context(server.url).new_page()
    errors = watch(page)

    page.goto(SEED_GROUP)

    expect(page.get_by_role("heading", level=1)).to_have_text("Muscle Weakness & MS")
    expect(page.get_by_text("Public·169 members", exact=True)).to_be_visible()
    cards = page.get_by_role("article")
    expect(cards).to_have_count(3)
    counts = comment_counts(server)
    for card, (title, caption, views) in zip(cards.all(), SEED_ARTICLES, strict=True):
        expect(card.get_by_role("heading", level=2)).to_have_text(title)
        expect(card.locator("figcaption")).to_have_text(caption)
        expect(card.locator("img, .cover-missing")).to_have_count(1)
        expect(card.locator(".excerpt")).to_have_text(re.compile(r"\w…$"))
        expect(card.locator(".views")).to_have_text(views)
        comments = counts[title]
        expect(card.locator(".comment-count")).to_have_text(
            f"{comments} comment{'' if comments == 1 else 's'}"
        )
    expect(cards.first.get_by_text("Pinned")).to_be_visible()
    assert errors.uncaught == []
    if seeded.kind == "sqlite":  # the README's picture, once per run
        page.screenshot(path=SCREENSHOT, full_page=True)


def test_a_signed_out_visitor_of_a_private_group_sees_the_group_but_not_its_articles(
    shared_server: Server, new_context: NewContext
) -> None:
    page = new_context(shared_server.url).new_page()

    page.goto("/groups/ms-research-volunteers")

    expect(page.get_by_role("heading", level=1)).to_have_text("MS Research Volunteers")
    expect(page.get_by_text("Private·4 members", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="This group is private")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
    expect(page.get_by_text("What a Trial Visit Is Like")).to_have_count(0)

    page.goto("/groups/ms-research-volunteers/what-a-trial-visit-is-like")

    expect(page.get_by_text("only its members read its articles")).to_be_visible()
    expect(page.get_by_text("walking test")).to_have_count(0)


def test_a_secret_group_is_not_there_for_a_visitor(
    shared_server: Server, new_context: NewContext
) -> None:
    page = new_context(shared_server.url).new_page()

    page.goto("/groups/ms-trial-coordinators")

    expect(page.get_by_role("heading", level=1)).to_have_text("No such group")
    page.goto("/")
    expect(page.get_by_role("link", name="Muscle Weakness & MS")).to_be_visible()
    expect(page.get_by_text("MS Trial Coordinators")).to_have_count(0)


def focused(page: Page) -> str:
    text: str = page.evaluate("document.activeElement.textContent.trim()")
    return text


def test_the_group_page_works_with_the_keyboard_alone(
    shared_server: Server, new_context: NewContext
) -> None:
    page = new_context(shared_server.url).new_page()
    page.goto(SEED_GROUP)
    expect(page.get_by_role("heading", level=1)).to_have_text("Muscle Weakness & MS")

    page.keyboard.press("Tab")
    assert focused(page) == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus state
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        seen.append(focused(page))
        if seen[-1] == "Managing Hand Tremors in MS":
            break
    # From the content on: the group's links, then each article's title in page order.
    titles = [title for title, _, _ in SEED_ARTICLES]
    assert [text for text in seen if text in titles] == titles, seen
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"

    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{shared_server.url}{SEED_GROUP}/managing-hand-tremors-in-ms")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Managing Hand Tremors in MS")
    expect(heading).to_be_focused()  # the new page is announced
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "Muscle Weakness & MS"  # the breadcrumb back to the group
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Muscle Weakness & MS")
