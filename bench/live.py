"""`make bench-live`: N subscribers over WebSocket on `uvicorn server:app --workers 2` with
Redis, on PostgreSQL, watching `articleChanged` for the articles of a few groups while a writer
records views over HTTP at a fixed rate.

Steps: recreate and fill the database (`demo.bulk`, small sizes: only a few groups are
watched); start a Redis of its own and the server; connect the subscribers from
BENCH_LIVE_CLIENTS processes (`bench.live_clients`), each waiting for its first state; record
views for BENCH_LIVE_SECONDS; wait until every subscriber's last values equal the database's
(or give up after SETTLE_SECONDS); print latency, throughput, CPU and memory, and write them
to bench/results/live-latest.md.

Latency is measured from the moment the writer sent a view to the first receipt, by each
subscriber watching that article, of a state with at least the views that write made: an
upper bound of commit-to-receipt (it includes the write's own round trip, reported apart),
on one clock (`time.time()`, every process on this machine).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

from bench import database, live_clients, machine, procfs, report, servers
from demo.bulk import Sizes

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/groupql_bench_live"
SIZES = Sizes(members=2_000, groups=20, articles=2_000, comments=2_000, threads=2)
SETTLE_SECONDS = 20.0
RECORD_VIEW = (
    "mutation RecordView($input: RecordArticleViewInput!) "
    "{ recordArticleView(input: $input) { counted article { views } } }"
)
WATCHED = (
    "SELECT a.id, a.group_id FROM articles a JOIN groups g ON g.id = a.group_id "
    "WHERE g.privacy = 'PUBLIC' AND a.deleted_at IS NULL ORDER BY a.group_id, a.id"
)


@dataclass(frozen=True, slots=True)
class Options:
    database_url: str = DEFAULT_DATABASE_URL
    subscribers: int = 10_000
    rate: int = (
        4  # views a second: one per watched group, so each subscriber gets up to 1 event a second
    )
    seconds: int = 30
    groups: int = 4
    articles: int = 10  # per subscription: a group page's first articles
    clients: int = 2  # client processes
    workers: int = 2

    @classmethod
    def from_env(cls) -> Options:
        def number(name: str, default: int) -> int:
            raw = os.environ.get(f"BENCH_LIVE_{name}") or str(default)
            if not raw.isdigit() or int(raw) < 1:
                raise SystemExit(f"BENCH_LIVE_{name} must be a positive integer, got {raw!r}")
            return int(raw)

        d = cls()
        return cls(
            database_url=os.environ.get("BENCH_LIVE_DATABASE_URL") or DEFAULT_DATABASE_URL,
            subscribers=number("SUBSCRIBERS", d.subscribers),
            rate=number("RATE", d.rate),
            seconds=number("SECONDS", d.seconds),
            groups=number("GROUPS", d.groups),
            articles=number("ARTICLES", d.articles),
            clients=number("CLIENTS", d.clients),
            workers=number("WORKERS", d.workers),
        )


async def watched_articles(url: str, groups: int, articles: int) -> list[tuple[int, ...]]:
    """The first `articles` articles of each of the first `groups` public groups."""
    connection = await database.connect(url)
    try:
        rows = await connection.fetch(WATCHED)
    finally:
        await connection.close()
    by_group: dict[int, list[int]] = {}
    for row in rows:
        by_group.setdefault(row["group_id"], []).append(row["id"])
    chosen = [tuple(ids[:articles]) for ids in list(by_group.values())[:groups]]
    if len(chosen) < groups or any(len(ids) < articles for ids in chosen):
        raise SystemExit(f"the data has fewer than {groups} groups of {articles} articles")
    return chosen


class Redis:
    """A redis-server of the benchmark's own, on a free loopback port."""

    def __init__(self) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise SystemExit("make bench-live needs redis-server: apt-get install -y redis-server")
        self.port = servers.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command
            [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while socket.socket().connect_ex(("127.0.0.1", self.port)) != 0:
            if time.monotonic() > deadline:
                raise SystemExit("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        servers.stop(self.process)


def uvicorn_workers(workers: int) -> servers.Command:
    def command(port: int) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", "server:app", "--host", servers.HOST,
            "--port", str(port), "--workers", str(workers), "--log-level", "warning",
            "--backlog", "4096",
        ]  # fmt: skip

    return command


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


async def worker_pids(supervisor: int, workers: int) -> list[int]:
    for _ in range(100):
        pids = [pid for pid in children(supervisor) if procfs.command_name(pid) != "sh"]
        if len(pids) >= workers:
            return pids
        await asyncio.sleep(0.1)
    raise SystemExit(f"uvicorn started {len(children(supervisor))} workers, not {workers}")


def rss(pids: Sequence[int]) -> float:
    return sum(procfs.rss_megabytes(pid) or 0.0 for pid in pids)


def cpu(pids: Sequence[int]) -> float:
    return sum(procfs.cpu_seconds(pid) or 0.0 for pid in pids)


class Clients:
    """The subscriber processes, each with its share of the subscriptions."""

    def __init__(self, url: str, watched: list[tuple[int, ...]], options: Options) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.processes = []
        for n in range(options.clients):
            share = [
                watched[i % len(watched)] for i in range(n, options.subscribers, options.clients)
            ]
            mine, theirs = context.Pipe()
            process = context.Process(target=live_clients.main, args=(theirs, url, share))
            process.start()
            self.pipes.append(mine)
            self.processes.append(process)

    async def ask(self, command: str, argument: Any = None) -> list[Any]:
        loop = asyncio.get_running_loop()
        for pipe in self.pipes:
            pipe.send((command, argument))
        return [await loop.run_in_executor(None, pipe.recv) for pipe in self.pipes]

    async def connected(self) -> list[Any]:
        loop = asyncio.get_running_loop()
        return [await loop.run_in_executor(None, pipe.recv) for pipe in self.pipes]

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.ask("stop"), 30)
        finally:
            for process in self.processes:
                process.join(5)
                if process.is_alive():
                    process.kill()


async def write_views(
    url: str, articles: Sequence[int], rate: int, seconds: int
) -> tuple[dict[tuple[int, int], float], list[float], int]:
    """`rate` views a second for `seconds`, each to a random watched article by a new viewer:
    (article, views after it) -> when it was sent; the round trips; the failures."""
    writes: dict[tuple[int, int], float] = {}
    trips: list[float] = []
    failures = 0
    chooser = random.Random(20231016)  # noqa: S311 - which article, not a secret

    async def one(http: httpx.AsyncClient, article: int) -> None:
        nonlocal failures
        variables = {
            "input": {
                "articleId": live_clients.global_id(article),
                "viewerKey": secrets.token_hex(8),
            }
        }
        sent = time.time()
        try:
            answer = (
                await http.post("/graphql", json={"query": RECORD_VIEW, "variables": variables})
            ).json()
            views = answer["data"]["recordArticleView"]["article"]["views"]
        except (httpx.HTTPError, KeyError, TypeError, ValueError):
            failures += 1
            return
        trips.append(time.time() - sent)
        writes.setdefault((article, views), sent)

    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        started = time.monotonic()
        tasks = []
        for n in range(rate * seconds):
            await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
            tasks.append(asyncio.create_task(one(http, chooser.choice(articles))))
        await asyncio.gather(*tasks)
    return writes, trips, failures


async def database_views(url: str, articles: Sequence[int]) -> dict[int, int]:
    connection = await database.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT id, views FROM articles WHERE id = ANY($1)", list(articles)
        )
    finally:
        await connection.close()
    return {row["id"]: row["views"] for row in rows}


async def unwatched(url: str, articles: Sequence[int]) -> int:
    connection = await database.connect(url)
    try:
        found: int = await connection.fetchval(
            "SELECT id FROM articles WHERE id <> ALL($1) AND deleted_at IS NULL LIMIT 1",
            list(articles),
        )
    finally:
        await connection.close()
    return found


def percentile(ordered: Sequence[float], fraction: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def bench(options: Options) -> list[tuple[str, str]]:
    live_clients.raise_file_limit()  # the servers inherit it
    url = options.database_url
    load = os.getloadavg()[0]
    busy = await machine.busy_percent(2.0)
    secret_key = secrets.token_hex(32)
    await database.recreate(url)
    print(f"loading {SIZES} into {url} ...", flush=True)
    print(
        f"loaded in {await database.load(database.settings_for(url, secret_key), SIZES):.1f} s",
        flush=True,
    )
    await database.settle(url)
    watched = await watched_articles(url, options.groups, options.articles)
    articles = sorted({a for ids in watched for a in ids})
    redis = Redis()
    environ = {
        "DATABASE_URL": url,
        "SECRET_KEY": secret_key,
        "REDIS_URL": redis.url,
        "RATE_LIMITS": "off",  # one address sends every subscription and view here
        "LOG_LEVEL": "WARNING",  # no request log lines (as `make bench`)
        "LIVE_MAX_CONNECTIONS_PER_ADDRESS": str(options.subscribers + 100),
        "PRUNE_INTERVAL_SECONDS": "0",
    }
    log = report.RESULTS_DIR / "live-server.log"
    try:
        async with servers.serve(
            "groupql", uvicorn_workers(options.workers), environ, log, "/readyz", cpu=None
        ) as server:
            pids = await worker_pids(server.pid, options.workers)
            before_rss = rss(pids)
            ws_url = server.url.replace("http://", "ws://") + "/graphql"
            print(f"connecting {options.subscribers} subscribers ...", flush=True)
            clients = Clients(ws_url, watched, options)
            try:
                connected = await clients.connected()
                connect_seconds = max(c[1] for c in connected)
                failed = sum(c[2] for c in connected)
                reasons = sorted({reason for c in connected for reason in c[3]})
                print(f"connected in {connect_seconds:.1f} s ({failed} failed)", flush=True)
                if reasons:
                    print(f"failures: {'; '.join(reasons)[:500]}", flush=True)
                after_rss = rss(pids)
                # Warm up the writer's path (plans, pools) on an article nobody watches.
                await write_views(server.url, [await unwatched(url, articles)], options.rate, 2)
                events_before = sum(await clients.ask("events"))
                client_pids = [process.pid for process in clients.processes if process.pid]
                cpu_before, wall_before = cpu(pids), time.monotonic()
                waited_before = sum(procfs.waiting_seconds(pid) for pid in pids)
                client_cpu_before = cpu(client_pids)
                print(f"recording {options.rate} views/s for {options.seconds} s ...", flush=True)
                writes, trips, write_failures = await write_views(
                    server.url, articles, options.rate, options.seconds
                )
                settle_started = time.monotonic()
                equal = 0
                while time.monotonic() - settle_started < SETTLE_SECONDS:
                    equal = sum(await clients.ask("final", await database_views(url, articles)))
                    if equal == options.subscribers - failed:
                        break
                    await asyncio.sleep(0.5)
                settled = time.monotonic() - settle_started
                cpu_after, wall_after = cpu(pids), time.monotonic()
                waited = sum(procfs.waiting_seconds(pid) for pid in pids) - waited_before
                client_cpu = cpu(client_pids) - client_cpu_before
                events = sum(await clients.ask("events")) - events_before
                delays = sorted(d for part in await clients.ask("latencies", writes) for d in part)
            finally:
                await clients.stop()
    finally:
        redis.stop()
    postgres = await database.server_version(url)
    seconds = wall_after - wall_before
    trips.sort()
    n = options.subscribers
    ms = 1000
    return [
        *machine.facts(postgres),
        ("date", time.strftime("%Y-%m-%d %H:%M %Z")),
        (
            "machine before the run",
            f"{busy:.0f}% busy with other work, load average {load:.1f}",
        ),
        (
            "server",
            f"uvicorn server:app --workers {options.workers}, Redis pub/sub (a redis-server "
            "of its own), LIVE_INTERVAL_MS 250, on the same machine as everything else",
        ),
        (
            "subscribers",
            f"{n} WebSockets ({failed} failed to connect) from {options.clients} client "
            f"processes, each watching the first {options.articles} articles of one of "
            f"{options.groups} groups",
        ),
        ("connected in", f"{connect_seconds:.1f} s, every subscriber with its first state"),
        (
            "writer",
            f"{options.rate} views/s for {options.seconds} s over HTTP ({len(writes)} counted, "
            f"{write_failures} failed); round trip p50 {percentile(trips, 0.5) * ms:.0f} ms, "
            f"p99 {percentile(trips, 0.99) * ms:.0f} ms",
        ),
        (
            "latency, view sent to receipt",
            f"p50 {percentile(delays, 0.5) * ms:.0f} ms, p99 {percentile(delays, 0.99) * ms:.0f} "
            f"ms, max {percentile(delays, 1.0) * ms:.0f} ms over {len(delays)} (write, "
            "subscriber) pairs",
        ),
        ("events delivered", f"{events / options.seconds:.0f} a second ({events} in all)"),
        (
            "server CPU (workers)",
            f"{100 * (cpu_after - cpu_before) / seconds:.0f}% of one core over {seconds:.0f} s "
            f"({os.cpu_count()} cores on the machine)",
        ),
        (
            "workers waiting for a CPU",
            f"{100 * waited / seconds / len(pids):.0f}% of the time each (runnable, not "
            "running: the run queue, /proc/<pid>/schedstat)",
        ),
        (
            "client CPU (subscribers)",
            f"{100 * client_cpu / seconds:.0f}% of one core (the same machine)",
        ),
        (
            "server RSS",
            f"{before_rss:.0f} MB idle, {after_rss:.0f} MB connected: "
            f"{(after_rss - before_rss) / n * 1000:.0f} MB per 1,000 connections",
        ),
        (
            "final values",
            f"{equal} of the {n - failed} connected subscribers' last views equal the "
            f"database's ({settled:.1f} s after the writer stopped)",
        ),
    ]


def main() -> int:
    options = Options.from_env()
    figures = asyncio.run(bench(options))
    width = max(len(name) for name, _ in figures)
    text = "\n".join(f"{name:<{width}}  {value}" for name, value in figures)
    print(f"\n{text}")
    markdown = "| | |\n|---|---|\n" + "\n".join(f"| {name} | {value} |" for name, value in figures)
    written = report.write(markdown + "\n", "live-latest.md")
    print(f"\nwritten to {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
