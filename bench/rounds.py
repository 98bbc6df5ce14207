"""The timed part: interleaved rounds over every request shape and every server.

Each round measures, for each shape in turn, the floor, groupql and PostGraphile
with the same wrk load (a warm-up, then the timed run), so that a change in the
machine's speed during the run hits all three alike and the per-round ratios
stay meaningful. Each round starts from the same table state, and so does each
server's run of a writing shape.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path

from bench import operations
from bench.answers import WrongAnswerError
from bench.backends import Backends
from bench.measure import Measurement, Target, measure
from bench.operations import PAGE, SERVERS, SHAPES, WRITES
from bench.options import Options
from bench.servers import Server

Reset = Callable[[], Awaitable[float]]
REJECTED = '"errors"'  # no answer may carry an errors list


def targets(
    servers: Mapping[str, Server], ids_dir: Path, thread_pks: Sequence[int], view_pks: Sequence[int]
) -> dict[tuple[str, str], Target]:
    """Each (shape, server)'s target; writes the id files post.lua draws articles from."""
    found = {}
    for shape in SHAPES:
        pks = thread_pks if shape == operations.THREAD else view_pks
        for name, server in servers.items():
            environ = {
                "BENCH_BODY": operations.template(shape, name),
                "BENCH_EXPECT": operations.expected(shape, name),
                "BENCH_REJECT": REJECTED,
            }
            if shape != PAGE:
                ids_file = ids_dir / f"{shape}-{name}.txt"
                keys = (str(operations.article_key(name, pk)) for pk in pks)
                ids_file.write_text("\n".join(keys) + "\n")
                environ["BENCH_IDS"] = str(ids_file)
            found[shape, name] = Target(
                server, f"{server.url}{operations.PATHS[name][shape]}", environ
            )
    return found


def line(shape: str, name: str, done: Measurement) -> str:
    result = done.result
    cpu = "" if done.server_cpu_ms is None else f", CPU {done.server_cpu_ms:.2f} ms"
    postgres = (
        "" if done.postgres_cpu_ms is None else f" + PostgreSQL {done.postgres_cpu_ms:.2f} ms"
    )
    return (
        f"  {shape} {name}: {result.requests_per_second:.0f} req/s, p50 {result.p50_ms:.2f} ms, "
        f"p99 {result.p99_ms:.2f} ms{cpu}{postgres} per request; {result.errors} errors in "
        f"{result.answers} answers (CPUs {done.busy_before:.0f}% busy before)"
    )


async def run_rounds(
    found: Mapping[tuple[str, str], Target],
    options: Options,
    backends: Backends | None,
    reset: Reset,
) -> dict[tuple[str, str], list[Measurement]]:
    """Every round's measurement of each (shape, server); WrongAnswerError at the first
    run that saw any error (a non-200 answer, an answer with errors, a socket error)."""
    runs: dict[tuple[str, str], list[Measurement]] = {key: [] for key in found}
    for n in range(options.rounds):
        print(
            f"round {n + 1} of {options.rounds} (state reset in {await reset():.1f} s)", flush=True
        )
        for shape in SHAPES:
            for name in SERVERS:
                if shape in WRITES:
                    await reset()
                done = await measure(found[shape, name], options, backends)
                print(line(shape, name, done), flush=True)
                if not done.result.valid:
                    raise WrongAnswerError(
                        f"{shape} {name}: {done.result.errors} errors in {done.result.answers} "
                        f"answers while timing; wrk said:\n{done.result.output}"
                    )
                runs[shape, name].append(done)
    return runs
