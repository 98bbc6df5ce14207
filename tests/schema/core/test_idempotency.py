"""Idempotency keys: a retry of a creating mutation answers the first result and writes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import IdempotencyKey, MembershipRole
from models.idempotency_key import KEY_LIFETIME
from models.retention import prune
from models.sql import fetch
from server import create_app
from settings import Settings
from tests import factories
from tests.conftest import Clock
from tests.helpers import client_for, data_of

TABLES = (
    "groups", "group_slugs", "memberships", "articles", "comments", "reactions", "members",
    "auth_tokens", "idempotency_keys",
)  # fmt: skip
PASSWORD = "a-long-password"


@dataclass
class World:
    token: str
    other_token: str
    group: str
    article: str


@pytest.fixture
async def world(db: TortoiseContext) -> World:
    member, other = await factories.member("Mo Member"), await factories.member("Ola Other")
    group = await factories.group()
    await factories.join(group, member, MembershipRole.OWNER)
    await factories.join(group, other)
    article = await factories.article(group, member)
    return World(
        token=await factories.token(member),
        other_token=await factories.token(other),
        group=factories.global_id(group),
        article=factories.global_id(article),
    )


@dataclass(frozen=True)
class Case:
    """A creating mutation: its document, an input per variant, where its object is."""

    selection: str
    input: Callable[[World, int], dict[str, Any]]
    subject: str
    signed_in: bool = True

    def document(self, name: str, input_type: str) -> str:
        return (
            f"mutation Call($input: {input_type}!) {{ {name}(input: $input) {{ "
            f"{self.subject} {{ ... on Node {{ id }} }} {self.selection} "
            "errors { field code message } "
            "clientMutationId } }"
        )


CASES: dict[str, tuple[str, Case]] = {
    "createGroup": (
        "CreateGroupInput",
        Case("", lambda world, n: {"name": f"Tea Club {n}"}, "group"),
    ),
    "createArticle": (
        "CreateArticleInput",
        Case(
            "",
            lambda world, n: {"groupId": world.group, "title": f"Title {n}", "body": "Words."},
            "article",
        ),
    ),
    "addComment": (
        "AddCommentInput",
        Case("", lambda world, n: {"articleId": world.article, "body": f"Me too {n}"}, "comment"),
    ),
    "addReaction": (
        "ReactionInput",
        Case(
            "changed",
            lambda world, n: {"subjectId": world.article, "kind": ("LIKE", "HEART")[n]},
            "subject",
        ),
    ),
    "signUp": (
        "SignUpInput",
        Case(
            "token",
            lambda world, n: {"name": "Nia New", "email": f"nia{n}@x.org", "password": PASSWORD},
            "member",
            signed_in=False,
        ),
    ),
}


async def call(
    client: httpx.AsyncClient,
    world: World,
    name: str,
    variant: int = 0,
    key: str | None = "key-1",
    token: str | None = None,
) -> dict[str, Any]:
    input_type, case = CASES[name]
    fields = case.input(world, variant) | ({} if key is None else {"clientMutationId": key})
    token = token or (world.token if case.signed_in else None)
    headers = factories.bearer(token) if token else {}
    data = await data_of(
        client, case.document(name, input_type), {"input": fields}, headers=headers
    )
    payload: dict[str, Any] = data[name]
    return payload


async def counts() -> dict[str, int]:
    return {table: len(await fetch(f"SELECT 1 AS x FROM {table}")) for table in TABLES}


def without_token(payload: dict[str, Any]) -> dict[str, Any]:
    """A payload, its token left out: a retried signUp answers a new one (shown once)."""
    return {key: value for key, value in payload.items() if key != "token"}


@pytest.mark.parametrize("name", CASES)
async def test_a_retry_answers_the_first_result_and_writes_nothing(
    world: World, client: httpx.AsyncClient, name: str
) -> None:
    first = await call(client, world, name)
    after_first = await counts()

    retries = [await call(client, world, name) for _ in range(3)]

    assert first["errors"] == []
    assert first["clientMutationId"] == "key-1"
    assert [without_token(retry) for retry in retries] == [without_token(first)] * 3
    if name == "signUp":  # a new token only, since the first was shown once
        assert after_first["auth_tokens"] + 3 == (await counts())["auth_tokens"]
        after_first["auth_tokens"] += 3
    assert await counts() == after_first
    assert after_first["idempotency_keys"] == 1


@pytest.mark.parametrize("name", CASES)
async def test_the_same_key_with_other_input_is_refused(
    world: World, client: httpx.AsyncClient, name: str
) -> None:
    await call(client, world, name)
    before = await counts()

    refused = await call(client, world, name, variant=1)

    assert refused == {
        CASES[name][1].subject: None,
        **({"changed": False} if name == "addReaction" else {}),
        **({"token": None} if name == "signUp" else {}),
        "errors": [
            {
                "field": ["input", "clientMutationId"],
                "code": "IDEMPOTENCY_KEY_REUSED",
                "message": "This clientMutationId was already used with other input: send "
                "a new one for a new call.",
            }
        ],
        "clientMutationId": "key-1",
    }
    assert await counts() == before


@pytest.mark.parametrize("name", CASES)
async def test_concurrent_calls_with_one_key_write_once(
    world: World, client: httpx.AsyncClient, name: str
) -> None:
    before = await counts()
    calls = 3 if name == "signUp" else 8  # each signUp hashes a password: about half a second

    answers = await asyncio.gather(*(call(client, world, name) for _ in range(calls)))

    assert [answer["errors"] for answer in answers] == [[]] * calls
    assert len({answer[CASES[name][1].subject]["id"] for answer in answers}) == 1
    after = await counts()
    written = {table: after[table] - before[table] for table in TABLES}
    expected = {
        "createGroup": {"groups": 1, "group_slugs": 1, "memberships": 1},
        "createArticle": {"articles": 1},
        "addComment": {"comments": 1},
        "addReaction": {"reactions": 1},
        "signUp": {"members": 1, "auth_tokens": calls},  # one account; a token per answer
    }[name]
    assert written == dict.fromkeys(TABLES, 0) | expected | {"idempotency_keys": 1}
    if name == "addReaction":
        assert [answer["changed"] for answer in answers] == [True] * calls


@pytest.mark.parametrize("name", CASES)
async def test_keys_are_the_callers_own(
    world: World, client: httpx.AsyncClient, settings: Settings, clock: Clock, name: str
) -> None:
    first = await call(client, world, name)
    if name == "signUp":  # signed out: the key belongs to the address it came from
        elsewhere = create_app(settings, clock=clock)
        async with client_for(elsewhere, address="198.51.100.9") as other_client:
            other = await call(other_client, world, name, variant=1)
    else:
        other = await call(client, world, name, variant=1, token=world.other_token)

    assert other["errors"] == []
    assert other[CASES[name][1].subject] is not None
    if name != "addReaction":
        assert other[CASES[name][1].subject]["id"] != first[CASES[name][1].subject]["id"]
    assert await IdempotencyKey.all().count() == 2


async def test_keys_are_per_mutation_and_a_call_without_one_always_writes(
    world: World, client: httpx.AsyncClient
) -> None:
    group = await call(client, world, "createGroup", key="same")
    article = await call(client, world, "createArticle", key="same")
    unkeyed = [await call(client, world, "addComment", key=key) for key in (None, None, "", "")]

    assert group["errors"] == article["errors"] == []
    assert len({answer["comment"]["id"] for answer in unkeyed}) == 4
    assert await IdempotencyKey.all().count() == 2


async def test_an_expired_key_is_a_new_call(
    world: World, client: httpx.AsyncClient, clock: Clock
) -> None:
    first = await call(client, world, "addComment")
    clock.advance(seconds=KEY_LIFETIME.total_seconds() - 1)
    retried = await call(client, world, "addComment")
    clock.advance(seconds=1)

    again = await call(client, world, "addComment")

    assert retried == first
    assert again["errors"] == []
    assert again["comment"]["id"] != first["comment"]["id"]
    assert await IdempotencyKey.all().count() == 1  # the expired key was taken over


async def test_a_refused_call_keeps_no_key(world: World, client: httpx.AsyncClient) -> None:
    headers = factories.bearer(world.token)
    document = CASES["addComment"][1].document("addComment", "AddCommentInput")
    refused = await data_of(
        client,
        document,
        {"input": {"articleId": world.article, "body": " ", "clientMutationId": "k"}},
        headers=headers,
    )

    fixed = await data_of(
        client,
        document,
        {"input": {"articleId": world.article, "body": "Fixed.", "clientMutationId": "k"}},
        headers=headers,
    )

    assert [e["code"] for e in refused["addComment"]["errors"]] == ["INVALID"]
    assert fixed["addComment"]["errors"] == []
    assert fixed["addComment"]["comment"] is not None


REPLAYED_COMMENT = """
mutation AddComment($input: AddCommentInput!) {
  addComment(input: $input) { comment { id body editedAt } errors { code } }
}
"""
EDIT_COMMENT = """
mutation EditComment($input: EditCommentInput!) {
  editComment(input: $input) { comment { id } errors { code } }
}
"""


async def test_a_retry_answers_the_object_as_it_is_now(
    world: World, client: httpx.AsyncClient
) -> None:
    headers = factories.bearer(world.token)
    fields = {"articleId": world.article, "body": "First words.", "clientMutationId": "k"}
    first = await data_of(client, REPLAYED_COMMENT, {"input": fields}, headers=headers)
    comment_id = first["addComment"]["comment"]["id"]
    await data_of(
        client,
        EDIT_COMMENT,
        {"input": {"commentId": comment_id, "body": "Second thoughts."}},
        headers=headers,
    )

    retried = await data_of(client, REPLAYED_COMMENT, {"input": fields}, headers=headers)

    assert retried["addComment"]["errors"] == []
    assert retried["addComment"]["comment"]["id"] == comment_id
    assert retried["addComment"]["comment"]["body"] == "Second thoughts."


SIGN_UP = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { token member { id name } errors { field code } }
}
"""
VIEWER = "query Viewer { viewer { id } }"


async def test_a_retried_sign_up_answers_a_new_working_token_for_the_right_password(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    fields = {"name": "Nia", "email": "nia@x.org", "password": PASSWORD, "clientMutationId": "k"}
    first = (await data_of(client, SIGN_UP, {"input": fields}))["signUp"]

    retried = (await data_of(client, SIGN_UP, {"input": fields}))["signUp"]
    wrong = (await data_of(client, SIGN_UP, {"input": fields | {"password": "not-the-one!"}}))[
        "signUp"
    ]

    assert retried["member"] == first["member"]
    assert retried["token"] not in {None, first["token"]}
    for token in (first["token"], retried["token"]):
        viewer = await data_of(client, VIEWER, headers=factories.bearer(token))
        assert viewer["viewer"] == {"id": first["member"]["id"]}
    assert wrong == {
        "token": None,
        "member": None,
        "errors": [{"field": ["input", "clientMutationId"], "code": "IDEMPOTENCY_KEY_REUSED"}],
    }
    stored = await fetch("SELECT input_hash, result FROM idempotency_keys")
    assert PASSWORD not in str(stored)


async def test_retention_deletes_expired_keys_in_batches(
    world: World, client: httpx.AsyncClient, clock: Clock, settings: Settings
) -> None:
    for n in range(3):
        await call(client, world, "addComment", key=f"old-{n}")
    clock.advance(hours=12)
    await call(client, world, "addComment", key="new")
    clock.advance(hours=12)

    window = timedelta(seconds=settings.view_window_seconds)
    pruned = await prune(clock(), window, batch=2)
    again = await prune(clock(), window, batch=2)

    assert pruned is not None
    assert (pruned.idempotency_keys, pruned.statements) == (3, 1 + 2 + 2)  # keys: 2, then 1 (< 2)
    assert again is not None
    assert again.idempotency_keys == 0
    assert await IdempotencyKey.all().values_list("created_at", flat=True) == [
        factories.NOW.replace(hour=0, day=2)
    ]
