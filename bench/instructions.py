"""Instructions executed per group page request: `python -m bench.instructions [CHECKOUT]`.

A measure of the server's own work that the machine's load does not move (times do): the
checkout (this one by default, or another commit's worktree) serves the benchmark's group
page (`group-1`: 20 articles with 3 comments each, their authors and covers) through its ASGI
app in one process on a small SQLite copy of the benchmark's data (`manage.py generate`
with `SIZES`), under Valgrind's callgrind, once
with `REQUESTS` requests and once with three times as many, after the same warm-up; the
difference in instructions, divided by the difference in requests, is the cost of one
request (start-up, imports and the warm-up cancel out). About 3 minutes per checkout.
With `INSTRUCTIONS_DATABASE_URL=postgres://...` it runs on that PostgreSQL database instead
(dropped and created again), and counts the server's process alone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

CHILD = Path(__file__).with_name("instructions_child.py")
WARMUP = int(os.environ.get("BENCH_WARMUP_REQUESTS", "30"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
SIZES = ("--members", "500", "--groups", "4", "--articles", "200", "--comments", "3000")
THREADS = ("--threads", "2")  # where `generate` makes full threads (not before the benchmark)
# On PostgreSQL (a database dropped and created again), what is counted is the server's
# process alone; on SQLite (the default), SQLite's work in the same process too.
POSTGRES = os.environ.get("INSTRUCTIONS_DATABASE_URL", "")
COLLECTED = re.compile(rb"Collected\s*:\s*(\d+)")


def environment(database: Path | str) -> dict[str, str]:
    """The child's settings: `database` an SQLite file, or a PostgreSQL URL."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": database if isinstance(database, str) else f"sqlite://{database}",
        "SECRET_KEY": "b" * 64,
        "RATE_LIMITS": "off",
        "LOG_LEVEL": "WARNING",
        "PRUNE_INTERVAL_SECONDS": "0",
    }


def recreated(url: str) -> str:
    """`url`'s database, dropped and created again (empty)."""
    import asyncio

    import asyncpg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")

    async def recreate() -> None:
        server = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
        try:
            await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await server.execute(f'CREATE DATABASE "{name}"')
        finally:
            await server.close()

    asyncio.run(recreate())
    return url


def threads(checkout: Path) -> tuple[str, ...]:
    usage = subprocess.run(
        [sys.executable, "manage.py", "generate", "--help"],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return THREADS if THREADS[0] in usage else ()


def instructions(valgrind: str, checkout: Path, env: dict[str, str], requests: int) -> int:
    """The instructions one run of the child executes, as callgrind counts them."""
    run = subprocess.run(  # noqa: S603 - a fixed command
        [
            valgrind,
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            str(CHILD),
            str(WARMUP),
            str(requests),
        ],
        cwd=checkout,
        env=env,
        capture_output=True,
        check=False,
    )
    found = COLLECTED.search(run.stderr)
    if run.returncode != 0 or not found:
        sys.exit(f"bench.instructions: the run failed:\n{run.stderr.decode()[-3000:]}")
    return int(found.group(1))


def main() -> None:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        sys.exit("bench.instructions needs valgrind: apt-get update && apt-get install -y valgrind")
    checkout = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    with tempfile.TemporaryDirectory() as folder:
        database: Path | str = recreated(POSTGRES) if POSTGRES else Path(folder) / "b.sqlite3"
        env = environment(database)
        for command in (("migrate",), ("generate", *SIZES, *threads(checkout))):
            subprocess.run(  # noqa: S603 - the checkout's own command
                [sys.executable, "manage.py", *command],
                cwd=checkout,
                env=env,
                check=True,
                capture_output=True,
            )
        few = instructions(valgrind, checkout, env, REQUESTS)
        many = instructions(valgrind, checkout, env, 3 * REQUESTS)
    per_request = (many - few) / (2 * REQUESTS)
    print(f"{checkout}: {per_request / 1e6:.1f} M instructions per group page request")


if __name__ == "__main__":
    main()
