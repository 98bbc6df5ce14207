"""`make bench`: groupql against the floor server, under wrk, on the large generated data set.

Steps: recreate and fill the database, count SQL statements per request in
process, start both servers, check their answers once, then for each request
warm up and measure each server with the same wrk load, and print the table
(also written to bench/results/latest.md).
"""

from __future__ import annotations

import asyncio
import secrets
import signal
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import database, machine, operations, report, servers, statements, wrk
from bench.options import Options
from demo.bulk import Sizes

TARGET_RATIOS = {"page": 0.12, "mutation": 0.35}
NOTES = (
    "SQL/request: statements Tortoise logged for one request in process (it would not log "
    "BEGIN or COMMIT; on PostgreSQL neither request opens a transaction: the view is one "
    "statement).",
    "floor: Starlette + asyncpg + orjson, one SQL statement per request (JSON built by "
    "PostgreSQL); its excerpt is left(body, 200), not Markdown rendered to plain text.",
    "Each server: 1 uvicorn worker, same wrk threads and connections; ours with rate limits "
    "and request logs off (LOG_LEVEL=WARNING), as the floor has neither; targets are "
    "informative.",
)
BUSY_WARNING_PERCENT = 10.0
PAGE_CHECKS = {"BENCH_REJECT": '"errors"', "BENCH_EXPECT": '"endCursor"'}


@dataclass(frozen=True, slots=True)
class Target:
    """One server's endpoint for one request, and the post.lua settings that drive it."""

    url: str
    environ: Mapping[str, str]


def targets(ours: str, floor: str, ids_dir: Path, pks: list[int]) -> dict[str, list[Target]]:
    """Per request, groupql's target and the floor's; writes the id files post.lua draws from."""
    global_ids_file = ids_dir / "global_ids.txt"
    global_ids_file.write_text("\n".join(operations.global_ids(pks)) + "\n")
    pks_file = ids_dir / "pks.txt"
    pks_file.write_text("\n".join(map(str, pks)) + "\n")
    return {
        "page": [
            Target(
                f"{ours}/graphql",
                {"BENCH_BODY": operations.dumps(operations.page_body()), **PAGE_CHECKS},
            ),
            Target(
                f"{floor}/page",
                {"BENCH_BODY": operations.dumps(operations.floor_page_body()), **PAGE_CHECKS},
            ),
        ],
        "mutation": [
            Target(
                f"{ours}/graphql",
                {
                    "BENCH_BODY": operations.VIEW_TEMPLATE,
                    "BENCH_IDS": str(global_ids_file),
                    "BENCH_EXPECT": '"counted":true',
                },
            ),
            Target(
                f"{floor}/view",
                {
                    "BENCH_BODY": operations.FLOOR_VIEW_TEMPLATE,
                    "BENCH_IDS": str(pks_file),
                    "BENCH_EXPECT": '"views"',
                },
            ),
        ],
    }


async def post(client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> Any:
    response = await client.post(url, json=body)
    if response.status_code != 200:
        raise operations.WrongAnswerError(
            f"{url} answered {response.status_code}: {response.text[: operations.SHOWN_CHARS]}"
        )
    return response.json()


async def verify(ours: str, floor: str, pk: int) -> None:
    """Both servers answer both requests correctly, and the two pages agree."""
    global_id = operations.global_ids([pk])[0]
    async with httpx.AsyncClient(timeout=30.0) as client:
        page = await post(client, f"{ours}/graphql", operations.page_body())
        floor_page = await post(client, f"{floor}/page", operations.floor_page_body())
        view = await post(
            client, f"{ours}/graphql", operations.view_body(global_id, f"check-{time.time_ns()}")
        )
        floor_view = await post(client, f"{floor}/view", operations.floor_view_body(pk))
    problems = [
        operations.page_problem(page),
        operations.page_problem(floor_page),
        operations.view_problem(view),
        None if isinstance(floor_view.get("views"), int) else f"floor view: {floor_view}",
    ]
    if not any(problems):
        difference = operations.first_difference(
            operations.without_excerpts(page), operations.without_excerpts(floor_page)
        )
        problems.append(difference and f"the pages differ at {difference}")
    found = [problem for problem in problems if problem]
    if found:
        raise operations.WrongAnswerError("wrong answers before timing: " + "; ".join(found))
    print("answers checked: the pages agree (excerpts aside), views are counted")


async def measure(name: str, target: Target, options: Options, busy: list[float]) -> wrk.Result:
    """A warm-up run, then the timed run, with the same load.

    Appends to `busy` how busy the CPUs were just before the timed run, with both
    servers idle: anything much above zero is another program competing for them.
    """

    async def run(phase: str, seconds: int) -> wrk.Result:
        load = wrk.Load(seconds, options.threads, options.connections)
        tag = f"{name.replace(' ', '-')}-{phase}-{time.time_ns()}"
        return await wrk.run(target.url, load, {**target.environ, "BENCH_RUN_TAG": tag})

    await run("warmup", options.warmup_seconds)
    busy.append(await machine.busy_percent())
    result = await run("timed", options.seconds)
    print(
        f"{name}: {result.requests_per_second:.0f} req/s, p50 {result.p50_ms:.2f} ms, "
        f"p99 {result.p99_ms:.2f} ms, {result.errors} errors in {result.answers} answers "
        f"(CPUs {busy[-1]:.0f}% busy before)",
        flush=True,
    )
    if not result.valid:
        print(result.output, file=sys.stderr)
    return result


async def prepare(options: Options, secret_key: str) -> tuple[list[int], dict[str, int]]:
    """Fill the database; return the public article ids and the statements per request."""
    url = options.database_url
    settings = database.settings_for(url, secret_key)
    sizes = Sizes()
    await database.recreate(url)
    print(f"loading {sizes} into {url} ...", flush=True)
    print(f"loaded in {await database.load(settings, sizes):.1f} s", flush=True)
    print(f"VACUUM ANALYZE + CHECKPOINT in {await database.settle(url):.1f} s", flush=True)
    pks = await database.public_article_ids(url)
    global_ids = operations.global_ids(pks[:2])
    page_count, page = await statements.count(settings, [operations.page_body()] * 2)
    view_count, view = await statements.count(
        settings, [operations.view_body(global_ids[n], f"sql-{n}") for n in range(2)]
    )
    problems = [operations.page_problem(page), operations.view_problem(view)]
    if any(problems):
        raise operations.WrongAnswerError(f"in process: {problems}")
    counts = {"page": page_count, "mutation": view_count}
    print(f"SQL statements per request, in process: {counts}", flush=True)
    return pks, counts


async def bench(options: Options) -> int:
    wrk.require()
    stop_on_sigterm()
    secret_key = secrets.token_hex(32)
    pks, counts = await prepare(options, secret_key)
    # Rate limits off: one client sending thousands of requests a minute is the point here.
    # Request logs off: the floor writes none either.
    environ = {
        "DATABASE_URL": options.database_url,
        "SECRET_KEY": secret_key,
        "RATE_LIMITS": "off",
        "LOG_LEVEL": "WARNING",
    }
    logs = report.RESULTS_DIR
    rows = []
    busy: list[float] = []
    with tempfile.TemporaryDirectory(prefix="groupql-bench-") as scratch:
        async with (
            servers.serve("server:app", environ, logs / "groupql.log", "/readyz") as ours,
            servers.serve("bench.floor:app", environ, logs / "floor.log", None) as floor,
        ):
            await verify(ours, floor, pks[-1])
            for name, (ours_target, floor_target) in targets(
                ours, floor, Path(scratch), pks
            ).items():
                rows.append(
                    report.Row(
                        name=name,
                        ours=await measure(f"{name} groupql", ours_target, options, busy),
                        floor=await measure(f"{name} floor", floor_target, options, busy),
                        statements=counts[name],
                        target=TARGET_RATIOS[name],
                    )
                )
    facts = [
        *machine.facts(await database.server_version(options.database_url)),
        ("data", str(Sizes())),
        (
            "load",
            f"wrk -t{options.threads} -c{options.connections}, "
            f"{options.warmup_seconds} s warm-up + {options.seconds} s timed per server",
        ),
        ("CPUs busy before each timed run", ", ".join(f"{n:.0f}%" for n in busy)),
    ]
    notes = list(NOTES)
    if max(busy) > BUSY_WARNING_PERCENT:
        notes.append(
            f"WARNING: the CPUs were up to {max(busy):.0f}% busy with other work before a "
            "timed run: these numbers are noisy; run again on a quiet machine."
        )
    print(f"\n{report.text(rows, facts, notes)}")
    print(f"\nwritten to {report.write(report.markdown(rows, facts, notes))}")
    if not all(row.ours.valid and row.floor.valid for row in rows):
        print("some measurements saw errors: their numbers are not valid", file=sys.stderr)
        return 1
    return 0


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
        operations.WrongAnswerError,
        servers.ServerError,
        wrk.WrkError,
    ) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("bench: interrupted; servers stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
