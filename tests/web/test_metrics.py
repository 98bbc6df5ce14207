"""`/metrics` scraped after requests, read with prometheus-client's own parser."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from tortoise.context import TortoiseContext

from server import create_app
from settings import Settings
from tests import factories
from tests.conftest import Clock
from tests.factories import global_id
from tests.helpers import client_for
from tests.web.helpers import app_client
from tests.web.servers import graphql_ws, serving

GROUP_NAME = "query GroupName($slug: String!) { group(slug: $slug) { name } }"
SLUG = {"slug": "muscle-weakness-ms"}


async def scraped(client: httpx.AsyncClient, **kw: Any) -> dict[tuple[str, tuple[Any, ...]], float]:
    """Every sample of /metrics by name and labels."""
    response = await client.get("/metrics", **kw)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def operations(samples: dict[tuple[str, tuple[Any, ...]], float]) -> dict[tuple[str, ...], float]:
    return {
        tuple(value for _, value in labels): count
        for (name, labels), count in samples.items()
        if name == "groupql_operations_total"
    }


async def test_operations_are_counted_by_name_and_outcome_with_latency_and_statements(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    await factories.group()
    for _ in range(2):
        await client.post("/graphql", json={"query": GROUP_NAME, "variables": SLUG})
    await client.post("/graphql", json={"query": "{ groups { totalCount } }"})
    await client.post("/graphql", json={"query": "query Nope { nope }"})
    await client.post("/graphql", content=b"x", headers={"content-type": "text/plain"})

    samples = await scraped(client)

    # labels sorted: operation, outcome, transport
    assert operations(samples) == {
        ("GroupName", "ok", "http"): 2,
        ("anonymous", "ok", "http"): 1,
        ("Nope", "refused", "http"): 1,
        ("anonymous", "refused", "http"): 1,
    }
    assert samples[("groupql_operation_duration_seconds_count", (("transport", "http"),))] == 5
    # Three executed; `group(slug:)` is one statement, `groups { totalCount }` one.
    assert samples[("groupql_operation_sql_statements_count", ())] == 3
    assert samples[("groupql_operation_sql_statements_sum", ())] == 3
    assert samples[("groupql_operation_sql_statements_bucket", (("le", "0.0"),))] == 0
    assert samples[("groupql_db_pool_connections", (("state", "open"),))] >= 1
    assert samples[("groupql_db_pool_connections", (("state", "in_use"),))] == 0
    assert samples[("groupql_db_pool_connections", (("state", "waiting"),))] == 0


async def test_operation_names_are_bounded(db: TortoiseContext, client: httpx.AsyncClient) -> None:
    for number in range(105):
        await client.post("/graphql", json={"query": f"query Q{number} {{ __typename }}"})
    await client.post("/graphql", json={"query": f"query {'L' * 200} {{ __typename }}"})

    names = {labels[0] for labels in operations(await scraped(client))}

    assert len(names) == 101
    assert {"Q0", "Q99", "other"} <= names
    assert "Q104" not in names


async def test_rate_limit_refusals_are_counted(
    db: TortoiseContext, settings: Settings, clock: Clock
) -> None:
    limited = dataclasses.replace(settings, rate_limits=True, rate_limit_query_cost=3)
    async with client_for(create_app(limited, clock=clock)) as client:
        for _ in range(5):
            body = {"query": "query T { __typename }", "operationName": "T"}
            await client.post("/graphql", json=body)
        samples = await scraped(client)

    assert operations(samples)[("T", "rate_limited", "http")] == 2
    assert samples[("groupql_rate_limit_refusals_total", (("limit", "budget"),))] == 2
    assert samples[("groupql_rate_limit_refusals_total", (("limit", "connections"),))] == 0


@pytest.fixture
async def served(db: TortoiseContext, settings: Settings, clock: Clock) -> AsyncIterator[str]:
    async with serving(create_app(settings, clock=clock)) as address:
        yield address


async def test_live_connections_and_subscriptions_are_gauged(served: str) -> None:
    article = await factories.article(await factories.group(), await factories.member())
    query = "subscription C($id: ID!) { commentAdded(articleId: $id) { id } }"

    def subscribe(identifier: str, article_id: str) -> dict[str, Any]:
        payload = {"query": query, "variables": {"id": article_id}, "operationName": "C"}
        return {"id": identifier, "type": "subscribe", "payload": payload}

    async with httpx.AsyncClient(base_url=f"http://{served}") as http, graphql_ws(served) as ws:
        idle = await scraped(http)
        await ws.send(subscribe("1", "QXJ0aWNsZTo5OTk"))  # an unknown article: refused
        refused = await ws.receive()
        await ws.send(subscribe("2", global_id(article)))
        for _ in range(100):
            live = await scraped(http)
            if live[("groupql_subscriptions", ())] == 1:
                break
            await asyncio.sleep(0.02)

    assert refused["type"] == "error"
    assert idle[("groupql_live_connections", ())] == 1
    assert idle[("groupql_subscriptions", ())] == 0
    assert live[("groupql_subscriptions", ())] == 1
    assert operations(live)[("C", "refused", "ws")] == 1
    assert operations(live)[("C", "ok", "ws")] == 1


async def test_a_metrics_token_is_required_when_set() -> None:
    async with app_client(metrics_token="scrape-me") as client:
        refused = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"authorization": "Bearer nope"})
        samples = await scraped(client, headers={"authorization": "Bearer scrape-me"})

    assert (refused.status_code, wrong.status_code) == (401, 401)
    assert ("groupql_live_connections", ()) in samples


async def test_metrics_off_serves_nothing() -> None:
    async with app_client(metrics=False) as client:
        response = await client.get("/metrics")

    assert response.status_code == 404
