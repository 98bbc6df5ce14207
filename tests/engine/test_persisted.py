"""Automatic persisted queries and trusted documents, over HTTP, on both stores (this
process's memory, and Redis under a key prefix of the test's own)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from redis.asyncio import Redis
from tortoise.context import TortoiseContext

from engine import Engine
from engine.limits import limits_of
from engine.persisted import (
    MANIFEST,
    MemoryDocuments,
    RedisDocuments,
    Store,
    manifest_of,
    operation_name_of,
)
from schema.context import utc_now
from schema.core.rate_limits import RateLimiter
from schema.schema import schema
from server import create_app
from settings import Settings
from tests import factories
from tests.conftest import Clock
from tests.helpers import client_for

GROUP_NAME = "query GroupName($slug: String!) { group(slug: $slug) { name } }"
SLUG = {"slug": "muscle-weakness-ms"}
ANSWER = {"group": {"name": "Muscle Weakness & MS"}}
SIGN_OUT = "mutation SignOut { signOut { revoked } }"
TRUSTED_GROUPS = next(text for text in manifest_of(MANIFEST).values() if "query Groups(" in text)
GRAPHQL_RESPONSE = {"accept": "application/graphql-response+json"}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(text: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(text)}}


def hash_only(text: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"extensions": persisted(text), "variables": variables or {}}


def with_query(text: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"query": text, **hash_only(text, variables)}


def code_of(body: dict[str, Any]) -> str:
    [error] = body["errors"]
    code: str = error["extensions"]["code"]
    return code


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    if request.param == "memory":
        yield MemoryDocuments()
        return
    url = os.environ.get("REDIS_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must test persisted queries in Redis: set REDIS_URL")
        pytest.skip("REDIS_URL is not set: Redis runs skipped")
    redis = Redis.from_url(url)
    prefix = f"groupql:test:{uuid.uuid4().hex}:"
    try:
        yield RedisDocuments(redis, prefix=prefix, ttl=60)
    finally:
        kept = await redis.keys(f"{prefix}*")
        if kept:
            await redis.delete(*kept)
        await redis.aclose()


async def app_client(settings: Settings, clock: Clock, store: Store) -> httpx.AsyncClient:
    await factories.group()
    return client_for(create_app(settings, clock=clock, persisted=store))


@pytest.fixture
async def client(
    db: TortoiseContext, settings: Settings, clock: Clock, store: Store
) -> AsyncIterator[httpx.AsyncClient]:
    async with await app_client(settings, clock, store) as http:
        yield http


@pytest.fixture
async def only(
    db: TortoiseContext, settings: Settings, clock: Clock, store: Store
) -> AsyncIterator[httpx.AsyncClient]:
    """PERSISTED_ONLY=on."""
    trusted = dataclasses.replace(settings, persisted_only=True)
    async with await app_client(trusted, clock, store) as http:
        yield http


async def test_an_unknown_hash_is_not_found_with_200_so_the_client_sends_the_query(
    client: httpx.AsyncClient,
) -> None:
    for headers in ({}, GRAPHQL_RESPONSE):
        response = await client.post("/graphql", json=hash_only(GROUP_NAME, SLUG), headers=headers)

        assert response.status_code == 200
        assert response.json()["errors"] == [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
        assert "data" not in response.json()


async def test_the_query_with_its_hash_is_kept_then_the_hash_alone_answers(
    client: httpx.AsyncClient, store: Store
) -> None:
    first = (await client.post("/graphql", json=with_query(GROUP_NAME, SLUG))).json()
    again = (await client.post("/graphql", json=hash_only(GROUP_NAME, SLUG))).json()

    assert first["data"] == again["data"] == ANSWER
    assert await store.get(sha256(GROUP_NAME)) == GROUP_NAME


async def test_get_with_the_hash_answers_queries_and_still_refuses_mutations(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/graphql", json=with_query(GROUP_NAME, SLUG))
    await client.post("/graphql", json=with_query(SIGN_OUT))

    def params(text: str, variables: dict[str, Any]) -> dict[str, str]:
        return {
            "extensions": orjson.dumps(persisted(text)).decode(),
            "variables": orjson.dumps(variables).decode(),
        }

    query = await client.get(
        "/graphql", params=params(GROUP_NAME, SLUG) | {"operationName": "GroupName"}
    )
    mutation = await client.get("/graphql", params=params(SIGN_OUT, {}))

    assert (query.status_code, query.json()["data"]) == (200, ANSWER)
    assert (mutation.status_code, code_of(mutation.json())) == (405, "METHOD_NOT_ALLOWED")


async def test_a_hash_that_is_not_the_querys_is_refused_and_nothing_is_kept(
    client: httpx.AsyncClient, store: Store
) -> None:
    lying = {"query": GROUP_NAME, "extensions": persisted(SIGN_OUT), "variables": SLUG}

    response = await client.post("/graphql", json=lying)
    strict = await client.post("/graphql", json=lying, headers=GRAPHQL_RESPONSE)

    assert (response.status_code, code_of(response.json())) == (
        200,
        "PERSISTED_QUERY_HASH_MISMATCH",
    )
    assert strict.status_code == 400
    assert await store.get(sha256(SIGN_OUT)) is None
    assert await store.get(sha256(GROUP_NAME)) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param(
            "query Broken($slug: String!) { group(slug: $slug) {",
            "GRAPHQL_PARSE_FAILED",
            id="parse",
        ),
        pytest.param("query Unknown { nothing }", "GRAPHQL_VALIDATION_FAILED", id="validation"),
        pytest.param(
            "query Long { " + " ".join(["groups { totalCount }"] * 600) + " }",
            "TOKEN_LIMIT_EXCEEDED",
            id="tokens",
        ),
    ],
)
async def test_a_document_the_engine_refuses_is_never_kept(
    client: httpx.AsyncClient, store: Store, text: str, code: str
) -> None:
    refused = (await client.post("/graphql", json=with_query(text))).json()
    again = (await client.post("/graphql", json=hash_only(text))).json()

    assert code_of(refused) == code
    assert code_of(again) == "PERSISTED_QUERY_NOT_FOUND"
    assert await store.get(sha256(text)) is None


@pytest.mark.parametrize(
    "extensions",
    [
        pytest.param({"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}}, id="version"),
        pytest.param({"persistedQuery": {"version": 1, "sha256Hash": "abc"}}, id="hash"),
        pytest.param({"persistedQuery": "yes"}, id="not-an-object"),
        pytest.param([], id="extensions-not-an-object"),
    ],
)
async def test_a_malformed_persisted_query_is_a_bad_request(
    client: httpx.AsyncClient, extensions: Any
) -> None:
    response = await client.post("/graphql", json={"extensions": extensions})

    assert (response.status_code, code_of(response.json())) == (400, "BAD_REQUEST")


async def test_the_apps_documents_are_known_by_their_hash_from_the_start(
    client: httpx.AsyncClient,
) -> None:
    body = (await client.post("/graphql", json=hash_only(TRUSTED_GROUPS, {"first": 5}))).json()

    assert body["data"]["groups"]["nodes"][0]["name"] == "Muscle Weakness & MS"


async def test_persisted_only_runs_the_apps_documents_by_hash_or_text(
    only: httpx.AsyncClient,
) -> None:
    by_hash = (await only.post("/graphql", json=hash_only(TRUSTED_GROUPS, {"first": 5}))).json()
    by_text = (
        await only.post("/graphql", json={"query": TRUSTED_GROUPS, "variables": {"first": 5}})
    ).json()

    assert by_hash == by_text
    assert by_hash["data"]["groups"]["totalCount"] == 1


async def test_persisted_only_refuses_every_other_document_and_keeps_none(
    only: httpx.AsyncClient, store: Store
) -> None:
    free_form = await only.post("/graphql", json={"query": GROUP_NAME, "variables": SLUG})
    unknown_hash = await only.post("/graphql", json=hash_only(GROUP_NAME, SLUG))
    registering = await only.post("/graphql", json=with_query(GROUP_NAME, SLUG))
    strict = await only.post(
        "/graphql", json=with_query(GROUP_NAME, SLUG), headers=GRAPHQL_RESPONSE
    )

    for response in (free_form, unknown_hash, registering):
        assert (response.status_code, code_of(response.json())) == (
            200,
            "PERSISTED_QUERY_NOT_ALLOWED",
        )
    assert strict.status_code == 400
    assert await store.get(sha256(GROUP_NAME)) is None


def test_every_document_of_the_manifest_passes_the_engines_checks() -> None:
    engine = Engine(
        schema,
        Settings(secret_key="k" * 32),
        limits_of(Settings(secret_key="k" * 32)),
        RateLimiter(store=None, per_minute={}, secret="k"),
        utc_now,
    )
    manifest = manifest_of(MANIFEST)

    assert len(manifest) >= 10
    for key, text in manifest.items():
        assert sha256(text) == key
        assert operation_name_of(text) is not None
        assert engine.documents.get(text).errors == [], text


async def test_the_memory_store_keeps_the_most_recently_used_within_entries_and_characters() -> (
    None
):
    by_entries = MemoryDocuments(max_entries=2, max_characters=1000)
    for key in ("a", "b"):
        await by_entries.put(key, "x" * 10)
    await by_entries.get("a")
    await by_entries.put("c", "x" * 10)
    by_characters = MemoryDocuments(max_entries=100, max_characters=25)
    for key in ("a", "b", "c"):
        await by_characters.put(key, "x" * 10)

    assert list(by_entries.kept) == ["a", "c"]
    assert list(by_characters.kept) == ["b", "c"]
    assert by_characters.characters == 20
