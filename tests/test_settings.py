from __future__ import annotations

import pytest

from settings import DEFAULT_DATABASE_URL, Settings, SettingsError


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
    assert settings.secret_key_is_ephemeral


def test_every_setting_is_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgres://db.internal/groupql",
            "DB_POOL_SIZE": "20",
            "HOST": "0.0.0.0",  # noqa: S104 - a value under test, not a bind
            "PORT": "9000",
            "VIEW_WINDOW_SECONDS": "0",
            "SECRET_KEY": "s3cret",
            "LOG_LEVEL": "debug",
            "MAX_BODY_BYTES": "2048",
        }
    )

    assert settings == Settings(
        database_url="postgres://db.internal/groupql",
        db_pool_size=20,
        host="0.0.0.0",  # noqa: S104
        port=9000,
        view_window_seconds=0,
        secret_key="s3cret",
        secret_key_is_ephemeral=False,
        log_level="DEBUG",
        max_body_bytes=2048,
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORT", "eighty", "PORT must be an integer"),
        ("DB_POOL_SIZE", "0", "DB_POOL_SIZE must be at least 1"),
        ("VIEW_WINDOW_SECONDS", "-1", "VIEW_WINDOW_SECONDS must be at least 0"),
    ],
)
def test_bad_values_are_refused_by_name(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({name: value})


def test_live_data_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "LIVE_INTERVAL_MS": "1000",
            "LIVE_QUEUE_SIZE": "10",
            "LIVE_MAX_LAG_SECONDS": "5",
            "LIVE_MAX_SUBSCRIPTIONS": "3",
            "LIVE_MAX_MESSAGES_PER_SECOND": "7",
            "LIVE_MAX_CONNECTIONS_PER_ADDRESS": "2",
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
    defaults = Settings.from_env({})
    assert (defaults.live_interval_ms, defaults.live_queue_size) == (250, 100)
    with pytest.raises(SettingsError, match="LIVE_INTERVAL_MS must be at least 10"):
        Settings.from_env({"LIVE_INTERVAL_MS": "0"})
