from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from settings import DEFAULT_DATABASE_URL, DEFAULT_SECRET_KEY_FILE, Settings, SettingsError

PROJECT_DIR = Path(__file__).resolve().parent.parent


def test_defaults_run_on_the_embedded_sqlite_file() -> None:
    settings = Settings.from_env({})

    assert settings.database_url == DEFAULT_DATABASE_URL
    assert DEFAULT_DATABASE_URL.startswith("sqlite://")
    assert DEFAULT_DATABASE_URL.endswith("/groupql.sqlite3")
    assert (settings.host, settings.port, settings.view_window_seconds) == (
        "127.0.0.1",
        8000,
        28800,
    )
    assert settings.secret_key_file == str(DEFAULT_SECRET_KEY_FILE)
    assert (settings.views_per_address, settings.redis_pool_size) == (10, 20)
    assert settings.prune_interval_seconds == 3600


def test_every_setting_is_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgres://db.internal/groupql",
            "DB_POOL_SIZE": "20",
            "DB_POOL_TIMEOUT_SECONDS": "2",
            "HOST": "0.0.0.0",  # noqa: S104 - a value under test, not a bind
            "PORT": "9000",
            "VIEW_WINDOW_SECONDS": "0",
            "SECRET_KEY": "s3cret",
            "LOG_LEVEL": "debug",
            "MAX_BODY_BYTES": "2048",
            "VIEWS_PER_ADDRESS": "0",
            "REDIS_POOL_SIZE": "5",
            "PRUNE_INTERVAL_SECONDS": "60",
        }
    )

    assert settings == Settings(
        database_url="postgres://db.internal/groupql",
        db_pool_size=20,
        db_pool_timeout_seconds=2,
        host="0.0.0.0",  # noqa: S104
        port=9000,
        view_window_seconds=0,
        secret_key="s3cret",
        log_level="DEBUG",
        max_body_bytes=2048,
        views_per_address=0,
        redis_pool_size=5,
        prune_interval_seconds=60,
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORT", "eighty", "PORT must be an integer"),
        ("DB_POOL_SIZE", "0", "DB_POOL_SIZE must be at least 1"),
        ("DB_POOL_TIMEOUT_SECONDS", "0", "DB_POOL_TIMEOUT_SECONDS must be at least 1"),
        ("VIEW_WINDOW_SECONDS", "-1", "VIEW_WINDOW_SECONDS must be at least 0"),
        ("VIEWS_PER_ADDRESS", "-1", "VIEWS_PER_ADDRESS must be at least 0"),
        ("REDIS_POOL_SIZE", "0", "REDIS_POOL_SIZE must be at least 1"),
        ("PRUNE_INTERVAL_SECONDS", "soon", "PRUNE_INTERVAL_SECONDS must be an integer"),
    ],
)
def test_bad_values_are_refused_by_name(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({name: value, "SECRET_KEY": "s3cret"})


# The development key, kept in a file when SECRET_KEY is not set


def test_without_secret_key_development_makes_one_key_and_keeps_it(tmp_path: Path) -> None:
    key_file = tmp_path / ".secret_key"

    first = Settings.from_env({"SECRET_KEY_FILE": str(key_file)})
    second = Settings.from_env({"SECRET_KEY_FILE": str(key_file)})

    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) == 64
    assert first.secret_key_file == str(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [path.name for path in tmp_path.iterdir()] == [".secret_key"]  # no draft left


def test_processes_starting_together_agree_on_the_key(tmp_path: Path) -> None:
    key_file = tmp_path / ".secret_key"
    env = {**os.environ, "SECRET_KEY_FILE": str(key_file)}
    env.pop("SECRET_KEY", None)
    env.pop("GROUPQL_ENV", None)
    read_key = "from settings import Settings; print(Settings.from_env().secret_key)"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", read_key],
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}

    assert keys == {key_file.read_text().strip()}


def test_the_dotfile_of_the_development_key_is_ignored_by_git() -> None:
    assert ".secret_key" in (PROJECT_DIR / ".gitignore").read_text().splitlines()
    assert DEFAULT_SECRET_KEY_FILE == PROJECT_DIR / ".secret_key"


def test_a_set_secret_key_makes_no_file(tmp_path: Path) -> None:
    key_file = tmp_path / ".secret_key"

    settings = Settings.from_env({"SECRET_KEY": "s3cret", "SECRET_KEY_FILE": str(key_file)})

    assert (settings.secret_key, settings.secret_key_file) == ("s3cret", None)
    assert not key_file.exists()


def test_production_requires_secret_key_even_with_a_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / ".secret_key"
    Settings.from_env({"SECRET_KEY_FILE": str(key_file)})

    with pytest.raises(SettingsError, match="SECRET_KEY must be set"):
        Settings.from_env({"GROUPQL_ENV": "production", "SECRET_KEY_FILE": str(key_file)})


def test_a_key_file_without_a_key_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / ".secret_key"
    key_file.write_text("short\n")

    with pytest.raises(SettingsError, match="delete it"):
        Settings.from_env({"SECRET_KEY_FILE": str(key_file)})


def test_a_key_file_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    key_file = tmp_path / "missing-folder" / ".secret_key"

    with pytest.raises(SettingsError, match="missing-folder") as refused:
        Settings.from_env({"SECRET_KEY_FILE": str(key_file)})

    assert "set SECRET_KEY" in str(refused.value)


def test_live_data_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "LIVE_INTERVAL_MS": "1000",
            "LIVE_QUEUE_SIZE": "10",
            "LIVE_MAX_LAG_SECONDS": "5",
            "LIVE_MAX_SUBSCRIPTIONS": "3",
            "LIVE_MAX_MESSAGES_PER_SECOND": "7",
            "LIVE_MAX_CONNECTIONS_PER_ADDRESS": "2",
            "SECRET_KEY": "s3cret",
        }
    )
    assert (
        settings.live_interval_ms,
        settings.live_queue_size,
        settings.live_max_lag_seconds,
        settings.live_max_subscriptions,
        settings.live_max_messages_per_second,
        settings.live_max_connections_per_address,
    ) == (1000, 10, 5, 3, 7, 2)
    defaults = Settings.from_env({"SECRET_KEY": "s3cret"})
    assert (defaults.live_interval_ms, defaults.live_queue_size) == (250, 100)
    with pytest.raises(SettingsError, match="LIVE_INTERVAL_MS must be at least 10"):
        Settings.from_env({"LIVE_INTERVAL_MS": "0", "SECRET_KEY": "s3cret"})
