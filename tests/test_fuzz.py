"""Schemathesis against a live server: thousands of generated queries, not one server error."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SECRET_KEY
from tests.servers import free_port

PROJECT_DIR = Path(__file__).resolve().parent.parent
FUZZ_SECONDS = int(os.environ.get("FUZZ_SECONDS", "40"))


@pytest.fixture
def live_server(database_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "RATE_LIMITS": "off",  # the fuzzer sends thousands of requests a minute
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "seed"], cwd=PROJECT_DIR, env=env, check=True, capture_output=True)
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "server.py"], cwd=PROJECT_DIR, env=env, stdout=output, stderr=output
        )
        try:
            yield f"http://127.0.0.1:{port}/graphql", log
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_schemathesis_finds_no_server_error(live_server: tuple[str, Path]) -> None:
    url, log = live_server
    for _ in range(100):
        try:
            if httpx.get(url.replace("/graphql", "/readyz")).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.1)

    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "st"),
            "run",
            url,
            "--max-time",
            str(FUZZ_SECONDS),
            "--checks",
            "not_a_server_error",
            "--workers",
            "2",
            "--no-color",
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )

    assert run.returncode == 0, run.stdout[-4000:]
    assert "passed" in run.stdout
    assert "Traceback" not in log.read_text(), log.read_text()[-4000:]
