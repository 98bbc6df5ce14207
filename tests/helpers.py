"""What most tests do: send a named GraphQL operation and read the answer."""

from __future__ import annotations

from typing import Any

import httpx


async def execute(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """POST one operation; return the whole JSON body (data and errors)."""
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, **kwargs
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def data_of(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """POST one operation that must succeed; return its `data`."""
    body = await execute(client, query, variables, **kwargs)
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


async def error_of(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """POST one operation that must fail with exactly one error; return that error."""
    body = await execute(client, query, variables, **kwargs)
    assert len(body.get("errors", [])) == 1, body
    error: dict[str, Any] = body["errors"][0]
    return error


def client_for(app: Any, address: str = "203.0.113.7") -> httpx.AsyncClient:
    """An HTTP client for `app` served in-process, as if from `address`."""
    transport = httpx.ASGITransport(app=app, client=(address, 4321))
    return httpx.AsyncClient(transport=transport, base_url="http://groupql.test")
