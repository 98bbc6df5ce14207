"""The article page in a browser: views, threads, comments and replies, reactions, errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Route, expect

from tests.app.conftest import NewContext, Server, sign_in, watch

GROUP = "/groups/muscle-weakness-ms"
TREMORS = f"{GROUP}/managing-hand-tremors-in-ms"
UNDERSTANDING = f"{GROUP}/understanding-muscle-weakness-in-ms"
ARTICLE = """
query Article($group: String!, $article: String!) {
  group(slug: $group) {
    article(slug: $article) {
      id views commentCount
      comments(first: 20) {
        nodes { id body author { name } replies(first: 20) { nodes { id body } } }
      }
    }
  }
}
"""
ADD_COMMENT = """
mutation AddComment($input: AddCommentInput!) {
  addComment(input: $input) { comment { id } errors { message } }
}
"""
DELETE_COMMENT = """
mutation DeleteComment($input: DeleteCommentInput!) {
  deleteComment(input: $input) { comment { isDeleted } errors { message } }
}
"""


def article(server: Server, slug: str) -> dict[str, object]:
    data = server.api(ARTICLE, {"group": "muscle-weakness-ms", "article": slug})
    found: dict[str, object] = data["group"]["article"]
    return found


def test_opening_an_article_counts_one_view_and_a_reload_none(
    server: Server, new_context: NewContext
) -> None:
    page = new_context(server.url).new_page()
    errors = watch(page)

    with page.expect_response(lambda r: "RecordArticleView" in (r.request.post_data or "")):
        page.goto(TREMORS)

    expect(page.get_by_role("heading", level=1)).to_have_text("Managing Hand Tremors in MS")
    expect(page.locator("header .views")).to_have_text("300 views")
    assert article(server, "managing-hand-tremors-in-ms")["views"] == 300

    with page.expect_response(lambda r: "RecordArticleView" in (r.request.post_data or "")) as view:
        page.reload()

    answer = view.value.json()["data"]["recordArticleView"]
    assert (answer["counted"], answer["reason"]) == (False, "DUPLICATE_IN_WINDOW")
    assert answer["article"]["views"] == 300
    expect(page.locator("header .views")).to_have_text("300 views")
    assert article(server, "managing-hand-tremors-in-ms")["views"] == 300
    # Back on the group page, the cached article shows its new count without asking again.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link").click()
    card = page.get_by_role("article").filter(has_text="Managing Hand Tremors in MS")
    expect(card.locator(".views")).to_have_text("300 views")
    assert errors.uncaught == []


def test_the_body_is_sanitised_html_and_the_thread_goes_deeper_on_demand(
    shared_server: Server, new_context: NewContext
) -> None:
    page = new_context(shared_server.url).new_page()

    page.goto(UNDERSTANDING)

    body = page.locator(".article-body")
    expect(body.get_by_role("heading", name="Why it changes during the day")).to_be_visible()
    expect(body.get_by_role("listitem")).to_have_count(3)
    thread = page.get_by_role("region", name="5 comments")
    expect(thread.get_by_text("Oregon or Maine? I'm from Portland, Maine")).to_be_visible()
    expect(thread.get_by_text("Oct 16, 2023").first).to_be_visible()
    # The fourth level is not in the page's query: it comes when asked for.
    expect(thread.get_by_text("I'll be there next month. Thanks, Ella!")).to_have_count(0)
    thread.get_by_role("button", name="Show 1 reply").click()
    expect(thread.get_by_text("I'll be there next month. Thanks, Ella!")).to_be_visible()


def test_more_replies_page_in_and_deleted_comments_keep_their_place(
    server: Server, new_context: NewContext
) -> None:
    grace, ella = server.token("grace@example.org"), server.token("ella@example.org")
    tremors = article(server, "managing-hand-tremors-in-ms")
    first = tremors["comments"]["nodes"][0]  # type: ignore[index]
    question = server.api(
        ADD_COMMENT,
        {"input": {"articleId": tremors["id"], "body": "Does cold water help with tremor?"}},
        grace,
    )["addComment"]["comment"]["id"]
    for n in range(1, 5):
        server.api(
            ADD_COMMENT,
            {"input": {"articleId": tremors["id"], "replyToId": question, "body": f"Answer {n}"}},
            ella,
        )
    server.api(DELETE_COMMENT, {"input": {"commentId": question}}, grace)
    page = new_context(server.url).new_page()

    page.goto(TREMORS)

    thread = page.get_by_role("region", name=re.compile(r"comments$"))
    expect(thread.get_by_text(first["body"])).to_be_visible()
    expect(thread.get_by_text("This comment was deleted.")).to_be_visible()
    expect(thread.get_by_text("Does cold water help with tremor?")).to_have_count(0)
    for n in (1, 2, 3):
        expect(thread.get_by_text(f"Answer {n}", exact=True)).to_be_visible()
    expect(thread.get_by_text("Answer 4", exact=True)).to_have_count(0)
    thread.get_by_role("button", name="1 more reply").click()
    expect(thread.get_by_text("Answer 4", exact=True)).to_be_visible()
    expect(thread.get_by_role("button", name="1 more reply")).to_have_count(0)


def test_a_comment_and_a_reply_written_in_one_browser_appear_in_the_other(
    server: Server, new_context: NewContext
) -> None:
    """The other browser is told live (commentAdded): no reload."""
    grace = new_context(server.url).new_page()
    noah = new_context(server.url).new_page()
    sign_in(grace, "grace@example.org")
    sign_in(noah, "noah@example.org")
    grace.goto(TREMORS)
    noah.goto(TREMORS)
    expect(noah.get_by_role("heading", level=2, name="1 comment")).to_be_visible()

    grace.get_by_label("Write a comment as Grace Diaz").fill("Weighted cutlery works for me.")
    grace.get_by_role("button", name="Post comment").click()

    expect(grace.get_by_role("heading", level=2, name="2 comments")).to_be_visible()
    mine = grace.locator("article.comment").filter(has_text="Weighted cutlery works for me.")
    expect(mine.get_by_role("heading", name="Grace Diaz")).to_be_visible()
    theirs = noah.locator("article.comment").filter(has_text="Weighted cutlery works for me.")
    expect(theirs).to_be_visible()
    expect(noah.get_by_role("heading", level=2, name="2 comments")).to_be_visible()

    theirs.get_by_role("button", name="Reply").click()
    noah.get_by_label("Reply to Grace Diaz").fill("Which brand? I'd like to try.")
    noah.get_by_role("button", name="Post reply").click()

    reply = noah.locator(".replies").get_by_text("Which brand? I'd like to try.")
    expect(reply).to_be_visible()
    expect(noah.get_by_role("heading", level=2, name="3 comments")).to_be_visible()
    expect(grace.locator(".replies").get_by_text("Which brand? I'd like to try.")).to_be_visible()
    expect(grace.get_by_role("heading", level=2, name="3 comments")).to_be_visible()
    replies = article(server, "managing-hand-tremors-in-ms")["comments"]["nodes"]  # type: ignore[index]
    assert [[r["body"] for r in c["replies"]["nodes"]] for c in replies][-1] == [
        "Which brand? I'd like to try."
    ]


def test_reactions_toggle_for_a_member(shared_server: Server, new_context: NewContext) -> None:
    page = new_context(shared_server.url).new_page()
    sign_in(page, "grace@example.org")
    page.goto(TREMORS)
    reactions = page.get_by_role("group", name="Reactions to the article")
    support = reactions.get_by_role("button", name=re.compile(r"^Support"))
    expect(support).to_have_attribute("aria-pressed", "false")
    before = int(support.locator(".count").inner_text())

    support.click()

    expect(support).to_have_attribute("aria-pressed", "true")
    expect(support.locator(".count")).to_have_text(str(before + 1))
    support.click()
    expect(support).to_have_attribute("aria-pressed", "false")
    expect(support.locator(".count")).to_have_text(str(before))


def test_a_visitor_reads_but_cannot_comment_or_react(
    shared_server: Server, new_context: NewContext
) -> None:
    page = new_context(shared_server.url).new_page()

    page.goto(UNDERSTANDING)

    expect(page.get_by_text("Sign in and join the group to comment.")).to_be_visible()
    expect(page.get_by_role("textbox")).to_have_count(0)
    like = page.get_by_role("group", name="Reactions to the article").get_by_role(
        "button", name=re.compile(r"^Like")
    )
    expect(like).to_be_disabled()


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (
            {"status": 503, "content_type": "text/plain", "body": "upstream down"},
            "The server answered with an error (HTTP 503)",
        ),
        (
            {
                "status": 429,
                "content_type": "application/json",
                "headers": {"retry-after": "12"},
                "body": '{"errors": [{"message": "Too many requests", '
                '"extensions": {"code": "RATE_LIMITED", "retryAfter": 12}}]}',
            },
            "Too many requests: try again in 12 seconds.",
        ),
        (None, "The app cannot reach the server"),
    ],
    ids=["server-error", "rate-limited", "unreachable"],
)
def test_api_failures_are_said_in_words(
    shared_server: Server, new_context: NewContext, answer: dict[str, object] | None, words: str
) -> None:
    page = new_context(shared_server.url).new_page()

    def fail(route: Route) -> None:
        if answer is None:
            route.abort("connectionrefused")
        else:
            route.fulfill(**answer)  # type: ignore[arg-type]

    page.route("**/graphql", fail)
    page.goto(GROUP)

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(words)
    expect(alert.get_by_role("button", name="Try again")).to_be_visible()
    page.unroute("**/graphql")
    alert.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Muscle Weakness & MS")


def test_a_second_browser_sees_the_view_count_change_live(
    shared_server: Server, new_context: NewContext
) -> None:
    watching = new_context(shared_server.url).new_page()
    with watching.expect_response(lambda r: "RecordArticleView" in (r.request.post_data or "")):
        watching.goto(TREMORS)
    views = watching.locator("header .views")
    seen = int(views.inner_text().split()[0])

    new_context(shared_server.url).new_page().goto(TREMORS)  # another reader opens it

    expect(views).to_have_text(f"{seen + 1} views", timeout=2000)
