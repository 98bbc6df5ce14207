"""The app in a real browser: Debian's Chromium driven by Playwright, against a real uvicorn on
the demo data, on SQLite and on PostgreSQL.

Without Chromium the tests are skipped and the run says why; in CI (CI set) that is a failure.
Each test that needs the seed's exact numbers gets a server on a fresh copy of the seeded
database; the others share one server per database. Everything lives for this package only:
Playwright's sync API holds the thread's event loop, which the async tests elsewhere need.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Route,
    ViewportSize,
    sync_playwright,
)

from tests.conftest import POSTGRES_URL, TEST_SECRET_KEY, admin, with_database

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# As root Chromium needs --no-sandbox; the machine's network is closed, so nothing may phone
# home (background networking, component updates, sync).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = PROJECT_DIR / "app" / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "groupql-demo-password"
VIEWPORT = ViewportSize(width=1100, height=900)

SKIPPED = "browser tests skipped: "


def unavailable(reason: str) -> None:
    """Skip, saying why; in CI, fail: CI must run the browser tests."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the browser tests")
    pytest.skip(f"{SKIPPED}{reason}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The reasons, once each, on the run's last lines (read from the skips' reports, so
    that it works when the tests ran in pytest-xdist's workers)."""
    reasons: list[str] = []
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        if SKIPPED in text:
            reason = text.split(SKIPPED, 1)[1]
            if reason not in reasons:
                reasons.append(reason)
    for reason in reasons:
        terminalreporter.write_line(f"browser tests (tests/app) skipped: {reason}", yellow=True)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="package")
def axe_source() -> str:
    if not AXE.is_file():
        unavailable(f"no axe-core at {AXE.relative_to(PROJECT_DIR)} (run `make app`)")
    return AXE.read_text()


# Databases


@dataclass
class Seeded:
    """A database migrated and seeded by `manage.py`, and fresh copies of it."""

    kind: str
    template: str  # a file path (SQLite) or a database name (PostgreSQL)
    copies: list[str] = field(default_factory=list)

    def copy(self, directory: Path) -> str:
        """A new database with the seeded data: its URL."""
        name = f"groupql_browser_{uuid.uuid4().hex[:12]}"
        if self.kind == "sqlite":
            path = directory / f"{name}.sqlite3"
            shutil.copyfile(self.template, path)
            return f"sqlite://{path}"
        run_admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.copies.append(name)
        return with_database(POSTGRES_URL, name)


def run_admin(sql: str) -> None:
    """`admin(sql)` in a thread of its own: Playwright's sync API holds this thread's loop."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(lambda: asyncio.run(admin(sql))).result()


def manage(database_url: str, *command: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET_KEY}
    subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="package", params=["sqlite", "postgres"])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, browser: Browser
) -> Iterator[Seeded]:
    """The demo data, loaded the way `make run` loads it (`manage.py migrate`, `seed`)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("browser") / "seeded.sqlite3"
        for command in ("migrate", "seed"):
            manage(f"sqlite://{path}", command)
        yield Seeded("sqlite", str(path))
        return
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must test PostgreSQL: set TEST_DATABASE_URL")
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL runs skipped")
    name = f"groupql_browser_{uuid.uuid4().hex[:12]}"
    run_admin(f'CREATE DATABASE "{name}"')
    seeded = Seeded("postgres", name)
    try:
        for command in ("migrate", "seed"):
            manage(with_database(POSTGRES_URL, name), command)
        yield seeded
    finally:
        for database in [*seeded.copies, name]:
            run_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


# Servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """`uvicorn server:app` in its own process, on one database."""

    url: str
    database: str
    process: subprocess.Popen[bytes]

    def api(self, query: str, variables: dict[str, Any] | None = None, token: str = "") -> Any:
        """POST one operation to the server; its `data`, which must come without errors."""
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=10,
        )
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    def token(self, email: str) -> str:
        data = self.api(SIGN_IN, {"input": {"email": email, "password": DEMO_PASSWORD}})
        issued: str = data["signIn"]["token"]
        return issued


SIGN_IN = "mutation SignIn($input: SignInInput!) { signIn(input: $input) { token } }"


def start_server(database_url: str, **settings: str) -> Server:
    """The server on `database_url`, with `settings` (e.g. PERSISTED_ONLY="on") besides."""
    port = free_port()
    # Only what the server needs: no REDIS_URL (rate limits stay per process, so per test), no
    # CORS_ORIGINS (the app is same-origin).
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "server:app", "--port", str(port), "--no-access-log"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", database_url, process)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{server.url}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.05)
    stop_server(server)
    raise AssertionError("the server did not get ready")


def stop_server(server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    output = server.process.communicate(timeout=15)[0].decode()
    assert "Traceback" not in output, output


@pytest.fixture(scope="package")
def shared_server(seeded: Seeded, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server per database for the tests that change nothing."""
    server = start_server(seeded.copy(tmp_path_factory.mktemp("shared")))
    yield server
    stop_server(server)


@pytest.fixture
def server(seeded: Seeded, tmp_path: Path) -> Iterator[Server]:
    """A server of this test's own, on a fresh copy of the demo data."""
    started = start_server(seeded.copy(tmp_path))
    yield started
    stop_server(started)


# Pages


def offline(route: Route) -> None:
    """Nothing leaves the machine: the demo's cover images are on a host that does not exist."""
    route.abort("internetdisconnected")


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser) -> Iterator[NewContext]:
    """Browser contexts (separate browsers, as two people would have), closed after the test."""
    contexts: list[BrowserContext] = []

    def make(base_url: str, **options: Any) -> BrowserContext:
        context = browser.new_context(base_url=base_url, viewport=VIEWPORT, **options)
        context.set_default_timeout(10_000)
        context.route(lambda url: not url.startswith(base_url), offline)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@dataclass
class Errors:
    """What went wrong in a page: uncaught exceptions."""

    uncaught: list[str] = field(default_factory=list)


def watch(page: Page) -> Errors:
    errors = Errors()
    page.on("pageerror", lambda error: errors.uncaught.append(str(error)))
    return errors


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the app's own form, and wait until the header says so."""
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()
