"""Servers under test: subprocesses started as production starts them, pinned when possible."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

PROJECT_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0
POLL_SECONDS = 0.1
SERVER_CPU = 0  # the servers run here, wrk on LOAD_CPU, PostgreSQL wherever it likes
LOAD_CPU = 1

Command = Callable[[int], Sequence[str]]  # the command line, given the port to listen on


class ServerError(Exception):
    """A server did not start; the message ends with the tail of its log."""


@dataclass(frozen=True, slots=True)
class Server:
    """A running server: its name, base URL and process id (the process that serves)."""

    name: str
    url: str
    pid: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def uvicorn(app: str) -> Command:
    """`uvicorn app` with one worker: a single process, the one that serves."""

    def command(port: int) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port),
            "--workers", "1", "--log-level", "warning",
        ]  # fmt: skip

    return command


def pinning() -> bool:
    """Whether servers and wrk can each have a CPU of their own (taskset, 2 CPUs or more)."""
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    return shutil.which("taskset") is not None and {SERVER_CPU, LOAD_CPU} <= cpus


def pinned(command: Sequence[str], cpu: int) -> list[str]:
    """`command` on `cpu` alone when pinning is possible (taskset execs: the pid stays)."""
    return ["taskset", "-c", str(cpu), *command] if pinning() else list(command)


@asynccontextmanager
async def serve(
    name: str,
    command: Command,
    environ: Mapping[str, str],
    log: Path,
    ready_path: str | None = None,
    *,
    cpu: int | None = SERVER_CPU,
) -> AsyncIterator[Server]:
    """Run `command` until the block ends; yield the server once it answers.

    Ready means `ready_path` answers 200, or (when None) any HTTP answer at all.
    The server runs on `cpu` alone when pinning is possible (None: wherever it likes).
    It is terminated and waited for however the block ends.
    """
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: ASYNC220, S603 - a fixed command; stopped below
            pinned(command(port), cpu) if cpu is not None else list(command(port)),
            cwd=PROJECT_DIR,
            env={**os.environ, **environ},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us only: we stop the server ourselves
        )
    try:
        url = f"http://{HOST}:{port}"
        await _wait_ready(process, url, ready_path, log)
        yield Server(name, url, process.pid)
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def _wait_ready(
    process: subprocess.Popen[bytes], url: str, ready_path: str | None, log: Path
) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    async with httpx.AsyncClient(base_url=url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServerError(f"{url} exited with {process.returncode}:\n{_tail(log)}")
            try:
                if ready_path is None:
                    await client.options("/")
                    return
                if (await client.get(ready_path)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(POLL_SECONDS)
    raise ServerError(f"{url} not ready after {START_TIMEOUT_SECONDS:.0f} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
