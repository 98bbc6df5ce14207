"""Retried comments are stored exactly once while PostgreSQL restarts under load.

A real uvicorn on a PostgreSQL cluster of the test's own; a client adds
comments, each logical comment with its own key, retrying on any error until
it gets a definitive answer; the cluster restarts several times meanwhile.
Without keys, such a load stored 2 of 3,072 comments twice (issue 8); this
test without them found duplicates in each of four runs (a comment committed,
then its answer lost while reading it back).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tests.conftest import TEST_SECRET_KEY
from tests.servers import PostgresCluster, free_port, postgres_cluster

PROJECT_DIR = Path(__file__).resolve().parents[3]
COMMENTS = 150
WORKERS = 6
RESTARTS = 3
GIVE_UP_SECONDS = 40

ADD_COMMENT = """
mutation AddComment($input: AddCommentInput!) {
  addComment(input: $input) { comment { id body } errors { code message } }
}
"""
CREATE_GROUP = """
mutation CreateGroup($input: CreateGroupInput!) {
  createGroup(input: $input) { group { id } errors { code } }
}
"""
CREATE_ARTICLE = """
mutation CreateArticle($input: CreateArticleInput!) {
  createArticle(input: $input) { article { id } errors { code } }
}
"""


async def execute(url: str, sql: str) -> list[Any]:
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        return list(await connection.fetch(sql))
    finally:
        await connection.close()


@contextmanager
def uvicorn(env: dict[str, str], log: Path) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "server:app", "--port", str(port)]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=output, stderr=output)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    if httpx.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
            yield f"{base}/graphql"
        finally:
            process.terminate()
            process.wait(timeout=15)


def graphql(url: str, token: str, query: str, fields: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        url,
        json={"query": query, "variables": {"input": fields}},
        headers={"authorization": f"Bearer {token}"},
    )
    data: dict[str, Any] = response.json()["data"]
    return data


class Load:
    """Logical comments, each retried with its own key until it gets a definitive answer."""

    def __init__(self, url: str, token: str, article_id: str) -> None:
        self.url, self.article_id = url, article_id
        self.headers = {"authorization": f"Bearer {token}"}
        self.queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(COMMENTS):
            self.queue.put_nowait(n)
        self.answers: dict[int, dict[str, Any]] = {}
        self.failed_attempts = 0
        self.progress = asyncio.Condition()

    async def worker(self, client: httpx.AsyncClient) -> None:
        while not self.queue.empty():
            n = self.queue.get_nowait()
            self.answers[n] = await self.add(client, n)
            async with self.progress:
                self.progress.notify_all()

    async def add(self, client: httpx.AsyncClient, n: int) -> dict[str, Any]:
        fields = {
            "articleId": self.article_id,
            "body": f"Comment {n}",
            "clientMutationId": str(uuid.uuid4()),
        }
        while True:
            try:
                response = await client.post(
                    self.url,
                    json={"query": ADD_COMMENT, "variables": {"input": fields}},
                    headers=self.headers,
                )
                payload = (response.json().get("data") or {}).get("addComment")
                if response.status_code == 200 and payload is not None:
                    definitive: dict[str, Any] = payload  # a comment, or a typed refusal
                    return definitive
            except (httpx.HTTPError, ValueError):
                pass  # refused connection, lost answer, a body that is not JSON: retry
            self.failed_attempts += 1
            await asyncio.sleep(0.05)

    async def restarter(self, cluster: PostgresCluster) -> None:
        for restart in range(1, RESTARTS + 1):
            await self.answered(restart * COMMENTS // (RESTARTS + 1))
            await asyncio.to_thread(cluster.restart)

    async def answered(self, count: int) -> None:
        async with self.progress:
            await self.progress.wait_for(lambda: len(self.answers) >= count)

    async def run(self, cluster: PostgresCluster) -> None:
        async with httpx.AsyncClient(timeout=5) as client:
            workers = [self.worker(client) for _ in range(WORKERS)]
            try:
                await asyncio.wait_for(
                    asyncio.gather(self.restarter(cluster), *workers), GIVE_UP_SECONDS
                )
            except TimeoutError:
                raise AssertionError(
                    f"gave up after {GIVE_UP_SECONDS} s: {len(self.answers)} of {COMMENTS} "
                    f"comments answered, {self.failed_attempts} failed attempts"
                ) from None


def test_retried_comments_are_stored_once_across_postgres_restarts(tmp_path: Path) -> None:
    with postgres_cluster() as cluster:
        asyncio.run(execute(cluster.url, "CREATE DATABASE groupql"))
        env = {
            **os.environ,
            "DATABASE_URL": cluster.url_of("groupql"),
            "SECRET_KEY": TEST_SECRET_KEY,
            "RATE_LIMITS": "off",
            "LOG_LEVEL": "ERROR",
            "DB_POOL_SIZE": "8",
        }
        env.pop("REDIS_URL", None)
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate"], cwd=PROJECT_DIR, env=env, check=True, timeout=120)
        token = subprocess.run(
            [*manage, "create-member", "--name", "Load Bot"],
            cwd=PROJECT_DIR,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.strip()
        with uvicorn(env, tmp_path / "server.log") as url:
            group = graphql(url, token, CREATE_GROUP, {"name": "Load"})["createGroup"]
            fields = {"groupId": group["group"]["id"], "title": "Under load", "body": "Words."}
            article = graphql(url, token, CREATE_ARTICLE, fields)["createArticle"]
            load = Load(url, token, article["article"]["id"])
            started = time.monotonic()
            asyncio.run(load.run(cluster))
            took = time.monotonic() - started

        stored = asyncio.run(
            execute(cluster.url_of("groupql"), "SELECT id, body FROM comments ORDER BY id")
        )
        [article_row] = asyncio.run(
            execute(cluster.url_of("groupql"), "SELECT comment_count FROM articles")
        )

    refused = {n: answer for n, answer in load.answers.items() if answer["errors"]}
    assert refused == {}
    bodies = [row["body"] for row in stored]
    assert len(bodies) - len(set(bodies)) == 0, "a comment was stored twice"
    assert sorted(bodies) == sorted(f"Comment {n}" for n in range(COMMENTS)), "a comment was lost"
    answered = {
        answer["comment"]["body"]: answer["comment"]["id"] for answer in load.answers.values()
    }
    assert len(answered) == COMMENTS
    assert article_row["comment_count"] == COMMENTS
    assert load.failed_attempts > 0, f"no request failed in {took:.1f} s: the restarts missed"
