"""GraphiQL in a browser: served by the project (no CDN), it runs a subscription over WebSocket."""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import urlencode

from playwright.sync_api import expect

from tests.app.conftest import NewContext, Server, watch

ARTICLE_ID = """
query ArticleId($group: String!, $article: String!) {
  group(slug: $group) { article(slug: $article) { id views } }
}
"""
WATCH = "subscription WatchViews($ids: [ID!]!) {\n  articleChanged(ids: $ids) {\n    views\n  }\n}"
RECORD_VIEW = """
mutation RecordView($input: RecordArticleViewInput!) {
  recordArticleView(input: $input) { counted article { views } }
}
"""


def test_graphiql_runs_a_subscription_and_shows_each_event(
    server: Server, new_context: NewContext
) -> None:
    found = server.api(
        ARTICLE_ID, {"group": "muscle-weakness-ms", "article": "managing-hand-tremors-in-ms"}
    )
    article = found["group"]["article"]
    page = new_context(server.url).new_page()
    errors = watch(page)
    address = urlencode({"query": WATCH, "variables": json.dumps({"ids": [article["id"]]})})

    page.goto(f"{server.url}/graphql?{address}")
    expect(page.locator(".graphiql-query-editor")).to_contain_text("WatchViews", timeout=15_000)
    page.get_by_role("button", name=re.compile("Execute query")).click()

    result = page.locator(".result-window")
    expect(result).to_contain_text(f'"views": {article["views"]}', timeout=15_000)
    server.api(RECORD_VIEW, {"input": {"articleId": article["id"], "viewerKey": uuid.uuid4().hex}})
    expect(result).to_contain_text(f'"views": {article["views"] + 1}')
    assert errors.uncaught == []
