"""Servers under test: `uvicorn <app>` subprocesses started as production starts them."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

PROJECT_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
POLL_SECONDS = 0.1


class ServerError(Exception):
    """A server did not start; the message ends with the tail of its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def serve(
    app: str, environ: Mapping[str, str], log: Path, ready_path: str | None
) -> AsyncIterator[str]:
    """Run `uvicorn app` until the block ends; yield its base URL once it answers.

    Ready means `ready_path` answers 200, or (when None) the port accepts connections.
    The server is terminated and waited for however the block ends.
    """
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port),
        "--workers", "1", "--log-level", "warning",
    ]  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: ASYNC220, S603 - a fixed command; stopped below
            command,
            cwd=PROJECT_DIR,
            env={**os.environ, **environ},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us only: we stop the server ourselves
        )
    try:
        url = f"http://{HOST}:{port}"
        await _wait_ready(process, url, ready_path, log)
        yield url
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
