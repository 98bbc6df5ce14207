"""`make bench`: groupql against the floor and PostGraphile 5, on the same generated data.

Steps: recreate and fill the database (and PostGraphile's functions, see
bench/postgraphile/extras.sql); count SQL statements per request, in process for
groupql and on the wire for all three (bench.counting); start the three
servers; check that they answer alike (bench.verify); then the interleaved
rounds (bench.rounds); print the results and write them to bench/results/latest.md.
"""

from __future__ import annotations

import asyncio
import secrets
import signal
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from bench import counting, database, machine, operations, peer, procfs, report, servers, wrk
from bench.answers import WrongAnswerError
from bench.backends import Backends
from bench.operations import GROUPQL, PAGE, POSTGRAPHILE, SERVERS, THREAD, VIEW
from bench.options import Options
from bench.proxy import counting_proxy
from bench.rounds import run_rounds, targets
from bench.statements import count
from bench.verify import verify
from demo.bulk import Sizes

POOL_SIZE = 10  # connections per server process, the same for all three
PAGE_SIZES = (20, 100)
BUSY_WARNING_PERCENT = 10.0
NOTES = (
    "One process each: groupql as `uvicorn server:app --workers 1` with rate limits and "
    "request logs off (the others have neither), the floor as `uvicorn bench.floor:app`, "
    "PostGraphile 5 (amber preset + simplify-inflection) as one Node.js process; pools of "
    f"{POOL_SIZE} connections each.",
    "floor: Starlette + asyncpg + orjson, one SQL statement per request (the JSON built by "
    "PostgreSQL), no pool reset; its and PostGraphile's excerpt is left(body, 200), groupql's "
    "the Markdown as plain text cut on a word boundary.",
    "PostGraphile's view is its mutation for a VOLATILE SQL function doing views = views + 1 "
    "... RETURNING (the floor's statement); groupql's recordArticleView also records a marker "
    "per (article, viewer), a new viewer each time. Reaction groups on PostGraphile: computed "
    "columns (SQL functions, bench/postgraphile/extras.sql), inlined in its one statement.",
    "SQL/request: statements on the wire (Execute and simple Query messages of PostgreSQL's "
    "protocol, BEGIN and COMMIT included), counted by a proxy in front of PostgreSQL (never "
    "while timing) over requests sent one at a time after a warm-up.",
    "CPU/request: CPU time (user + system, /proc/<pid>/stat) of the server process over the "
    "timed run, divided by its answers; PostgreSQL: the same for the client backends "
    "connected to the benchmark database (background processes not included).",
    "Each round starts from the same table state (view markers truncated, VACUUM FULL "
    "articles), and so does each server's view run. No server caches answers: checked before "
    "timing (a view recorded shows in the next read, through each).",
)


@dataclass(frozen=True, slots=True)
class Data:
    view_pks: list[int]  # every public article
    thread_pks: list[int]  # public articles with a full thread
    slugs: list[str]  # every public group
    page_statements: dict[int, int]  # groupql's, in process, by page size
    in_process: dict[str, int]  # groupql's, in process, by shape


async def prepare(options: Options, secret_key: str) -> Data:
    """Fill the database; count groupql's statements per request in process."""
    url = options.database_url
    settings = database.settings_for(url, secret_key)
    sizes = Sizes()
    await database.recreate(url)
    print(f"loading {sizes} into {url} ...", flush=True)
    print(f"loaded in {await database.load(settings, sizes):.1f} s", flush=True)
    await database.execute_script(url, peer.extras_sql())
    print(f"VACUUM ANALYZE + CHECKPOINT in {await database.settle(url):.1f} s", flush=True)
    pks = await database.public_article_ids(url)
    threads = await database.thread_article_ids(
        url, operations.THREAD_COMMENTS, operations.THREAD_REPLIES
    )
    if not threads:
        raise WrongAnswerError("no article with a full thread in the data: see demo/bulk.py")
    page_statements = {}
    for size in PAGE_SIZES:
        query = operations.page_query(size)
        body = {"query": query, "variables": {"slug": operations.PAGE_SLUG}}
        page_statements[size], _ = await count(settings, [body] * 2)
    in_process = {PAGE: page_statements[operations.PAGE_SIZE]}
    thread = operations.body(THREAD, GROUPQL, operations.article_key(GROUPQL, threads[0]))
    in_process[THREAD], _ = await count(settings, [thread] * 2)
    views = [
        operations.body(VIEW, GROUPQL, operations.article_key(GROUPQL, pk), f"sql-{pk}")
        for pk in pks[:2]
    ]
    in_process[VIEW], _ = await count(settings, views)
    print(
        f"groupql's SQL statements per request, in process: {in_process}; "
        f"page at first: 20 and 100: {page_statements}",
        flush=True,
    )
    slugs = await database.public_group_slugs(url)
    return Data(pks, threads, slugs, page_statements, in_process)


def launch(
    name: str, database_url: str, secret_key: str, node: str, log_name: str = ""
) -> AbstractAsyncContextManager[servers.Server]:
    """Start server `name` on `database_url`; its log goes to bench/results/<log_name>.log
    (by default `name`)."""
    log = report.RESULTS_DIR / f"{log_name or name}.log"
    if name == POSTGRAPHILE:
        environ = peer.environ(database_url, POOL_SIZE)
        return servers.serve(name, peer.command(node), environ, log)
    # Rate limits off: one client sending thousands of requests a minute is the point here.
    # Request logs off: the others write none either.
    environ = {
        "DATABASE_URL": database_url,
        "DB_POOL_SIZE": str(POOL_SIZE),
        "SECRET_KEY": secret_key,
        "RATE_LIMITS": "off",
        "LOG_LEVEL": "WARNING",
    }
    if name == GROUPQL:
        return servers.serve(name, servers.uvicorn("server:app"), environ, log, "/readyz")
    return servers.serve(name, servers.uvicorn("bench.floor:app"), environ, log)


async def wire_counts(
    options: Options, secret_key: str, node: str, data: Data
) -> dict[str, dict[str, list[int]]]:
    """Each server's SQL statements in each request of each shape, counted by the proxy."""
    host, port = counting.upstream(options.database_url)
    found = {}
    for name in SERVERS:
        async with counting_proxy(host, port) as (counter, proxy_port):
            url = counting.through(options.database_url, proxy_port)
            async with launch(name, url, secret_key, node, f"{name}-wire") as server:
                found[name] = await counting.count(server, counter, data.thread_pks, data.view_pks)
        print(f"{name}'s SQL statements in each request, on the wire: {found[name]}", flush=True)
    return found


async def open_backends(url: str) -> tuple[asyncpg.Connection, Backends | None]:
    connection = await database.connect(url)
    backends = Backends(connection)
    if not await backends.visible():
        print("PostgreSQL's processes are not visible here: its CPU is not measured")
        return connection, None
    return connection, backends


def facts(options: Options, postgres: str, runs: report.Runs) -> list[tuple[str, str]]:
    busy = [run.busy_before for measured in runs.values() for run in measured]
    vanished = sum(run.vanished_backends for measured in runs.values() for run in measured)
    pinning = (
        f"servers on CPU {servers.SERVER_CPU}, wrk on CPU {servers.LOAD_CPU} (taskset), "
        "PostgreSQL unpinned"
        if servers.pinning()
        else "none (no taskset, or fewer than 2 CPUs)"
    )
    return [
        *machine.facts(postgres),
        ("date", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())),
        ("data", str(Sizes())),
        (
            "load",
            f"wrk -t{options.threads} -c{options.connections}; {options.rounds} rounds of "
            f"{options.warmup_seconds} s warm-up + {options.seconds} s timed per server and shape",
        ),
        ("pinning", pinning),
        ("CPUs busy before the timed runs", f"{min(busy):.0f}% to {max(busy):.0f}%"),
        ("busy PostgreSQL backends gone during a timed run (CPU not counted)", str(vanished)),
    ]


def notes(
    data: Data, wire: Mapping[str, Mapping[str, Sequence[int]]], runs: report.Runs
) -> list[str]:
    found = list(NOTES)
    ours = counting.per_request(wire[GROUPQL])
    found.append(
        f"groupql's statements per request counted in process by Tortoise's log (which leaves "
        f"out BEGIN and COMMIT): {data.in_process}; on the wire: {ours}."
    )
    spread = [line for name in SERVERS for line in counting.spread(name, wire[name])]
    if spread:
        found.append("Statements that varied between requests: " + "; ".join(spread) + ".")
    busy = max(run.busy_before for measured in runs.values() for run in measured)
    if busy > BUSY_WARNING_PERCENT:
        found.append(
            f"WARNING: the CPUs were up to {busy:.0f}% busy with other work before a timed "
            "run: these numbers are noisy; only the ratios within one run compare."
        )
    return found


async def bench(options: Options) -> int:
    wrk.require()
    node = peer.node()
    stop_on_sigterm()
    secret_key = secrets.token_hex(32)
    data = await prepare(options, secret_key)
    wire = await wire_counts(options, secret_key, node, data)
    url = options.database_url
    connection, backends = await open_backends(url)
    try:
        async with AsyncExitStack() as stack:
            running = {
                name: await stack.enter_async_context(launch(name, url, secret_key, node))
                for name in SERVERS
            }
            print(await verify(running, data.slugs, data.thread_pks), flush=True)
            with tempfile.TemporaryDirectory(prefix="groupql-bench-") as scratch:
                found = targets(running, Path(scratch), data.thread_pks, data.view_pks)
                runs = await run_rounds(found, options, backends, lambda: database.reset_state(url))
            rss = {name: procfs.rss_megabytes(server.pid) for name, server in running.items()}
        postgres = await database.server_version(url)
    finally:
        await connection.close()
    results = report.Results(
        runs=runs,
        wire_statements={name: counting.per_request(wire[name]) for name in SERVERS},
        page_statements=data.page_statements,
        rss_mb=rss,
        facts=[
            *facts(options, postgres, runs),
            ("RSS after the run", ", ".join(f"{n} {_mb(v)}" for n, v in rss.items())),
        ],
        notes=notes(data, wire, runs),
    )
    print(f"\n{report.text(results)}")
    print(f"\nwritten to {report.write(report.markdown(results))}")
    return 0


def _mb(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0f} MB"


def stop_on_sigterm() -> None:
    """Make SIGTERM cancel the run like Ctrl-C does, so that the servers are still stopped."""
    task = asyncio.current_task()
    if task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


def main() -> int:
    try:
        return asyncio.run(bench(Options.from_env()))
    except (
        database.DatabaseUnavailableError,
        WrongAnswerError,
        peer.PeerError,
        servers.ServerError,
        wrk.WrkError,
    ) as error:
        print(f"bench: FAILED: {error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("bench: interrupted; servers stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
