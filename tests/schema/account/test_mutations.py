from __future__ import annotations

import hashlib
import logging
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import AuthToken, Member
from tests import factories
from tests.conftest import Clock
from tests.helpers import data_of

SIGN_UP = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) {
    member { id name }
    token
    expiresAt
    errors { field code message }
    clientMutationId
  }
}
"""
SIGN_IN = """
mutation SignIn($input: SignInInput!) {
  signIn(input: $input) { member { name } token errors { field code message } }
}
"""
SIGN_OUT = """
mutation SignOut { signOut { revoked errors { code message } } }
"""
VIEWER = "query Viewer { viewer { id name } }"

SAM = {"name": "Sam Harrison", "email": "Sam@Example.org", "password": "portland-maine-2023"}


async def sign_up(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await data_of(client, SIGN_UP, {"input": {**SAM, **fields}}))[
        "signUp"
    ]
    return payload


async def test_sign_up_signs_in(db: TortoiseContext, client: httpx.AsyncClient) -> None:
    payload = await sign_up(client, clientMutationId="m1")

    assert payload["errors"] == []
    assert payload["member"]["name"] == "Sam Harrison"
    assert payload["expiresAt"] == "2024-03-31T12:00:00+00:00"
    assert payload["clientMutationId"] == "m1"
    token = payload["token"]
    assert token.startswith("gql_")
    assert len(token) >= 4 + 43  # 32 random bytes, base64url
    viewer = await data_of(client, VIEWER, headers=factories.bearer(token))
    assert viewer["viewer"] == payload["member"]


async def test_only_a_hash_of_the_password_and_token_is_stored(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    token = (await sign_up(client))["token"]

    member = await Member.get(email="sam@example.org")
    assert member.password_hash is not None
    assert member.password_hash.startswith("$argon2id$")
    assert SAM["password"] not in member.password_hash
    stored = await AuthToken.get(member_id=member.id)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()


async def test_an_email_is_taken_whatever_its_case(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    await sign_up(client)

    again = await sign_up(client, email="SAM@example.ORG", name="Another Sam")

    assert again["token"] is None
    assert again["errors"] == [
        {
            "field": ["input", "email"],
            "code": "CONFLICT",
            "message": "An account with this email already exists: sign in instead.",
        }
    ]
    assert await Member.all().count() == 1


@pytest.mark.parametrize(
    ("fields", "path", "words"),
    [
        ({"email": "not-an-email"}, ["input", "email"], "not an email"),
        ({"email": "a@b.c" + "x" * 250}, ["input", "email"], "not an email"),
        ({"password": "short"}, ["input", "password"], "10 to 256"),
        ({"password": "p" * 257}, ["input", "password"], "10 to 256"),
        ({"name": "   "}, ["input", "name"], "must not be blank"),
        ({"name": "n" * 101}, ["input", "name"], "1 to 100"),
    ],
)
async def test_bad_sign_up_input_is_named_and_nothing_is_stored(
    db: TortoiseContext,
    client: httpx.AsyncClient,
    fields: dict[str, str],
    path: list[str],
    words: str,
) -> None:
    payload = await sign_up(client, **fields)

    [error] = payload["errors"]
    assert (error["field"], error["code"]) == (path, "INVALID")
    assert words in error["message"]
    assert (payload["member"], payload["token"]) == (None, None)
    assert await Member.all().count() == 0


async def test_sign_in_with_the_right_password(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    await sign_up(client)

    data = await data_of(
        client, SIGN_IN, {"input": {"email": " sam@EXAMPLE.org", "password": SAM["password"]}}
    )

    assert data["signIn"]["member"] == {"name": "Sam Harrison"}
    assert data["signIn"]["token"].startswith("gql_")


async def test_a_wrong_email_and_a_wrong_password_answer_alike(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    await sign_up(client)

    answers = [
        (await data_of(client, SIGN_IN, {"input": credentials}))["signIn"]
        for credentials in (
            {"email": "sam@example.org", "password": "wrong-password-1"},
            {"email": "nobody@example.org", "password": SAM["password"]},
        )
    ]

    assert (
        answers[0]
        == answers[1]
        == {
            "member": None,
            "token": None,
            "errors": [
                {
                    "field": None,
                    "code": "INVALID_CREDENTIALS",
                    "message": "The email or the password is wrong.",
                }
            ],
        }
    )
    assert await AuthToken.all().count() == 1  # the one from signing up


async def test_sign_out_revokes_only_this_token(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    first = (await sign_up(client))["token"]
    second = (
        await data_of(
            client, SIGN_IN, {"input": {"email": SAM["email"], "password": SAM["password"]}}
        )
    )["signIn"]["token"]

    out = await data_of(client, SIGN_OUT, headers=factories.bearer(first))

    assert out["signOut"] == {"revoked": True, "errors": []}
    refused = await client.post("/graphql", json={"query": VIEWER}, headers=factories.bearer(first))
    assert refused.status_code == 401
    still = await data_of(client, VIEWER, headers=factories.bearer(second))
    assert still["viewer"]["name"] == "Sam Harrison"


async def test_signing_out_needs_a_sign_in(db: TortoiseContext, client: httpx.AsyncClient) -> None:
    out = await data_of(client, SIGN_OUT)

    assert out["signOut"]["revoked"] is False
    assert [error["code"] for error in out["signOut"]["errors"]] == ["UNAUTHENTICATED"]


async def test_an_anonymous_viewer_is_null(db: TortoiseContext, client: httpx.AsyncClient) -> None:
    assert await data_of(client, VIEWER) == {"viewer": None}


@pytest.mark.parametrize(
    "authorization", ["Bearer gql_not-a-real-token", "Basic c2FtOnBhc3N3b3Jk", "Bearer "]
)
async def test_bad_credentials_are_401_with_a_graphql_error(
    db: TortoiseContext, client: httpx.AsyncClient, authorization: str
) -> None:
    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"authorization": authorization}
    )

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_token_expires(
    db: TortoiseContext, client: httpx.AsyncClient, clock: Clock
) -> None:
    token = (await sign_up(client))["token"]
    clock.advance(days=30)

    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers=factories.bearer(token)
    )

    assert response.status_code == 401
    assert "expired" in response.json()["errors"][0]["message"]


async def test_no_token_or_password_reaches_a_log(
    db: TortoiseContext, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        token = (await sign_up(client))["token"]
        await data_of(client, VIEWER, headers=factories.bearer(token))
        await data_of(
            client, SIGN_IN, {"input": {"email": SAM["email"], "password": SAM["password"]}}
        )
        await client.post("/graphql", json={"query": VIEWER}, headers=factories.bearer(token + "x"))

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records  # the database client logs every statement at DEBUG
    assert token not in logged
    assert SAM["password"] not in logged
