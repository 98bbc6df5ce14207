"""In production: no GraphiQL, no introspection, no suggestions, unexpected errors masked."""

from __future__ import annotations

import dataclasses
import logging
import re

import httpx
import pytest
from tortoise.context import TortoiseContext

from demo.seed import SEED_GROUP_SLUG, seed_if_empty
from engine import engine as engine_module
from models.config import tortoise_config
from models.sql import fetch
from server import GROUP_PAGE_QUERY, create_app
from settings import Settings, SettingsError
from tests.conftest import settings_for
from tests.helpers import client_for
from tests.web.helpers import app_client, only_error

PRODUCTION = {"production": True, "introspection": False}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SCHEMA = "query Schema { __schema { queryType { name } } }"
TYPE = 'query Type { __type(name: "Group") { name } }'
TYPENAME = "query Typename { __typename }"
MISSPELT_FIELD = "query Groups { groups(first: 1) { totalCont } }"
MISSPELT = [
    pytest.param("query Groups { groups(firts: 1) { totalCount } }", id="argument"),
    pytest.param(
        "query Groups { groups(first: 1) { nodes { articles(orderBy: NEWES) { totalCount } } } }",
        id="enum-value",
    ),
    pytest.param("query Group($slug: Strin!) { group(slug: $slug) { name } }", id="type"),
    pytest.param(
        'mutation SignUp { signUp(input: {nam: "Sam", email: "s@example.org", password: "p"}) '
        "{ token } }",
        id="input-field",
    ),
]
GROUPS_TOO_MANY = "query Groups { groups(first: 500) { totalCount } }"
SIGN_UP = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { token errors { field code message } }
}
"""
NOTHING_LISTENS = "postgres://postgres@127.0.0.1:9/nothing-listens-here"
MASKED = re.compile(r"Internal server error \(error id ([0-9a-f]{32})\)\.")


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Every database test of this module runs the production app."""
    return settings_for(database_url, **PRODUCTION)


async def test_graphiql_is_not_served_in_production() -> None:
    async with app_client(**PRODUCTION) as http:
        response = await http.get("/graphql", headers={"accept": BROWSER_ACCEPT})

    error = only_error(response, 400, "BAD_REQUEST")
    assert error["message"] == "The request has no query (a string)."
    assert "<html" not in response.text.lower()


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(SCHEMA, id="schema"),
        pytest.param(TYPE, id="type"),
        pytest.param("query Schema { s: __schema { queryType { name } } }", id="aliased"),
        pytest.param(
            "query Schema { ...Introspect } fragment Introspect on Query { __schema { types "
            "{ name } } }",
            id="in-a-fragment",
        ),
        pytest.param(
            'query Schema { ... on Query { __type(name: "Query") { name } } }',
            id="in-an-inline-fragment",
        ),
    ],
)
async def test_introspection_is_refused_in_production(query: str) -> None:
    async with app_client(**PRODUCTION) as http:
        response = await http.post("/graphql", json={"query": query})

    error = only_error(response, 200, "INTROSPECTION_DISABLED")
    assert error["message"] == "Introspection is disabled on this server."


async def test_typename_works_in_production() -> None:
    async with app_client(**PRODUCTION) as http:
        response = await http.post("/graphql", json={"query": TYPENAME})

    assert response.json() == {
        "data": {"__typename": "Query"},
        "extensions": {"cost": {"requested": 0, "limit": 10_000}},
    }


@pytest.mark.parametrize(
    ("query", "data"),
    [
        (SCHEMA, {"__schema": {"queryType": {"name": "Query"}}}),
        (TYPE, {"__type": {"name": "Group"}}),
    ],
)
async def test_introspection_can_be_turned_on_in_production(
    query: str, data: dict[str, object]
) -> None:
    async with app_client(production=True, introspection=True) as http:
        response = await http.post("/graphql", json={"query": query})

    assert response.json()["data"] == data


@pytest.mark.parametrize(
    ("production", "message"),
    [
        (True, "Cannot query field 'totalCont' on type 'GroupConnection'."),
        (
            False,
            "Cannot query field 'totalCont' on type 'GroupConnection'. Did you mean 'totalCount'?",
        ),
    ],
    ids=["production", "development"],
)
async def test_field_suggestions_are_given_in_development_only(
    production: bool, message: str
) -> None:
    async with app_client(production=production) as http:
        response = await http.post("/graphql", json={"query": MISSPELT_FIELD})

    assert only_error(response, 200, "GRAPHQL_VALIDATION_FAILED")["message"] == message


@pytest.mark.parametrize("query", MISSPELT)
async def test_other_suggestions_are_given_in_development(query: str) -> None:
    async with app_client() as http:
        response = await http.post("/graphql", json={"query": query})

    messages = [error["message"] for error in response.json()["errors"]]
    assert any("Did you mean" in message for message in messages), messages


@pytest.mark.parametrize("query", MISSPELT)
async def test_no_suggestion_is_given_in_production(query: str) -> None:
    async with app_client(**PRODUCTION) as http:
        response = await http.post("/graphql", json={"query": query})

    messages = [error["message"] for error in response.json()["errors"]]
    assert messages
    assert not any("Did you mean" in message for message in messages), messages


async def break_the_comments_table() -> None:
    await seed_if_empty()
    await fetch("ALTER TABLE comments RENAME TO comments_gone")


async def post_group_page(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> list[dict[str, object]]:
    with caplog.at_level(logging.ERROR, logger="groupql.errors"):
        response = await client.post(
            "/graphql", json={"query": GROUP_PAGE_QUERY, "variables": {"slug": SEED_GROUP_SLUG}}
        )
    assert response.status_code == 200
    errors: list[dict[str, object]] = response.json()["errors"]
    assert errors
    return errors


@pytest.mark.own_database
async def test_an_unexpected_error_is_masked_and_logged_with_its_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    await break_the_comments_table()

    errors = await post_group_page(client, caplog)

    for error in errors:
        extensions = error["extensions"]
        assert isinstance(extensions, dict)
        assert extensions["code"] == "INTERNAL_SERVER_ERROR"
        assert error["message"] == f"Internal server error (error id {extensions['errorId']})."
        [record] = [r for r in caplog.records if extensions["errorId"] in r.getMessage()]
        assert record.name == "groupql.errors"
        assert record.exc_info is not None
        assert "comments" in str(record.exc_info[1])


@pytest.mark.own_database
async def test_an_unexpected_error_keeps_its_message_in_development(
    db: TortoiseContext, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    await break_the_comments_table()

    async with client_for(create_app(settings_for(database_url))) as development:
        errors = await post_group_page(development, caplog)

    for error in errors:
        assert isinstance(error["message"], str)
        assert not MASKED.fullmatch(error["message"])
        assert "comments" in error["message"]


@pytest.mark.parametrize("production", [True, False], ids=["production", "development"])
async def test_a_database_out_of_reach_before_execution_is_a_503_to_retry(
    production: bool, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(NOTHING_LISTENS, production=production)
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(settings))
        async with client_for(create_app(settings)) as http:
            with caplog.at_level(logging.WARNING, logger="groupql.errors"):
                # Authenticating the token is the first query, before execution.
                response = await http.post(
                    "/graphql", json={"query": TYPENAME}, headers={"authorization": "Bearer t"}
                )

    error = only_error(response, 503, "SERVICE_UNAVAILABLE")
    assert response.headers["retry-after"] == "2"
    assert error["message"] == "The database cannot be reached right now: try again in 2 s."
    assert "errorId" not in error["extensions"]
    assert any("database unavailable" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("production", [True, False], ids=["production", "development"])
async def test_a_failure_before_execution_is_a_coded_500_logged_with_its_id(
    db: TortoiseContext,
    settings: Settings,
    production: bool,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(authorization: str | None, now: object) -> None:
        raise ValueError("the token table's shape is not what the code expects")

    monkeypatch.setattr(engine_module, "authenticate", broken)
    async with client_for(create_app(dataclasses.replace(settings, production=production))) as http:
        with caplog.at_level(logging.ERROR, logger="groupql.errors"):
            response = await http.post(
                "/graphql", json={"query": TYPENAME}, headers={"authorization": "Bearer t"}
            )

    error = only_error(response, 500, "INTERNAL_SERVER_ERROR")
    error_id = error["extensions"]["errorId"]
    [record] = [r for r in caplog.records if error_id in r.getMessage()]
    assert isinstance(record.exc_info and record.exc_info[1], ValueError)
    if production:
        assert error["message"] == f"Internal server error (error id {error_id})."
    else:
        assert "shape is not what the code expects" in error["message"]


async def test_a_bad_argument_keeps_its_message_in_production(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    response = await client.post("/graphql", json={"query": GROUPS_TOO_MANY})

    [error] = response.json()["errors"]
    assert error["message"] == "`first` must be between 0 and 100, got 500."
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}


async def test_a_payload_error_keeps_its_message_in_production(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    response = await client.post(
        "/graphql",
        json={
            "query": SIGN_UP,
            "variables": {"input": {"name": "Sam", "email": "sam@example.org", "password": "x"}},
        },
    )

    assert response.json()["data"]["signUp"] == {
        "token": None,
        "errors": [
            {
                "field": ["input", "password"],
                "code": "INVALID",
                "message": "password must be 10 to 256 characters long.",
            }
        ],
    }


async def test_a_limit_keeps_its_message_in_production() -> None:
    query = "query Long { " + "__typename " * 3000 + "}"
    async with app_client(**PRODUCTION) as http:
        response = await http.post("/graphql", json={"query": query})

    error = only_error(response, 200, "TOKEN_LIMIT_EXCEEDED")
    assert (
        error["message"]
        == "The document has more than 2,000 tokens, the limit (it was not read further)."
    )


def test_production_without_a_secret_key_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY must be set"):
        Settings.from_env({"GROUPQL_ENV": "production"})
    monkeypatch.setenv("GROUPQL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        create_app()


def test_production_with_a_secret_key_is_locked_down_by_default() -> None:
    settings = Settings.from_env({"GROUPQL_ENV": "production", "SECRET_KEY": "s3cret"})

    assert (settings.production, settings.introspection, settings.cors_origins) == (
        True,
        False,
        (),
    )
    assert settings.secret_key_file is None
