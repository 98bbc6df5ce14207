from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import Article, ArticleView, GroupPrivacy
from schema.core import ids
from server import create_app
from settings import Settings
from tests import factories
from tests.conftest import Clock
from tests.helpers import client_for, data_of

RECORD_VIEW = """
mutation RecordView($input: RecordArticleViewInput!) {
  recordArticleView(input: $input) {
    counted
    reason
    clientMutationId
    article { id views }
  }
}
"""

RECORD_VIEW_WITH_ERRORS = """
mutation RecordView($input: RecordArticleViewInput!) {
  recordArticleView(input: $input) { counted errors { field code message } }
}
"""

ARTICLE_VIEWS = """
query ArticleViews($id: ID!) {
  node(id: $id) { ... on Article { views } }
}
"""


@pytest.fixture
async def article(db: TortoiseContext) -> Article:
    group = await factories.group()
    author = await factories.member("Dana Whitfield")
    return await factories.article(group, author, views=256)


async def record(
    client: httpx.AsyncClient, headers: dict[str, str] | None = None, **fields: Any
) -> dict[str, Any]:
    data = await data_of(client, RECORD_VIEW, {"input": fields}, headers=headers)
    payload: dict[str, Any] = data["recordArticleView"]
    return payload


async def stored_views(article: Article) -> int:
    await article.refresh_from_db()
    return article.views


async def test_a_view_counts_and_returns_the_new_total(
    article: Article, client: httpx.AsyncClient
) -> None:
    payload = await record(client, articleId=factories.global_id(article), viewerKey="tab-1")

    assert payload == {
        "counted": True,
        "reason": None,
        "clientMutationId": None,
        "article": {"id": factories.global_id(article), "views": 257},
    }
    assert await stored_views(article) == 257


async def test_the_same_viewer_counts_once_per_window(
    article: Article, client: httpx.AsyncClient, clock: Clock
) -> None:
    article_id = factories.global_id(article)
    await record(client, articleId=article_id, viewerKey="tab-1")
    clock.advance(hours=7, minutes=59)

    again = await record(client, articleId=article_id, viewerKey="tab-1")

    assert (again["counted"], again["reason"], again["article"]["views"]) == (
        False,
        "DUPLICATE_IN_WINDOW",
        257,
    )
    clock.advance(minutes=1)
    later = await record(client, articleId=article_id, viewerKey="tab-1")
    assert (later["counted"], later["article"]["views"]) == (True, 258)


async def test_different_viewers_each_count(article: Article, client: httpx.AsyncClient) -> None:
    for key in ("tab-1", "tab-2", "tab-3"):
        await record(client, articleId=factories.global_id(article), viewerKey=key)

    assert await stored_views(article) == 259


async def test_a_window_of_zero_counts_every_call(
    article: Article, settings: Settings, clock: Clock
) -> None:
    app = create_app(dataclasses.replace(settings, view_window_seconds=0), clock=clock)
    async with client_for(app) as client:
        for _ in range(3):
            payload = await record(client, articleId=factories.global_id(article), viewerKey="k")
            assert payload["counted"]

    assert await stored_views(article) == 259


async def test_client_mutation_id_is_echoed(article: Article, client: httpx.AsyncClient) -> None:
    payload = await record(
        client, articleId=factories.global_id(article), clientMutationId="open-42"
    )

    assert payload["clientMutationId"] == "open-42"


async def test_without_a_key_the_viewer_is_address_and_user_agent(
    article: Article, settings: Settings, clock: Clock
) -> None:
    article_id = factories.global_id(article)
    app = create_app(settings, clock=clock)
    firefox = {"user-agent": "Firefox"}
    async with client_for(app, "198.51.100.1") as first, client_for(app, "198.51.100.2") as second:
        outcomes = [
            (await record(first, articleId=article_id, headers=firefox))["counted"]
            for _ in range(2)
        ]
        outcomes.append((await record(first, articleId=article_id))["counted"])
        outcomes.append((await record(second, articleId=article_id, headers=firefox))["counted"])

    assert outcomes == [True, False, True, True]
    viewers = await ArticleView.all().values_list("viewer", flat=True)
    assert len(viewers) == 3
    assert all(len(v) == 64 and "198.51" not in v and "Firefox" not in v for v in viewers)


async def test_reading_an_article_never_counts(article: Article, client: httpx.AsyncClient) -> None:
    for _ in range(3):
        data = await data_of(client, ARTICLE_VIEWS, {"id": factories.global_id(article)})
        assert data["node"]["views"] == 256

    assert await ArticleView.all().count() == 0


@pytest.mark.parametrize(
    "article_id",
    [
        "not-an-id",
        ids.encode("Article", 999_999),
        ids.encode("Group", 1),
        "",
    ],
)
async def test_an_unknown_article_is_not_found_and_nothing_is_written(
    article: Article, client: httpx.AsyncClient, article_id: str
) -> None:
    payload = await record(client, articleId=article_id, viewerKey="tab-1")

    assert payload == {
        "counted": False,
        "reason": "NOT_FOUND",
        "clientMutationId": None,
        "article": None,
    }
    assert await stored_views(article) == 256
    assert await ArticleView.all().count() == 0


@pytest.mark.parametrize("privacy", [GroupPrivacy.PRIVATE, GroupPrivacy.SECRET])
async def test_an_article_of_a_hidden_group_is_not_found(
    db: TortoiseContext, client: httpx.AsyncClient, privacy: GroupPrivacy
) -> None:
    hidden = await factories.group("research", privacy)
    article = await factories.article(hidden, await factories.member(), views=17)

    payload = await record(client, articleId=factories.global_id(article), viewerKey="tab-1")

    assert (payload["reason"], payload["article"]) == ("NOT_FOUND", None)
    assert await stored_views(article) == 17
    assert await ArticleView.all().count() == 0


@pytest.mark.parametrize("viewer_key", ["", "k" * 129])
async def test_a_viewer_key_of_bad_length_is_refused(
    article: Article, client: httpx.AsyncClient, viewer_key: str
) -> None:
    data = await data_of(
        client,
        RECORD_VIEW_WITH_ERRORS,
        {"input": {"articleId": factories.global_id(article), "viewerKey": viewer_key}},
    )

    [error] = data["recordArticleView"]["errors"]
    assert (error["field"], error["code"]) == (["input", "viewerKey"], "INVALID")
    assert "viewerKey must be 1 to 128 characters" in error["message"]
    assert data["recordArticleView"]["counted"] is False
    assert await stored_views(article) == 256


async def test_a_viewer_key_of_128_characters_is_accepted(
    article: Article, client: httpx.AsyncClient
) -> None:
    payload = await record(client, articleId=factories.global_id(article), viewerKey="k" * 128)

    assert payload["counted"]


async def test_500_concurrent_distinct_viewers_add_exactly_500(
    article: Article, client: httpx.AsyncClient
) -> None:
    article_id = factories.global_id(article)

    payloads = await asyncio.gather(
        *(record(client, articleId=article_id, viewerKey=f"viewer-{n}") for n in range(500))
    )

    assert all(payload["counted"] for payload in payloads)
    assert await stored_views(article) == 256 + 500
    assert sorted(payload["article"]["views"] for payload in payloads) == list(range(257, 757))


async def test_50_concurrent_calls_of_one_viewer_add_exactly_1(
    article: Article, client: httpx.AsyncClient
) -> None:
    article_id = factories.global_id(article)

    payloads = await asyncio.gather(
        *(record(client, articleId=article_id, viewerKey="same-tab") for _ in range(50))
    )

    assert sum(payload["counted"] for payload in payloads) == 1
    assert {payload["reason"] for payload in payloads} == {None, "DUPLICATE_IN_WINDOW"}
    assert await stored_views(article) == 257
