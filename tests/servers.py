"""Real servers for tests: uvicorn as operators run it, and throwaway Redis and PostgreSQL.

The throwaway servers listen on free loopback ports and live in temporary
folders of their own, so a test may stop, freeze or kill them; the shared
PostgreSQL and Redis are never touched.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NoReturn

import httpx
import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def missing(tool: str) -> NoReturn:
    """Skip a test that needs `tool` when it is not installed; under CI, fail it."""
    message = f"{tool} is not installed"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test: {message}")
    pytest.skip(message)


class Served:
    """A server process: its URL, and everything it printed once stopped."""

    def __init__(self, url: str, process: subprocess.Popen[bytes]) -> None:
        self.url = url
        self.process = process
        self.output: str | None = None

    def stop(self) -> str:
        if self.output is None:
            self.process.terminate()
            self.output = self.process.communicate(timeout=30)[0].decode()
        return self.output


@contextmanager
def uvicorn(env: Mapping[str, str], *arguments: str) -> Iterator[Served]:
    """`uvicorn server:app` in its own process (`arguments` such as `--workers 2`)."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "server:app", "--port", str(port), *arguments]
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    served = Served(f"http://127.0.0.1:{port}", process)
    try:
        yield served
    finally:
        served.stop()


async def wait_until_ready(http: httpx.AsyncClient, seconds: float = 10) -> None:
    """Poll /readyz until it answers 200."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if (await http.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("the server did not get ready")


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    """A Redis of this test alone, on a free port; `stop()` it to test an outage."""
    if shutil.which("redis-server") is None:
        missing("redis-server")
    server = RedisServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


class RedisServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def wait_for_port(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


@contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster of this test alone (initdb + pg_ctl in a temporary folder)."""
    bindir = _postgres_bindir()
    folder = Path(tempfile.mkdtemp(prefix="groupql-pg-", dir="/tmp"))
    cluster = PostgresCluster(bindir, folder, free_port())
    try:
        cluster.create()
        cluster.start()
        yield cluster
    finally:
        cluster.resume()  # a frozen cluster cannot stop
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _postgres_bindir() -> Path:
    initdb = shutil.which("initdb")
    if initdb is not None:
        return Path(initdb).resolve().parent
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        missing("PostgreSQL (initdb)")
    return Path(subprocess.check_output([pg_config, "--bindir"], text=True).strip())


class PostgresCluster:
    """PostgreSQL refuses to run as root: as root, its commands run as the postgres user."""

    def __init__(self, bindir: Path, folder: Path, port: int) -> None:
        self.bindir = bindir
        self.data = folder / "data"
        self.folder = folder
        self.port = port
        self.url = self.url_of("postgres")
        self.frozen: list[int] = []

    def url_of(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, tool: str, *arguments: str) -> None:
        command = [str(self.bindir / tool), *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # To a file, not a pipe: the server pg_ctl starts inherits it and would hold a pipe
        # open, so that waiting for the end of pg_ctl's output would never end.
        output = self.folder / f"{tool}.out"
        with output.open("w") as sink:
            done = subprocess.run(command, stdout=sink, stderr=sink, timeout=120, check=False)
        if done.returncode != 0:
            printed = output.read_text()[-2000:]
            raise RuntimeError(f"{tool} {' '.join(arguments)} failed: {printed}")

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E",
            "UTF8",
        )  # fmt: skip

    @property
    def options(self) -> list[str]:
        server = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=40"
        )
        return ["-o", server, "-l", str(self.folder / "log")]

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), *self.options, "-w", "start")

    def restart(self) -> None:
        """Stop (sessions ended, open transactions rolled back) and start again."""
        self.run("pg_ctl", "-D", str(self.data), *self.options, "-m", "fast", "-w", "restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def processes(self) -> list[int]:
        """The postmaster and every process it started (backends, checkpointer...)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with suppress(OSError):
                # pid (name) state ppid ...: the name may hold spaces, so split after it
                fields = stat.read_text().rpartition(")")[2].split()
                if int(fields[1]) == postmaster:
                    children.append(int(stat.parent.name))
        return [postmaster, *children]

    def freeze(self) -> None:
        """SIGSTOP every process of the cluster: connections stay open, nothing answers."""
        self.frozen = self.processes()
        for pid in self.frozen:
            os.kill(pid, signal.SIGSTOP)

    def resume(self) -> None:
        for pid in self.frozen:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.frozen = []
