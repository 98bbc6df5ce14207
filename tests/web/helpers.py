"""What the HTTP tests share: the app with no database behind it, and reading one refusal."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from server import create_app
from tests.conftest import settings_for
from tests.helpers import client_for
from web.logs import json_formatter

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def app_client(**overrides: Any) -> httpx.AsyncClient:
    """The app as `overrides` configure it, with no database: for what answers before one."""
    return client_for(create_app(settings_for("sqlite://:memory:", **overrides)))


def only_error(
    response: httpx.Response, status: int, code: str, media_type: str = JSON
) -> dict[str, Any]:
    """The one error of a response that executed nothing (no `data`), checked and returned."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == media_type, response.headers
    body = response.json()
    assert "data" not in body, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == code, error
    assert isinstance(error["message"], str)
    result: dict[str, Any] = error
    return result


def log_lines(caplog: pytest.LogCaptureFixture, name: str = "groupql.requests") -> list[Any]:
    """The lines `name` logged, each as the one JSON object it is written as."""
    formatter = json_formatter()
    return [
        orjson.loads(formatter.format(record)) for record in caplog.records if record.name == name
    ]


def nested(levels: int) -> str:
    """A selection `levels` deep (comments and replies under the group page): for the depth
    limit."""
    inner = "body"
    for _ in range((levels - 6) // 2):
        inner = f"replies(first: 1) {{ nodes {{ {inner} }} }}"
    comments = f"comments(first: 1) {{ nodes {{ {inner} }} }}"
    return f'group(slug: "x") {{ articles(first: 1) {{ nodes {{ {comments} }} }} }}'
