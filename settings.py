"""Every setting groupql reads, read once from the environment.

Each field is documented in the README's settings table; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
DEFAULT_DATABASE_URL = f"sqlite://{PROJECT_DIR / 'groupql.sqlite3'}"


class SettingsError(ValueError):
    """A setting has a value groupql cannot use; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    db_pool_size: int = 10
    host: str = "127.0.0.1"
    port: int = 8000
    view_window_seconds: int = 8 * 60 * 60
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32), repr=False)
    secret_key_is_ephemeral: bool = True
    log_level: str = "INFO"
    max_body_bytes: int = 64 * 1024
    token_ttl_days: int = 30

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        secret_key = environ.get("SECRET_KEY") or ""
        return cls(
            database_url=environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            db_pool_size=_integer(environ, "DB_POOL_SIZE", 10, minimum=1),
            host=environ.get("HOST") or "127.0.0.1",
            port=_integer(environ, "PORT", 8000, minimum=1),
            view_window_seconds=_integer(environ, "VIEW_WINDOW_SECONDS", 28800, minimum=0),
            secret_key=secret_key or secrets.token_hex(32),
            secret_key_is_ephemeral=not secret_key,
            log_level=(environ.get("LOG_LEVEL") or "INFO").upper(),
            max_body_bytes=_integer(environ, "MAX_BODY_BYTES", 65536, minimum=1024),
            token_ttl_days=_integer(environ, "TOKEN_TTL_DAYS", 30, minimum=1),
        )


def _integer(environ: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value
