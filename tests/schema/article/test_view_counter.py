"""One network address adds at most VIEWS_PER_ADDRESS views to one article per window."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import Article, ArticleView
from server import create_app
from settings import Settings
from tests import factories
from tests.conftest import Clock
from tests.helpers import client_for, data_of

RECORD_VIEW = """
mutation RecordView($input: RecordArticleViewInput!) {
  recordArticleView(input: $input) { counted reason article { views } }
}
"""
WINDOW = timedelta(hours=8)

Clients = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
async def article(db: TortoiseContext) -> Article:
    group = await factories.group()
    return await factories.article(group, await factories.member("Dana Whitfield"), views=100)


@pytest.fixture
def clients(settings: Settings, clock: Clock) -> Clients:
    """Clients of one app with rate limits on (budgets too large to matter here) and
    `views_per_address` views per address, each as if from the address it is given."""

    def make(address: str = "203.0.113.7", views_per_address: int = 10) -> Any:
        app = create_app(
            dataclasses.replace(
                settings,
                rate_limits=True,
                rate_limit_views=100_000,
                rate_limit_mutations=100_000,
                views_per_address=views_per_address,
            ),
            clock=clock,
        )
        return client_for(app, address)

    return make


async def record(
    client: httpx.AsyncClient,
    article: Article,
    viewer_key: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[bool, str | None]:
    fields: dict[str, Any] = {"articleId": factories.global_id(article)}
    if viewer_key is not None:
        fields["viewerKey"] = viewer_key
    data = await data_of(client, RECORD_VIEW, {"input": fields}, headers=headers)
    payload = data["recordArticleView"]
    return payload["counted"], payload["reason"]


async def stored_views(article: Article) -> int:
    await article.refresh_from_db()
    return article.views


async def test_new_keys_and_user_agents_from_one_address_stop_counting_at_the_allowance(
    article: Article, clients: Clients
) -> None:
    async with clients(views_per_address=3) as http, clients("198.51.100.9", 3) as elsewhere:
        by_key = [await record(http, article, f"key-{n}") for n in range(4)]
        by_agent = [
            await record(http, article, headers={"user-agent": f"Browser/{n}"}) for n in range(2)
        ]
        other_address = await record(elsewhere, article, "key-9")

    assert by_key == [(True, None)] * 3 + [(False, "RATE_LIMITED")]
    assert by_agent == [(False, "RATE_LIMITED")] * 2
    assert other_address == (True, None)
    assert await stored_views(article) == 104
    # A refused view leaves no marker behind: 3 + 1 viewers, and one allowance per address.
    assert await ArticleView.all().count() == 4 + 2


async def test_concurrent_distinct_keys_from_one_address_count_exactly_the_allowance(
    article: Article, clients: Clients, clock: Clock
) -> None:
    async with clients() as http:
        outcomes = await asyncio.gather(*(record(http, article, f"tab-{n}") for n in range(60)))
        clock.advance(seconds=WINDOW.total_seconds() / 10)  # the allowance regains one view
        refused = [f"tab-{n}" for n, outcome in enumerate(outcomes) if not outcome[0]]
        retried = await record(http, article, refused[0])
        then = await record(http, article, refused[1])

    assert sorted(outcomes, key=str) == sorted(
        [(True, None)] * 10 + [(False, "RATE_LIMITED")] * 50, key=str
    )
    assert (retried, then) == ((True, None), (False, "RATE_LIMITED"))
    assert await stored_views(article) == 100 + 11


async def test_one_viewer_s_concurrent_calls_spend_the_allowance_once(
    article: Article, clients: Clients
) -> None:
    async with clients(views_per_address=5) as http:
        same_tab = await asyncio.gather(*(record(http, article, "same-tab") for _ in range(30)))
        others = [await record(http, article, f"tab-{n}") for n in range(5)]

    assert sorted(same_tab, key=str) == sorted(
        [(True, None)] + [(False, "DUPLICATE_IN_WINDOW")] * 29, key=str
    )
    assert others == [(True, None)] * 4 + [(False, "RATE_LIMITED")]
    assert await stored_views(article) == 105


async def test_a_counted_viewer_is_told_duplicate_even_past_the_allowance(
    article: Article, clients: Clients
) -> None:
    async with clients(views_per_address=2) as http:
        first = [await record(http, article, key) for key in ("a", "b", "c")]
        again = await record(http, article, "a")

    assert first == [(True, None), (True, None), (False, "RATE_LIMITED")]
    assert again == (False, "DUPLICATE_IN_WINDOW")


async def test_the_allowance_refills_over_the_window(
    article: Article, clients: Clients, clock: Clock
) -> None:
    async with clients(views_per_address=4) as http:
        burst = [await record(http, article, f"morning-{n}") for n in range(5)]
        clock.advance(hours=2)  # a quarter of the window: one view back
        later = [await record(http, article, f"noon-{n}") for n in range(2)]
        clock.advance(hours=8)  # a whole window: the whole allowance back
        next_day = [await record(http, article, f"evening-{n}") for n in range(5)]

    assert burst == [(True, None)] * 4 + [(False, "RATE_LIMITED")]
    assert later == [(True, None), (False, "RATE_LIMITED")]
    assert next_day == [(True, None)] * 4 + [(False, "RATE_LIMITED")]


async def test_signed_in_members_count_as_themselves_not_as_their_address(
    article: Article, clients: Clients
) -> None:
    members = [await factories.member(f"Member {n}") for n in range(3)]
    async with clients(views_per_address=1) as http:
        anonymous = [await record(http, article, key) for key in ("a", "b")]
        signed_in = [
            await record(http, article, "shared", factories.bearer(await factories.token(m)))
            for m in members
        ]

    assert anonymous == [(True, None), (False, "RATE_LIMITED")]
    assert signed_in == [(True, None)] * 3


async def test_an_ipv6_subscriber_s_whole_64_shares_one_allowance(
    article: Article, clients: Clients
) -> None:
    async with (
        clients("2001:db8:1:2::1", 1) as first,
        clients("2001:db8:1:2:ffff::9", 1) as same_64,
        clients("2001:db8:1:3::1", 1) as next_64,
    ):
        outcomes = [
            await record(first, article, "a"),
            await record(same_64, article, "b"),
            await record(next_64, article, "c"),
        ]

    assert outcomes == [(True, None), (False, "RATE_LIMITED"), (True, None)]


async def test_no_address_is_stored(article: Article, clients: Clients) -> None:
    async with clients("198.51.100.23") as http:
        await record(http, article, "k")

    rows = await ArticleView.all().values_list("viewer", flat=True)
    assert len(rows) == 2
    assert all(len(row) == 64 and "198.51" not in row for row in rows)


@pytest.mark.parametrize(
    "change", [{"views_per_address": 0}, {"rate_limits": False}, {"view_window_seconds": 0}]
)
async def test_the_allowance_is_off_with_its_setting_rate_limits_or_a_window_of_0(
    article: Article, settings: Settings, clock: Clock, change: dict[str, Any]
) -> None:
    changed = dataclasses.replace(
        settings, rate_limits=True, rate_limit_views=1000, views_per_address=1
    )
    app = create_app(dataclasses.replace(changed, **change), clock=clock)
    async with client_for(app) as http:
        outcomes = [await record(http, article, f"k{n}") for n in range(3)]

    assert outcomes == [(True, None)] * 3
