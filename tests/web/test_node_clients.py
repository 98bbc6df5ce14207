"""Node's `graphql-ws` and `graphql-sse` clients (tests/clients/subscribe.mjs, the README's
createClient calls) against a real uvicorn: the first state and one update over each, and a
refusal's error code; and Apollo Client's persisted-query link (tests/clients/persisted.mjs).
Skipped without Node.js and npm; under CI, failed."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest
from tortoise.context import TortoiseContext

from engine.persisted import MemoryDocuments
from models import Article
from server import create_app
from settings import Settings
from tests import factories
from tests.conftest import Clock
from tests.factories import global_id
from tests.servers import missing
from tests.web.servers import serving_live

CLIENTS = Path(__file__).resolve().parent.parent / "clients"
NODE_SECONDS = 60


@pytest.fixture(scope="session")
def node_clients() -> Path:
    """tests/clients with its packages installed from the lock file (once, then again only
    when the lock file changes)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing("Node.js (node and npm)")
    installed = CLIENTS / "node_modules" / ".package-lock.json"
    lock = CLIENTS / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=CLIENTS,
            check=True,
            timeout=300,
        )
    return CLIENTS


async def run_node(
    clients: Path, config: dict[str, Any], script: str = "subscribe.mjs"
) -> dict[str, Any]:
    node = shutil.which("node")
    assert node is not None
    process = await asyncio.create_subprocess_exec(
        node,
        script,
        orjson.dumps(config).decode(),
        cwd=clients,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), NODE_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode == 0, err.decode()
    received: dict[str, Any] = orjson.loads(out)
    return received


async def test_graphql_ws_and_graphql_sse_subscribe_from_node(
    node_clients: Path, db: TortoiseContext, settings: Settings, clock: Clock
) -> None:
    reader = await factories.member("Reader")
    article: Article = await factories.article(await factories.group(), reader, views=41)
    token = await factories.token(reader)
    async with serving_live(create_app(settings, clock=clock)) as address:
        received = await run_node(
            node_clients,
            {
                "url": f"http://{address}/graphql",
                "articleId": global_id(article),
                "token": token,
                "unknownId": "QXJ0aWNsZTo5OTk",
            },
        )

    assert received == {
        "graphqlWs": [41, 42],
        "graphqlSse": [42, 43],
        "graphqlWsRefused": "NOT_FOUND",
        "graphqlSseRefused": "NOT_FOUND",
        "graphqlWsBogusTokenClose": 4403,
    }
    assert (await Article.get(id=article.id)).views == 43


async def test_apollos_persisted_query_link_sends_the_query_once_then_only_its_hash(
    node_clients: Path, db: TortoiseContext, settings: Settings, clock: Clock
) -> None:
    group = await factories.group()
    store = MemoryDocuments()
    async with serving_live(create_app(settings, clock=clock, persisted=store)) as address:
        received = await run_node(
            node_clients, {"url": f"http://{address}/graphql", "slug": group.slug}, "persisted.mjs"
        )

    name = {"__typename": "Group", "name": "Muscle Weakness & MS"}
    members = {"__typename": "Group", "memberCount": 0}
    assert received["post"] == [name, name]
    assert received["get"] == [members, members]
    not_found = "PERSISTED_QUERY_NOT_FOUND"
    assert received["requests"] == [
        {"method": "POST", "query": False, "hash": True, "code": not_found},
        {"method": "POST", "query": True, "hash": True, "code": None},
        {"method": "POST", "query": False, "hash": True, "code": None},
        {"method": "GET", "query": False, "hash": True, "code": not_found},
        {"method": "POST", "query": True, "hash": True, "code": None},
        {"method": "GET", "query": False, "hash": True, "code": None},
    ]
    assert len(store.kept) == 2
