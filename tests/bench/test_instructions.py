"""bench.instructions: the child serves the group page through the ASGI app; the count is read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.instructions import CHILD, COLLECTED, SIZES, environment, threads

ROOT = Path(__file__).resolve().parents[2]


def test_the_child_serves_the_group_page_on_generated_data(tmp_path: Path) -> None:
    env = environment(tmp_path / "bench.sqlite3")
    for command in (("migrate",), ("generate", *SIZES, *threads(ROOT))):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)

    run = subprocess.run(
        [sys.executable, str(CHILD), "1", "2"], cwd=ROOT, env=env, capture_output=True, check=False
    )

    assert run.returncode == 0, run.stderr.decode()


def test_the_child_fails_when_the_page_is_not_answered(tmp_path: Path) -> None:
    env = environment(tmp_path / "empty.sqlite3")
    subprocess.run([sys.executable, "manage.py", "migrate"], cwd=ROOT, env=env, check=True)

    run = subprocess.run(
        [sys.executable, str(CHILD), "0", "1"], cwd=ROOT, env=env, capture_output=True, check=False
    )

    assert run.returncode != 0
    assert b"AssertionError" in run.stderr


def test_callgrinds_total_is_read() -> None:
    stderr = b"==123== Events    : Ir\n==123== Collected : 1234567890\n==123==\n"

    found = COLLECTED.search(stderr)

    assert found is not None
    assert int(found.group(1)) == 1234567890
