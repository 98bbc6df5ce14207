"""Every GraphQL request leaves one log line, one JSON object, and no secret in it."""

from __future__ import annotations

import logging

import httpx
import orjson
import pytest
from tortoise.context import TortoiseContext

from demo.seed import SEED_GROUP_SLUG, seed_if_empty
from server import GROUP_PAGE_QUERY
from tests import factories
from tests.web.helpers import log_lines
from web.logs import configure_logging


async def test_a_request_logs_operation_duration_cost_and_status(
    db: TortoiseContext, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    await seed_if_empty()

    with caplog.at_level(logging.INFO, logger="groupql.requests"):
        await client.post(
            "/graphql",
            json={
                "query": GROUP_PAGE_QUERY,
                "variables": {"slug": SEED_GROUP_SLUG},
                "operationName": "GroupPage",
            },
        )

    [line] = log_lines(caplog)
    assert line["operation"] == "GroupPage"
    assert (line["method"], line["path"], line["status"]) == ("POST", "/graphql", 200)
    assert line["cost"] == 80
    assert line["error_ids"] == []
    assert line["duration_ms"] > 0


async def test_the_operation_is_named_from_the_document_without_operation_name(
    db: TortoiseContext, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    await seed_if_empty()

    with caplog.at_level(logging.INFO, logger="groupql.requests"):
        await client.post(
            "/graphql", json={"query": GROUP_PAGE_QUERY, "variables": {"slug": SEED_GROUP_SLUG}}
        )
        await client.post("/graphql", json={"query": "{ groups { totalCount } }"})

    named, anonymous = log_lines(caplog)
    assert named["operation"] == "GroupPage"
    assert anonymous["operation"] is None


@pytest.mark.own_database
async def test_an_unexpected_error_logs_its_id(
    db: TortoiseContext, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        await db.db().execute_script("ALTER TABLE groups RENAME TO groups_gone")
        try:
            body = (
                await client.post("/graphql", json={"query": "query G { groups { totalCount } }"})
            ).json()
        finally:
            await db.db().execute_script("ALTER TABLE groups_gone RENAME TO groups")

    error_id = body["errors"][0]["extensions"]["errorId"]
    [line] = log_lines(caplog)
    assert line["error_ids"] == [error_id]
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)


SIGN_IN = "mutation SignIn($input: SignInInput!) { signIn(input: $input) { token } }"


async def test_no_token_variable_or_password_is_logged(
    db: TortoiseContext, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    await seed_if_empty()
    token = await factories.token(await factories.member("Secretive"))
    secret_input = {"email": "sam@example.org", "password": "the-secret-password-42"}

    with caplog.at_level(logging.DEBUG):
        await client.post(
            "/graphql",
            json={
                "query": SIGN_IN,
                "variables": {"input": secret_input},
            },
            headers=factories.bearer(token),
        )

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert log_lines(caplog)[0]["signed_in"] is True
    assert token not in logged
    assert "the-secret-password-42" not in logged


async def test_each_line_is_one_json_object_with_the_fields_as_keys(
    db: TortoiseContext, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="groupql.requests"):
        await client.post("/graphql", json={"query": "query Count { groups { totalCount } }"})
        await client.post("/graphql", content=b"query=x", headers={"content-type": "text/plain"})

    executed, refused = log_lines(caplog)
    assert executed["timestamp"].endswith("+00:00")
    assert (executed["level"], executed["logger"]) == ("INFO", "groupql.requests")
    assert executed["message"] == "http Count 200"
    assert (executed["transport"], executed["operation"], executed["signed_in"]) == (
        "http",
        "Count",
        False,
    )
    assert (refused["message"], refused["status"], refused["method"]) == (
        "http anonymous 415",
        415,
        "POST",
    )


def test_configured_logging_writes_every_logger_as_json_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", root.level)
    groupql = logging.getLogger("groupql")
    monkeypatch.setattr(groupql, "level", groupql.level)

    configure_logging("INFO")
    logging.getLogger("groupql.requests").info("one", extra={"status": 200})
    # Any library's logger (not uvicorn's: a uvicorn started earlier in this process leaves
    # its loggers at its own levels).
    logging.getLogger("a.library").warning("two\nlines")
    logging.getLogger("groupql").debug("not at INFO")

    lines = capsys.readouterr().err.splitlines()
    assert [orjson.loads(line)["message"] for line in lines] == ["one", "two\nlines"]
    assert orjson.loads(lines[0])["status"] == 200
    assert orjson.loads(lines[1])["level"] == "WARNING"
