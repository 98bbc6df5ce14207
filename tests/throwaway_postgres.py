"""A PostgreSQL cluster of a test's own, on a free port, for tests that restart or stop it.

Never the shared server: `initdb` makes a new cluster in a temporary directory,
removed afterwards. Run as root, the cluster belongs to the `postgres` user
(PostgreSQL refuses to run as root). Without `initdb` the test is skipped, or
fails under CI (CI=1), which must run it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.test_server import free_port

OWNER = "postgres"


def find_initdb() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve()
    installed = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(installed[-1]) if installed else None


def initdb_or_skip() -> Path:
    initdb = find_initdb()
    if initdb is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL fault tests, and initdb is not installed")
        pytest.skip("initdb not found: install PostgreSQL's server binaries to run fault tests")
    return initdb


@dataclass(frozen=True)
class Cluster:
    bin_dir: Path
    directory: Path
    port: int

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://{OWNER}@127.0.0.1:{self.port}/{database}"

    def run(self, program: str, *arguments: str) -> None:
        command = [str(self.bin_dir / program), *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", OWNER, "--", *command]
        # To a file, not a pipe: the server pg_ctl starts inherits it and would hold a pipe
        # open, so that waiting for the end of pg_ctl's output would never end.
        output = self.directory / f"{program}.out"
        with output.open("w") as sink:
            done = subprocess.run(command, stdout=sink, stderr=sink, timeout=60, check=False)
        if done.returncode != 0:
            printed = output.read_text()[-2000:]
            raise RuntimeError(f"{program} {' '.join(arguments)} failed: {printed}")

    def pg_ctl(self, action: str, *arguments: str) -> None:
        self.run("pg_ctl", action, "-D", str(self.data), "-w", "-t", "30", *arguments)

    @property
    def options(self) -> list[str]:
        server = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=40"
        )
        return ["-l", str(self.directory / "postgres.log"), "-o", server]

    def start(self) -> None:
        self.pg_ctl("start", *self.options)

    def restart(self) -> None:
        """Stop (sessions ended, open transactions rolled back) and start again."""
        self.pg_ctl("restart", "-m", "fast", *self.options)


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A started cluster; stopped and deleted on exit, whatever happened."""
    initdb = initdb_or_skip()
    directory = Path(tempfile.mkdtemp(prefix="groupql-pg-"))
    try:
        if os.geteuid() == 0:
            owner = pwd.getpwnam(OWNER)  # KeyError: no such user, so no way to run it
            os.chown(directory, owner.pw_uid, owner.pw_gid)
        cluster = Cluster(initdb.parent, directory, free_port())
        cluster.run(
            "initdb", "-D", str(cluster.data), "-U", OWNER, "--auth=trust", "--no-sync", "-E",
            "UTF8",
        )  # fmt: skip
        cluster.start()
        try:
            yield cluster
        finally:
            with contextlib.suppress(RuntimeError):  # already stopped by the test
                cluster.pg_ctl("stop", "-m", "immediate")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
