"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/), as served here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest
from tortoise.context import TortoiseContext

from models import Member
from tests import factories
from tests.web.helpers import GRAPHQL_RESPONSE, JSON, app_client, only_error

GROUPS = "query Groups($first: Int) { groups(first: $first) { totalCount nodes { slug } } }"
TYPENAME = "query Typename { __typename }"
TWO_QUERIES = GROUPS + "\n" + TYPENAME
SIGN_UP = """
mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token errors { code } } }
"""
QUERY_AND_MUTATION = TYPENAME + "\n" + SIGN_UP
SIGN_UP_INLINE = """
mutation SignUp {
  signUp(input: {name: "Sam", email: "sam@example.org", password: "portland-maine-2023"}) {
    token errors { code }
  }
}
"""
SIGN_UP_JSON = orjson.dumps({"query": SIGN_UP_INLINE})
SAM = {"name": "Sam Harrison", "email": "sam@example.org", "password": "portland-maine-2023"}
GROUP_ARTICLES = """
query GroupArticles($slug: String!, $first: Int) {
  group(slug: $slug) { name articles(first: $first) { totalCount } }
}
"""
GROUPS_AND_ARTICLES = """
query GroupsAndArticles {
  groups(first: 3) { nodes { slug articles(first: 2) { totalCount } } }
}
"""

# Requests that are well-formed GraphQL-over-HTTP but cannot be executed.
REQUEST_ERRORS = [
    pytest.param({"query": "query Broken { groups("}, "GRAPHQL_PARSE_FAILED", id="parse"),
    pytest.param({"query": "query Unknown { nope }"}, "GRAPHQL_VALIDATION_FAILED", id="validation"),
    pytest.param(
        {"query": GROUPS, "variables": {"first": "three"}}, "BAD_USER_INPUT", id="variable-type"
    ),
    pytest.param({"query": GROUPS, "operationName": "Missing"}, "BAD_REQUEST", id="operation-name"),
    pytest.param(
        {"query": "fragment F on Query { __typename }"},
        "GRAPHQL_VALIDATION_FAILED",  # the fragment is never used: validation says so first
        id="no-operation",
    ),
]


async def two_groups() -> None:
    await factories.group(slug="older")
    await factories.group(slug="newer", created_at=factories.EPOCH + timedelta(days=1))


async def test_get_runs_the_named_operation_with_its_variables(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    await two_groups()

    response = await client.get(
        "/graphql",
        params={"query": TWO_QUERIES, "variables": '{"first": 1}', "operationName": "Groups"},
    )

    assert (response.status_code, response.headers["content-type"]) == (200, JSON)
    assert response.json()["data"] == {"groups": {"totalCount": 2, "nodes": [{"slug": "newer"}]}}


async def test_get_runs_the_other_operation_when_it_is_named() -> None:
    async with app_client() as http:
        response = await http.get(
            "/graphql", params={"query": TWO_QUERIES, "operationName": "Typename"}
        )

    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


async def test_get_refuses_the_mutation_named_in_a_document_with_a_query(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    response = await client.get(
        "/graphql",
        params={
            "query": QUERY_AND_MUTATION,
            "variables": orjson.dumps({"input": SAM}).decode(),
            "operationName": "SignUp",
        },
    )

    error = only_error(response, 405, "METHOD_NOT_ALLOWED")
    assert error["message"] == "Mutations are sent with POST; GET runs queries only."
    assert response.headers["allow"] == "POST"
    assert await Member.all().count() == 0


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ('{"first": ', "variables is not valid JSON."),
        ("[1]", "variables must be an object (or null)."),
        ('"{}"', "variables must be an object (or null)."),
    ],
)
async def test_get_variables_must_be_a_json_object(variables: str, message: str) -> None:
    async with app_client() as http:
        response = await http.get("/graphql", params={"query": GROUPS, "variables": variables})

    assert only_error(response, 400, "BAD_REQUEST")["message"] == message


async def test_get_without_a_query_is_400() -> None:
    async with app_client() as http:
        response = await http.get("/graphql", params={"operationName": "Typename"})

    assert only_error(response, 400, "BAD_REQUEST")["message"] == (
        "The request has no query (a string)."
    )


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/json;charset=UTF-8"]
)
async def test_post_accepts_json_with_a_charset(content_type: str) -> None:
    async with app_client() as http:
        response = await http.post(
            "/graphql",
            content=orjson.dumps({"query": TYPENAME}),
            headers={"content-type": content_type},
        )

    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"data": {"query": SIGN_UP_INLINE}}, id="form"),
        pytest.param(
            {"content": SIGN_UP_JSON, "headers": {"content-type": "text/plain"}}, id="text"
        ),
        pytest.param({"files": {"operations": (None, SIGN_UP_JSON, JSON)}}, id="multipart"),
        pytest.param(
            {
                "content": SIGN_UP_INLINE.encode(),
                "headers": {"content-type": "application/graphql"},
            },
            id="graphql",
        ),
        pytest.param({"content": SIGN_UP_JSON}, id="no-content-type"),
    ],
)
async def test_post_bodies_other_than_json_are_415_and_change_nothing(
    db: TortoiseContext, client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await client.post("/graphql", **body)

    error = only_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert "application/json" in error["message"]
    assert await Member.all().count() == 0


async def test_the_same_mutation_posted_as_json_signs_up(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    response = await client.post("/graphql", content=SIGN_UP_JSON, headers={"content-type": JSON})

    assert response.json()["data"]["signUp"]["errors"] == []
    assert await Member.all().count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b'{"query": ', "The request body is not valid JSON.", id="truncated"),
        pytest.param(b"\xff\xfe", "The request body is not valid JSON.", id="not-utf8"),
        pytest.param(
            b'[{"query": "query A { __typename }"}, {"query": "query B { __typename }"}]',
            "Batching is not supported: send one operation.",
            id="batch",
        ),
        pytest.param(b'"query A { __typename }"', "The request must be a JSON object.", id="str"),
        pytest.param(b'{"query": 5}', "The request has no query (a string).", id="query-int"),
        pytest.param(b'{"query": null}', "The request has no query (a string).", id="query-null"),
        pytest.param(
            b'{"query": ["query A { __typename }"]}',
            "The request has no query (a string).",
            id="query-list",
        ),
        pytest.param(b'{"query": "  "}', "The request has no query (a string).", id="blank"),
        pytest.param(
            b'{"query": "query A { __typename }", "variables": []}',
            "variables must be an object (or null).",
            id="variables-list",
        ),
        pytest.param(
            b'{"query": "query A { __typename }", "variables": "{}"}',
            "variables must be an object (or null).",
            id="variables-string",
        ),
        pytest.param(
            b'{"query": "query A { __typename }", "operationName": 5}',
            "operationName must be a string (or null).",
            id="operation-name-int",
        ),
        pytest.param(
            b'{"query": "query A { __typename }", "operationName": ["A"]}',
            "operationName must be a string (or null).",
            id="operation-name-list",
        ),
    ],
)
@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE])
async def test_a_malformed_request_is_400_whatever_is_accepted(
    content: bytes, message: str, accept: str
) -> None:
    async with app_client() as http:
        response = await http.post(
            "/graphql", content=content, headers={"content-type": JSON, "accept": accept}
        )

    assert only_error(response, 400, "BAD_REQUEST", accept)["message"] == message


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_other_methods_are_405_allowing_get_and_post(method: str) -> None:
    async with app_client() as http:
        response = await http.request(method, "/graphql", json={"query": TYPENAME})

    error = only_error(response, 405, "METHOD_NOT_ALLOWED")
    assert error["message"] == "GraphQL is served over GET (queries) and POST."
    assert response.headers["allow"] == "GET, POST"


async def test_graphql_response_json_is_answered_in_kind() -> None:
    async with app_client() as http:
        response = await http.post(
            "/graphql", json={"query": TYPENAME}, headers={"accept": GRAPHQL_RESPONSE}
        )

    assert (response.status_code, response.headers["content-type"]) == (200, GRAPHQL_RESPONSE)
    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize(("body", "code"), REQUEST_ERRORS)
async def test_request_errors_are_400_without_data_for_graphql_response_json(
    body: dict[str, Any], code: str
) -> None:
    async with app_client() as http:
        response = await http.post("/graphql", json=body, headers={"accept": GRAPHQL_RESPONSE})

    only_error(response, 400, code, GRAPHQL_RESPONSE)


@pytest.mark.parametrize(("body", "code"), REQUEST_ERRORS)
@pytest.mark.parametrize("accept", [{"accept": JSON}, {"accept": "*/*"}, {}])
async def test_request_errors_are_200_for_application_json(
    body: dict[str, Any], code: str, accept: dict[str, str]
) -> None:
    async with app_client() as http:
        response = await http.post("/graphql", json=body, headers=accept)

    only_error(response, 200, code, JSON)


async def test_a_request_error_over_get_is_400_for_graphql_response_json() -> None:
    async with app_client() as http:
        response = await http.get(
            "/graphql",
            params={"query": TYPENAME, "operationName": "Missing"},
            headers={"accept": GRAPHQL_RESPONSE},
        )

    error = only_error(response, 400, "BAD_REQUEST", GRAPHQL_RESPONSE)
    assert error["message"] == "The document has no operation named 'Missing'."


@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE])
async def test_a_field_error_is_200_with_data(
    db: TortoiseContext, client: httpx.AsyncClient, accept: str
) -> None:
    await factories.group(slug="muscle-weakness-ms")

    response = await client.post(
        "/graphql",
        json={"query": GROUP_ARTICLES, "variables": {"slug": "muscle-weakness-ms", "first": 500}},
        headers={"accept": accept},
    )

    assert (response.status_code, response.headers["content-type"]) == (200, accept)
    body = response.json()
    assert body["data"] == {"group": None}
    [error] = body["errors"]
    assert error["path"] == ["group", "articles"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}
    assert error["message"] == "`first` must be between 0 and 100, got 500."


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/json;q=1, application/graphql-response+json;q=0.5", JSON),
        ("application/json;q=0.5, application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/graphql-response+json;q=0.9, application/json;q=0.8", GRAPHQL_RESPONSE),
        ("application/graphql-response+json, application/json", GRAPHQL_RESPONSE),
        ("application/json, application/graphql-response+json", JSON),
        ("application/graphql-response+json; charset=utf-8", GRAPHQL_RESPONSE),
        ("Application/GraphQL-Response+JSON", GRAPHQL_RESPONSE),
        ("application/graphql-response+json;q=0", JSON),
        ("application/graphql-response+json;q=0, */*", JSON),
        ("text/html, */*;q=0.1, application/graphql-response+json;q=0.2", GRAPHQL_RESPONSE),
        ("application/*", JSON),
        ("text/html", JSON),
    ],
)
async def test_accept_q_values_are_honoured(accept: str, media_type: str) -> None:
    async with app_client() as http:
        response = await http.post(
            "/graphql", json={"query": "query Broken {"}, headers={"accept": accept}
        )

    only_error(
        response, 400 if media_type == GRAPHQL_RESPONSE else 200, "GRAPHQL_PARSE_FAILED", media_type
    )


async def test_responses_report_their_cost(db: TortoiseContext, client: httpx.AsyncClient) -> None:
    await two_groups()

    response = await client.post("/graphql", json={"query": GROUPS_AND_ARTICLES})

    body = response.json()
    assert "errors" not in body, body
    # 3 groups, and 2 articles for each of them.
    assert body["extensions"] == {"cost": {"requested": 9, "limit": 10_000}}


async def test_a_field_error_reports_its_cost_too(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    await factories.group(slug="muscle-weakness-ms")

    response = await client.post(
        "/graphql",
        json={"query": GROUP_ARTICLES, "variables": {"slug": "muscle-weakness-ms", "first": 500}},
    )

    assert response.json()["extensions"] == {"cost": {"requested": 500, "limit": 10_000}}


def padded(size: int) -> bytes:
    """A valid request of exactly `size` bytes (an unused variable makes up the length)."""
    empty = orjson.dumps({"query": TYPENAME, "variables": {"pad": ""}})
    body = orjson.dumps({"query": TYPENAME, "variables": {"pad": "x" * (size - len(empty))}})
    assert len(body) == size
    return body


@pytest.mark.parametrize(
    ("size", "status"), [(1024, 200), (1025, 413)], ids=["at-the-limit", "one-byte-over"]
)
async def test_a_body_over_max_body_bytes_is_413(size: int, status: int) -> None:
    async with app_client(max_body_bytes=1024) as http:
        response = await http.post("/graphql", content=padded(size), headers={"content-type": JSON})

    if status == 200:
        assert (response.status_code, response.json()["data"]) == (200, {"__typename": "Query"})
    else:
        error = only_error(response, 413, "REQUEST_TOO_LARGE")
        assert error["message"] == "The request body exceeds 1024 bytes."
