"""Budgets per viewer per minute, kept in this process or shared through Redis."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import Redis
from starlette.applications import Starlette
from tortoise.context import TortoiseContext

from demo.seed import DEMO_PASSWORD, SEED_GROUP_SLUG, seed_if_empty
from models import Article, Member
from schema.core.rate_limits import (
    PERIOD,
    REDIS_RETRY_SECONDS,
    REDIS_WAIT_SECONDS,
    Budget,
    MemoryStore,
    RateLimiter,
    RedisStore,
)
from server import GROUP_PAGE_QUERY, create_app
from settings import Settings
from tests import factories
from tests.conftest import Clock
from tests.helpers import client_for
from tests.servers import free_port, redis_server

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """Where budgets are kept: None in this process, else the Redis URL."""
    if request.param == "memory":
        yield None
        return
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must test rate limits in Redis: set REDIS_URL")
        pytest.skip("REDIS_URL is not set: Redis runs skipped")
    yield REDIS_URL


@pytest.fixture
async def apps(clock: Clock) -> AsyncIterator[Callable[[Settings], Starlette]]:
    """Build apps on the tests' clock; their Redis connections are closed afterwards."""
    made: list[Starlette] = []

    def make(settings: Settings) -> Starlette:
        made.append(create_app(settings, clock=clock))
        return made[-1]

    yield make
    for app in made:
        if app.state.redis is not None:
            await app.state.redis.close()


def limited(settings: Settings, store: str | None, **budgets: Any) -> Settings:
    """Rate limits on, in `store`, with a fresh secret so no other test shares a budget."""
    values: dict[str, Any] = {
        "rate_limits": True,
        "redis_url": store,
        "secret_key": secrets.token_hex(16),
    }
    return Settings(**(settings_dict(settings) | values | budgets))


def settings_dict(settings: Settings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in Settings.__dataclass_fields__}


PAGE = {"query": GROUP_PAGE_QUERY, "variables": {"slug": SEED_GROUP_SLUG}}


async def test_queries_spend_their_cost_until_the_budget_is_gone(
    db: TortoiseContext,
    settings: Settings,
    clock: Clock,
    store: str | None,
    apps: Callable[[Settings], Starlette],
) -> None:
    await seed_if_empty()
    app = apps(limited(settings, store, rate_limit_query_cost=100))
    async with client_for(app, "198.51.100.1") as first, client_for(app, "198.51.100.2") as other:
        allowed = await first.post("/graphql", json=PAGE)  # the page costs 20 + 20 x 3 = 80
        refused = await first.post("/graphql", json=PAGE)
        elsewhere = await other.post("/graphql", json=PAGE)
        clock.advance(seconds=PERIOD)
        later = await first.post("/graphql", json=PAGE)

    assert allowed.status_code == 200
    assert allowed.json()["extensions"]["cost"] == {"requested": 80, "limit": 10_000}
    assert refused.status_code == 429
    [error] = refused.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    wait = error["extensions"]["retryAfter"]
    assert 1 <= wait <= 60
    assert refused.headers["retry-after"] == str(wait)
    assert elsewhere.status_code == later.status_code == 200


MUTATE_TWICE = """
mutation Twice($a: RecordArticleViewInput!, $b: RecordArticleViewInput!) {
  first: recordArticleView(input: $a) { counted }
  second: recordArticleView(input: $b) { counted }
}
"""


async def test_every_aliased_mutation_spends_one(
    db: TortoiseContext,
    settings: Settings,
    clock: Clock,
    store: str | None,
    apps: Callable[[Settings], Starlette],
) -> None:
    await seed_if_empty()
    app = apps(limited(settings, store, rate_limit_mutations=3))
    view = {
        "articleId": factories.global_id(await Article.get(title="Managing Hand Tremors in MS"))
    }
    variables = {"a": view, "b": {**view, "viewerKey": "k"}}
    async with client_for(app) as http:
        answers = [
            await http.post("/graphql", json={"query": MUTATE_TWICE, "variables": variables})
            for _ in range(2)
        ]

    assert [answer.status_code for answer in answers] == [200, 429]


SIGN_IN = """
mutation SignIn($input: SignInInput!) { signIn(input: $input) { token errors { code } } }
"""


async def test_signing_in_has_a_tighter_budget_against_guessing(
    db: TortoiseContext,
    settings: Settings,
    clock: Clock,
    store: str | None,
    apps: Callable[[Settings], Starlette],
) -> None:
    await seed_if_empty()
    app = apps(limited(settings, store, rate_limit_sign_in=3))
    guess = {"input": {"email": "sam@example.org", "password": "not-the-password"}}
    right = {"input": {"email": "sam@example.org", "password": DEMO_PASSWORD}}
    async with client_for(app) as http:
        guesses = [
            await http.post("/graphql", json={"query": SIGN_IN, "variables": guess})
            for _ in range(3)
        ]
        locked_out = await http.post("/graphql", json={"query": SIGN_IN, "variables": right})

    assert [g.json()["data"]["signIn"]["errors"][0]["code"] for g in guesses] == [
        "INVALID_CREDENTIALS"
    ] * 3
    assert locked_out.status_code == 429
    assert locked_out.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


BAD_SIGN_IN = (
    'mutation BadSignIn { signIn(input: {email: "a@example.org", password: 1}) { token } }'
)


async def test_invalid_documents_spend_budgets_like_valid_ones(
    db: TortoiseContext,
    settings: Settings,
    clock: Clock,
    store: str | None,
    apps: Callable[[Settings], Starlette],
) -> None:
    app = apps(limited(settings, store, rate_limit_query_cost=3, rate_limit_sign_in=2))
    async with client_for(app) as http:
        queries = [
            await http.post("/graphql", json={"query": "query Nope { nope }"}) for _ in range(4)
        ]
        sign_ins = [await http.post("/graphql", json={"query": BAD_SIGN_IN}) for _ in range(3)]

    def codes(answers: list[Any]) -> list[str]:
        return [answer.json()["errors"][0]["extensions"]["code"] for answer in answers]

    assert codes(queries) == ["GRAPHQL_VALIDATION_FAILED"] * 3 + ["RATE_LIMITED"]
    assert codes(sign_ins) == ["GRAPHQL_VALIDATION_FAILED"] * 2 + ["RATE_LIMITED"]


RECORD_VIEW = """
mutation RecordView($input: RecordArticleViewInput!) {
  recordArticleView(input: $input) { counted reason article { views } }
}
"""


async def test_views_over_budget_answer_rate_limited_and_count_nothing(
    db: TortoiseContext,
    settings: Settings,
    clock: Clock,
    store: str | None,
    apps: Callable[[Settings], Starlette],
) -> None:
    await seed_if_empty()
    app = apps(limited(settings, store, rate_limit_views=2))
    article = await Article.get(title="Managing Hand Tremors in MS")
    async with client_for(app) as http:
        answers = [
            (
                await http.post(
                    "/graphql",
                    json={
                        "query": RECORD_VIEW,
                        "variables": {
                            "input": {"articleId": factories.global_id(article), "viewerKey": key}
                        },
                    },
                )
            ).json()["data"]["recordArticleView"]
            for key in ("a", "b", "c")
        ]

    assert answers[:2] == [
        {"counted": True, "reason": None, "article": {"views": 300}},
        {"counted": True, "reason": None, "article": {"views": 301}},
    ]
    assert answers[2] == {"counted": False, "reason": "RATE_LIMITED", "article": {"views": 301}}
    await article.refresh_from_db()
    assert article.views == 301


async def test_one_setting_turns_rate_limits_off(
    db: TortoiseContext, settings: Settings, clock: Clock
) -> None:
    await seed_if_empty()
    off = Settings(**(settings_dict(settings) | {"rate_limits": False, "rate_limit_query_cost": 1}))
    async with client_for(create_app(off, clock=clock)) as http:
        answers = [await http.post("/graphql", json=PAGE) for _ in range(5)]

    assert {answer.status_code for answer in answers} == {200}


async def test_processes_sharing_redis_share_budgets(clock: Clock) -> None:
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    secret = secrets.token_hex(16)
    budgets = {Budget.QUERY_COST: 10}
    processes = [
        RateLimiter(store=RedisStore(REDIS_URL), per_minute=budgets, secret=secret)
        for _ in range(2)
    ]
    now = clock.now.timestamp()

    waits = [
        await processes[0].spend(Budget.QUERY_COST, "address:203.0.113.9", 6, now),
        await processes[1].spend(Budget.QUERY_COST, "address:203.0.113.9", 6, now),
    ]

    assert waits[0] == 0
    assert waits[1] == pytest.approx(PERIOD * 2 / 10)
    for process in processes:
        assert isinstance(process.store, RedisStore)
        await process.store.close()


@dataclass
class Monotonic:
    """The rate limiter's own clock (for its warnings and retries), moved by hand."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_without_redis_budgets_hold_in_the_process_and_one_warning_a_minute_says_why(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    monotonic = Monotonic()
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", clock=monotonic)  # nothing there
    limiter = RateLimiter(store=store, per_minute={Budget.VIEWS: 2}, secret="s")
    now = clock.now.timestamp()

    with caplog.at_level(logging.WARNING, logger="groupql.rate_limits"):
        waits = [await limiter.spend(Budget.VIEWS, "member:1", 1, now) for _ in range(50)]
        monotonic.now += 61
        later = await limiter.spend(Budget.VIEWS, "member:1", 1, now + 61)
    await store.close()

    assert waits[:2] == [0.0, 0.0]
    assert all(wait > 0 for wait in waits[2:])  # the budget of 2 holds without Redis
    assert later == 0.0
    warnings = [r.getMessage() for r in caplog.records if r.name == "groupql.rate_limits"]
    assert len(warnings) == 2, warnings
    assert "Redis failed (ConnectionError" in warnings[0]
    assert "kept in this process only (1 calls since last logged)" in warnings[0]
    assert "(50 calls since last logged)" in warnings[1]


async def test_an_exhausted_redis_pool_falls_back_for_those_calls_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    store = RedisStore(REDIS_URL, pool_size=1)
    key = f"test:{secrets.token_hex(8)}"
    busy = await store.redis.connection_pool.get_connection()  # the pool's only connection

    with caplog.at_level(logging.WARNING, logger="groupql.rate_limits"):
        started = time.monotonic()
        while_busy = await store.spend(key, 1.0, 1000.0)
        waited = time.monotonic() - started
        in_redis_while_busy = await redis_value(f"groupql:rate:{key}")
        await store.redis.connection_pool.release(busy)
        afterwards = await store.spend(key, 1.0, 1000.0)
    in_redis_afterwards = await redis_value(f"groupql:rate:{key}")
    await store.close()

    assert (while_busy, afterwards) == (0.0, 0.0)
    assert REDIS_WAIT_SECONDS <= waited < REDIS_WAIT_SECONDS + 1
    assert in_redis_while_busy is None  # that spend was kept in the process
    assert in_redis_afterwards is not None  # and Redis was used again at once
    assert store.outage is None
    assert "Redis pool exhausted" in caplog.text


async def redis_value(key: str) -> bytes | str | None:
    client = Redis.from_url(REDIS_URL)
    try:
        value: bytes | str | None = await client.get(key)
    finally:
        await client.aclose()
    return value


async def test_falling_back_keeps_what_was_spent_and_redis_is_used_again_once_it_answers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    monotonic = Monotonic()
    with redis_server() as redis:
        store = RedisStore(redis.url, clock=monotonic)
        limiter = RateLimiter(store=store, per_minute={Budget.VIEWS: 2}, secret="s")

        async def spend() -> float:
            return await limiter.spend(Budget.VIEWS, "member:1", 1, 1000.0)

        with_redis = [await spend(), await spend()]
        redis.stop()
        with caplog.at_level(logging.WARNING, logger="groupql.rate_limits"):
            without_redis = await spend()
            redis.start()  # empty: it forgot the two spends
            monotonic.now += REDIS_RETRY_SECONDS
            with_redis_again = await spend()
        await store.close()

    assert with_redis == [0.0, 0.0]
    assert without_redis > 0  # this process remembers what Redis allowed
    assert with_redis_again > 0  # the new Redis allows, but the process still remembers
    assert store.outage is None
    assert "Redis failed" in caplog.text
    assert "Redis answers again" in caplog.text


FLOOD = 600


@pytest.mark.parametrize("redis", ["running", "stopped"])
async def test_one_address_flooding_views_gets_at_most_its_budget_counted(
    db: TortoiseContext,
    settings: Settings,
    apps: Callable[[Settings], Starlette],
    redis: str,
) -> None:
    """600 concurrent views from one address, through the local Redis and through one that
    stopped: the budget of 100 holds either way."""
    if redis == "running" and not REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    await seed_if_empty()
    article = await Article.get(title="Managing Hand Tremors in MS")
    with redis_server() as throwaway:
        url = REDIS_URL if redis == "running" else throwaway.url
        budgets = {"rate_limit_views": 100, "rate_limit_mutations": 10 * FLOOD}
        app = apps(limited(settings, url, views_per_address=0, **budgets))
        async with client_for(app, "198.51.100.66") as http:
            assert (await http.post("/graphql", json=PAGE)).status_code == 200  # Redis in use
            if redis == "stopped":
                throwaway.stop()
            answers = await asyncio.gather(
                *(
                    http.post(
                        "/graphql",
                        json={
                            "query": RECORD_VIEW,
                            "variables": {
                                "input": {
                                    "articleId": factories.global_id(article),
                                    "viewerKey": f"flood-{n}",
                                }
                            },
                        },
                    )
                    for n in range(FLOOD)
                )
            )

    outcomes = [answer.json()["data"]["recordArticleView"] for answer in answers]
    assert sum(outcome["counted"] for outcome in outcomes) == 100
    assert {outcome["reason"] for outcome in outcomes} == {None, "RATE_LIMITED"}
    await article.refresh_from_db()
    assert article.views == 299 + 100


async def test_a_viewer_spends_at_the_rate_of_the_budget() -> None:
    limiter = RateLimiter(store=MemoryStore(), per_minute={Budget.VIEWS: 60}, secret="s")

    burst = [await limiter.spend(Budget.VIEWS, "member:7", 1, 1000.0) for _ in range(61)]
    a_second_later = await limiter.spend(Budget.VIEWS, "member:7", 1, 1001.0)

    assert burst[:60] == [0.0] * 60
    assert burst[60] == pytest.approx(1.0)
    assert a_second_later == 0.0


# Calls are counted where execution finds them: inside inline and named fragments too.
FRAGMENTED_SIGN_INS = """
mutation Guesses($guess: SignInInput!, $account: SignUpInput!) {
  ... on Mutation { a: signIn(input: $guess) { token } }
  ...More
}
fragment More on Mutation {
  b: signUp(input: $account) { token }
}
"""


def guesses(n: int) -> dict[str, Any]:
    return {
        "guess": {"email": "sam@example.org", "password": f"guess-{n}"},
        "account": {"name": f"Bot {n}", "email": f"bot{n}@example.org", "password": "p" * 12},
    }


async def test_sign_ins_inside_fragments_spend_the_sign_in_budget(
    db: TortoiseContext,
    settings: Settings,
    clock: Clock,
    store: str | None,
    apps: Callable[[Settings], Starlette],
) -> None:
    await seed_if_empty()
    app = apps(limited(settings, store, rate_limit_sign_in=3))
    async with client_for(app) as http:
        answers = [
            await http.post(
                "/graphql", json={"query": FRAGMENTED_SIGN_INS, "variables": guesses(n)}
            )
            for n in range(2)
        ]

    assert [answer.status_code for answer in answers] == [200, 429]
    assert answers[1].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert await Member.filter(name__startswith="Bot").count() == 1  # the refused one ran nothing


MANY_SIGN_INS = (
    "mutation Many($guess: SignInInput!) { ... on Mutation { "
    + " ".join(f"a{n}: signIn(input: $guess) {{ token }}" for n in range(4))
    + " } }"
)


async def test_one_request_with_more_calls_than_the_budget_is_refused_whole(
    db: TortoiseContext,
    settings: Settings,
    clock: Clock,
    store: str | None,
    apps: Callable[[Settings], Starlette],
) -> None:
    app = apps(limited(settings, store, rate_limit_sign_in=3))
    async with client_for(app) as http:
        answer = await http.post(
            "/graphql", json={"query": MANY_SIGN_INS, "variables": {"guess": guesses(0)["guess"]}}
        )

    assert answer.status_code == 429
    [error] = answer.json()["errors"]
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": 60}
    assert "more calls than the sign in budget" in error["message"]
