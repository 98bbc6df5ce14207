"""Python's `gql` client, speaking graphql-transport-ws to a real uvicorn: subscriptions, the
token in connection_init, and the limits and budgets of a connection."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.client import AsyncClientSession
from gql.transport.exceptions import TransportError, TransportQueryError
from gql.transport.websockets import WebsocketsTransport
from starlette.applications import Starlette
from tortoise.context import TortoiseContext

from models import Article
from server import create_app
from settings import Settings
from tests import factories
from tests.conftest import Clock
from tests.factories import global_id
from tests.web.servers import serving_live, until

ARTICLE_CHANGED = """
subscription ArticleChanged($ids: [ID!]!) { articleChanged(ids: $ids) { id views } }
"""
COMMENT_ADDED = """
subscription CommentAdded($articleId: ID!) {
  commentAdded(articleId: $articleId) { body author { name } }
}
"""
RECORD_VIEW = """
mutation RecordView($input: RecordArticleViewInput!) {
  recordArticleView(input: $input) { counted }
}
"""
ADD_COMMENT = """
mutation AddComment($input: AddCommentInput!) { addComment(input: $input) { errors { code } } }
"""
TYPENAME = "query Typename { __typename }"
WAIT = 10.0


@pytest.fixture
async def article(db: TortoiseContext) -> Article:
    author = await factories.member("Dana Whitfield")
    return await factories.article(await factories.group(), author, views=299)


def transport(address: str, payload: dict[str, Any] | None = None) -> WebsocketsTransport:
    return WebsocketsTransport(
        url=f"ws://{address}/graphql",
        init_payload=payload or {},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )


def session_of(address: str, payload: dict[str, Any] | None = None) -> Client:
    return Client(transport=transport(address, payload))


def watching(article: Article) -> GraphQLRequest:
    return GraphQLRequest(ARTICLE_CHANGED, variable_values={"ids": [global_id(article)]})


async def record_view(address: str, article: Article, viewer_key: str) -> None:
    variables = {"input": {"articleId": global_id(article), "viewerKey": viewer_key}}
    async with httpx.AsyncClient(base_url=f"http://{address}") as http:
        answer = await http.post("/graphql", json={"query": RECORD_VIEW, "variables": variables})
    assert answer.json()["data"] == {"recordArticleView": {"counted": True}}


async def next_of(results: AsyncIterator[dict[str, Any]]) -> dict[str, Any]:
    return await asyncio.wait_for(anext(results), WAIT)


@pytest.fixture
async def served(db: TortoiseContext, fast: Settings, clock: Clock) -> AsyncIterator[str]:
    async with serving_live(create_app(fast, clock=clock)) as address:
        yield address


async def test_article_changed_sends_the_current_state_then_the_views_counted(
    served: str, article: Article
) -> None:
    async with session_of(served) as session:
        results = session.subscribe(watching(article))
        first = await next_of(results)
        for n in range(3):
            await record_view(served, article, f"reader-{n}")
        seen = [(await next_of(results))["articleChanged"]["views"]]
        while seen[-1] != 302:
            seen.append((await next_of(results))["articleChanged"]["views"])
        await results.aclose()

    assert first == {"articleChanged": {"id": global_id(article), "views": 299}}
    assert seen == sorted(seen)
    assert set(seen) <= {300, 301, 302}


async def test_comment_added_delivers_each_comment(
    db: TortoiseContext, fast: Settings, clock: Clock, article: Article
) -> None:
    app = create_app(fast, clock=clock)
    sam = await factories.member("Sam Harrison")
    await factories.join(await article.group, sam)
    token = await factories.token(sam)
    request = GraphQLRequest(COMMENT_ADDED, variable_values={"articleId": global_id(article)})
    async with serving_live(app) as address, session_of(address) as session:
        results = session.subscribe(request)
        receiving = asyncio.ensure_future(next_of(results))
        await until(lambda: bool(app.state.live.hub.cohorts))
        async with session_of(address, {"Authorization": f"Bearer {token}"}) as writer:
            for body in ("Oregon or Maine?", "I'm from Portland, Maine"):
                variables = {"input": {"articleId": global_id(article), "body": body}}
                added = await writer.execute(GraphQLRequest(ADD_COMMENT, variable_values=variables))
                assert added == {"addComment": {"errors": []}}
        received = [await receiving, await next_of(results)]
        await results.aclose()

    assert received == [
        {"commentAdded": {"body": "Oregon or Maine?", "author": {"name": "Sam Harrison"}}},
        {"commentAdded": {"body": "I'm from Portland, Maine", "author": {"name": "Sam Harrison"}}},
    ]


def close_code(error: BaseException) -> int | None:
    """The WebSocket close code behind a gql transport error."""
    cause: BaseException | None = error
    while cause is not None:
        received = getattr(cause, "rcvd", None)
        if received is not None:
            code: int = received.code
            return code
        cause = cause.__cause__ or cause.__context__
    return None


async def test_an_invalid_token_closes_with_4403(served: str) -> None:
    with pytest.raises(TransportError) as refused:
        async with session_of(served, {"Authorization": "Bearer bogus"}) as session:
            await session.execute(GraphQLRequest(TYPENAME))

    assert close_code(refused.value) == 4403


async def test_a_subscription_over_the_query_budget_answers_rate_limited(
    db: TortoiseContext, fast: Settings, clock: Clock, article: Article
) -> None:
    limited = dataclasses.replace(
        fast, rate_limits=True, rate_limit_query_cost=2, secret_key=secrets.token_hex(16)
    )
    async with (
        serving_live(create_app(limited, clock=clock)) as address,
        session_of(address) as session,
    ):
        results = []
        for _ in range(3):
            try:
                subscription = session.subscribe(watching(article))
                results.append(await next_of(subscription))
                await subscription.aclose()
            except TransportQueryError as refused:
                results.append({"errors": refused.errors})
        # the connection goes on, and queries spend the same budget
        with pytest.raises(TransportQueryError) as query:
            await session.execute(GraphQLRequest(TYPENAME))

    assert results[0] == {"articleChanged": {"id": global_id(article), "views": 299}}
    [error] = results[2]["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] >= 1
    assert query.value.errors is not None
    assert query.value.errors[0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_connection_holds_a_limited_number_of_subscriptions(
    db: TortoiseContext, fast: Settings, clock: Clock, article: Article
) -> None:
    one = dataclasses.replace(fast, live_max_subscriptions=1)
    async with (
        serving_live(create_app(one, clock=clock)) as address,
        session_of(address) as session,
    ):
        first = session.subscribe(watching(article))
        await next_of(first)
        with pytest.raises(TransportQueryError) as refused:
            await next_of(session.subscribe(watching(article)))
        await first.aclose()
        # closing the first makes room again
        again = session.subscribe(watching(article))
        await next_of(again)
        await again.aclose()

    assert refused.value.errors is not None
    [error] = refused.value.errors
    assert error["extensions"] == {"code": "TOO_MANY_SUBSCRIPTIONS", "limit": 1}


async def test_too_many_messages_close_the_connection_with_4429(
    db: TortoiseContext, fast: Settings, clock: Clock
) -> None:
    slow = dataclasses.replace(fast, live_max_messages_per_second=3)
    async with serving_live(create_app(slow, clock=clock)) as address:
        with pytest.raises(TransportError) as closed:
            async with session_of(address) as session:
                await asyncio.gather(
                    *(session.execute(GraphQLRequest(TYPENAME)) for _ in range(10))
                )

    assert close_code(closed.value) == 4429


async def session_keeps(session: AsyncClientSession) -> None:
    assert await session.execute(GraphQLRequest(TYPENAME)) == {"__typename": "Query"}


async def test_a_signed_in_connection_sees_what_its_member_sees(
    db: TortoiseContext, fast: Settings, clock: Clock
) -> None:
    from models import GroupPrivacy

    reader = await factories.member("Reader")
    private = await factories.group("private", GroupPrivacy.PRIVATE)
    await factories.join(private, reader)
    hidden = await factories.article(private, reader, views=7)
    token = await factories.token(reader)
    app: Starlette = create_app(fast, clock=clock)
    async with serving_live(app) as address:
        async with session_of(address, {"Authorization": f"Bearer {token}"}) as session:
            subscription = session.subscribe(watching(hidden))
            signed_in = await next_of(subscription)
            await subscription.aclose()
            await session_keeps(session)
        async with session_of(address) as session:
            with pytest.raises(TransportQueryError) as anonymous:
                await next_of(session.subscribe(watching(hidden)))

    assert signed_in == {"articleChanged": {"id": global_id(hidden), "views": 7}}
    assert anonymous.value.errors is not None
    assert anonymous.value.errors[0]["extensions"]["code"] == "NOT_FOUND"
