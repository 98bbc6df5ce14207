"""Signing up, in and out, and joining and leaving groups, in a browser."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.app.conftest import NewContext, Server, sign_in

GROUP = "/groups/muscle-weakness-ms"
PRIVATE = "/groups/ms-research-volunteers"
VIEWER = "query Viewer { viewer { name } }"


def test_sign_up_sign_out_and_sign_in_again(shared_server: Server, new_context: NewContext) -> None:
    page = new_context(shared_server.url).new_page()
    page.goto(GROUP)
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Name").fill("Rosa Quinn")
    page.get_by_label("Email").fill("rosa@example.net")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("10 to")).to_be_visible()  # the API's own words, next to the field

    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_text("Signed in as Rosa Quinn")).to_be_visible()
    expect(page).to_have_url(f"{shared_server.url}{GROUP}")  # back where they started
    token = page.evaluate("localStorage.getItem('groupql.token')")
    assert shared_server.api(VIEWER, token=token) == {"viewer": {"name": "Rosa Quinn"}}

    page.get_by_role("button", name="Sign out").click()

    header = page.get_by_role("navigation", name="Main")
    expect(header.get_by_role("link", name="Sign in")).to_be_visible()
    assert page.evaluate("localStorage.getItem('groupql.token')") is None
    revoked = page.request.post(
        f"{shared_server.url}/graphql",
        data={"query": VIEWER},
        headers={"authorization": f"Bearer {token}"},
    )
    assert revoked.status == 401  # signing out revoked the token

    header.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill("rosa@example.net")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The email or the password is wrong.")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as Rosa Quinn")).to_be_visible()


def test_join_and_leave_a_public_group(shared_server: Server, new_context: NewContext) -> None:
    page = new_context(shared_server.url).new_page()
    page.goto("/sign-up")
    page.get_by_label("Name").fill("Theo Gray")
    page.get_by_label("Email").fill("theo@example.net")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Signed in as Theo Gray")).to_be_visible()
    page.goto(GROUP)

    page.get_by_role("button", name="Join group").click()

    expect(page.get_by_text("You are a member of this group.")).to_be_visible()
    expect(page.get_by_text("Public·170 members", exact=True)).to_be_visible()
    page.get_by_role("button", name="Leave group").click()
    page.get_by_role("button", name="Yes, leave").click()
    expect(page.get_by_role("button", name="Join group")).to_be_visible()
    expect(page.get_by_text("Public·169 members", exact=True)).to_be_visible()


def test_asking_to_join_a_private_group_is_pending_until_withdrawn(
    shared_server: Server, new_context: NewContext
) -> None:
    sam = new_context(shared_server.url).new_page()
    sign_in(sam, "sam@example.org")
    sam.goto(PRIVATE)
    expect(sam.get_by_text("Your request to join is pending")).to_be_visible()
    expect(sam.get_by_role("heading", name="This group is private")).to_be_visible()

    page = new_context(shared_server.url).new_page()
    page.goto("/sign-up")
    page.get_by_label("Name").fill("Olive Hughes")
    page.get_by_label("Email").fill("olive@example.net")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Signed in as Olive Hughes")).to_be_visible()
    page.goto(PRIVATE)

    page.get_by_role("button", name="Ask to join").click()

    expect(page.get_by_text("Your request to join is pending")).to_be_visible()
    expect(page.get_by_text("Private·4 members", exact=True)).to_be_visible()
    page.get_by_role("button", name="Withdraw request").click()
    expect(page.get_by_role("button", name="Ask to join")).to_be_visible()


def test_a_member_of_a_private_group_reads_its_articles(
    shared_server: Server, new_context: NewContext
) -> None:
    page = new_context(shared_server.url).new_page()
    sign_in(page, "grace@example.org")

    page.goto(PRIVATE)

    page.get_by_role("link", name="What a Trial Visit Is Like").click()
    expect(page.get_by_text("The walking test was harder than I expected.")).to_be_visible()


def test_a_refused_token_signs_the_app_out_and_the_page_still_shows(
    shared_server: Server, new_context: NewContext
) -> None:
    context = new_context(shared_server.url)
    context.add_init_script("localStorage.setItem('groupql.token', 'gql_revoked-or-made-up')")
    page = context.new_page()

    page.goto(GROUP)

    expect(page.get_by_role("status").filter(has_text="Your session ended.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Muscle Weakness & MS")
    header = page.get_by_role("navigation", name="Main")
    expect(header.get_by_role("link", name="Sign in")).to_be_visible()
    assert page.evaluate("localStorage.getItem('groupql.token')") is None
