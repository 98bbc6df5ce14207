"""Every setting groupql reads, read once from the environment.

Each field is documented in the README's settings table; keep the two in step.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
DEFAULT_DATABASE_URL = f"sqlite://{PROJECT_DIR / 'groupql.sqlite3'}"
# Where development keeps the key it makes when SECRET_KEY is not set (ignored by git).
DEFAULT_SECRET_KEY_FILE = PROJECT_DIR / ".secret_key"
MIN_SECRET_KEY_LENGTH = 32
# Where single-page apps are served from while they are developed (Vite, webpack...).
DEVELOPMENT_ORIGINS = (
    "http://localhost:5173",
    "http://127.0.0.1:5173",
    "http://localhost:3000",
    "http://127.0.0.1:3000",
)


class SettingsError(ValueError):
    """A setting has a value groupql cannot use; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    db_pool_size: int = 10
    db_pool_timeout_seconds: float = 5.0
    host: str = "127.0.0.1"
    port: int = 8000
    view_window_seconds: int = 8 * 60 * 60
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32), repr=False)
    secret_key_file: str | None = None  # where the key was read from, when not SECRET_KEY
    log_level: str = "INFO"
    max_body_bytes: int = 256 * 1024
    token_ttl_days: int = 30
    production: bool = False
    introspection: bool = True
    cors_origins: tuple[str, ...] = DEVELOPMENT_ORIGINS
    request_timeout_seconds: float = 10.0
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_directives: int = 50
    max_nodes: int = 10_000
    max_field_repeats: int = 10
    rate_limits: bool = True
    rate_limit_query_cost: int = 20_000
    rate_limit_mutations: int = 120
    rate_limit_sign_in: int = 10
    rate_limit_views: int = 100
    views_per_address: int = 10
    redis_url: str | None = None
    graphql_plans: bool = True
    max_validation_errors: int = 5
    redis_pool_size: int = 20
    prune_interval_seconds: int = 60 * 60
    live_interval_ms: int = 250
    live_queue_size: int = 100
    live_max_lag_seconds: int = 30
    live_max_subscriptions: int = 100
    live_max_messages_per_second: int = 50
    live_max_connections_per_address: int = 100
    persisted_only: bool = False
    metrics: bool = True
    metrics_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        secret_key = environ.get("SECRET_KEY") or ""
        environment = (environ.get("GROUPQL_ENV") or "development").lower()
        if environment not in {"development", "production"}:
            raise SettingsError(
                f"GROUPQL_ENV must be development or production, got {environment!r}"
            )
        production = environment == "production"
        if production and not secret_key:
            raise SettingsError("SECRET_KEY must be set when GROUPQL_ENV is production")
        key_file = None
        if not secret_key:
            key_file = Path(environ.get("SECRET_KEY_FILE") or DEFAULT_SECRET_KEY_FILE)
            secret_key = development_secret(key_file)
        origins = environ.get("CORS_ORIGINS")
        return cls(
            production=production,
            introspection=_switch(environ, "INTROSPECTION", default=not production),
            cors_origins=_origins(origins) if origins is not None else _default_origins(production),
            request_timeout_seconds=_integer(environ, "REQUEST_TIMEOUT_SECONDS", 10, minimum=1),
            max_depth=_integer(environ, "MAX_DEPTH", 10, minimum=1),
            max_aliases=_integer(environ, "MAX_ALIASES", 15, minimum=0),
            max_tokens=_integer(environ, "MAX_TOKENS", 2000, minimum=10),
            max_directives=_integer(environ, "MAX_DIRECTIVES", 50, minimum=0),
            max_nodes=_integer(environ, "MAX_NODES", 10_000, minimum=1),
            max_field_repeats=_integer(environ, "MAX_FIELD_REPEATS", 10, minimum=1),
            rate_limits=_switch(environ, "RATE_LIMITS", default=True),
            rate_limit_query_cost=_integer(environ, "RATE_LIMIT_QUERY_COST", 20_000, minimum=1),
            rate_limit_mutations=_integer(environ, "RATE_LIMIT_MUTATIONS", 120, minimum=1),
            rate_limit_sign_in=_integer(environ, "RATE_LIMIT_SIGN_IN", 10, minimum=1),
            rate_limit_views=_integer(environ, "RATE_LIMIT_VIEWS", 100, minimum=1),
            views_per_address=_integer(environ, "VIEWS_PER_ADDRESS", 10, minimum=0),
            redis_url=environ.get("REDIS_URL") or None,
            graphql_plans=_switch(environ, "GRAPHQL_PLANS", default=True),
            max_validation_errors=_integer(environ, "MAX_VALIDATION_ERRORS", 5, minimum=1),
            redis_pool_size=_integer(environ, "REDIS_POOL_SIZE", 20, minimum=1),
            prune_interval_seconds=_integer(environ, "PRUNE_INTERVAL_SECONDS", 3600, minimum=0),
            live_interval_ms=_integer(environ, "LIVE_INTERVAL_MS", 250, minimum=10),
            live_queue_size=_integer(environ, "LIVE_QUEUE_SIZE", 100, minimum=1),
            live_max_lag_seconds=_integer(environ, "LIVE_MAX_LAG_SECONDS", 30, minimum=1),
            live_max_subscriptions=_integer(environ, "LIVE_MAX_SUBSCRIPTIONS", 100, minimum=1),
            live_max_messages_per_second=_integer(
                environ, "LIVE_MAX_MESSAGES_PER_SECOND", 50, minimum=1
            ),
            live_max_connections_per_address=_integer(
                environ, "LIVE_MAX_CONNECTIONS_PER_ADDRESS", 100, minimum=1
            ),
            persisted_only=_switch(environ, "PERSISTED_ONLY", default=False),
            metrics=_switch(environ, "METRICS", default=True),
            metrics_token=environ.get("METRICS_TOKEN") or None,
            database_url=environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            db_pool_size=_integer(environ, "DB_POOL_SIZE", 10, minimum=1),
            db_pool_timeout_seconds=_integer(environ, "DB_POOL_TIMEOUT_SECONDS", 5, minimum=1),
            host=environ.get("HOST") or "127.0.0.1",
            port=_integer(environ, "PORT", 8000, minimum=1),
            view_window_seconds=_integer(environ, "VIEW_WINDOW_SECONDS", 28800, minimum=0),
            secret_key=secret_key,
            secret_key_file=str(key_file) if key_file else None,
            log_level=(environ.get("LOG_LEVEL") or "INFO").upper(),
            max_body_bytes=_integer(environ, "MAX_BODY_BYTES", 262144, minimum=1024),
            token_ttl_days=_integer(environ, "TOKEN_TTL_DAYS", 30, minimum=1),
        )


def development_secret(path: Path) -> str:
    """The key kept in `path`, made on first use: every process of one checkout reads the
    same key, so several workers share view deduplication and rate limits as in production.

    The new key is written whole to a file of its own, then linked to `path`, which
    fails when `path` exists: of two processes starting together, the first link wins
    and both read its key.
    """
    if not path.exists():
        draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        try:
            descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_hex(32) + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        except OSError as error:
            raise SettingsError(
                f"SECRET_KEY is not set and no development key can be kept in {path} "
                f"({error.strerror}): set SECRET_KEY, or SECRET_KEY_FILE to a writable path"
            ) from None
        finally:
            draft.unlink(missing_ok=True)
    try:
        key = path.read_text().strip()
    except OSError as error:
        raise SettingsError(
            f"SECRET_KEY is not set and the development key in {path} cannot be read "
            f"({error.strerror}): set SECRET_KEY"
        ) from None
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(
            f"{path} holds no key of at least {MIN_SECRET_KEY_LENGTH} characters: delete it "
            "to have a new one made, or set SECRET_KEY"
        )
    return key


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


def _switch(environ: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = (environ.get(name) or "").lower()
    if raw == "":
        return default
    if raw in {"on", "true", "1", "yes"}:
        return True
    if raw in {"off", "false", "0", "no"}:
        return False
    raise SettingsError(f"{name} must be on or off, got {raw!r}")


def _origins(raw: str) -> tuple[str, ...]:
    origins = tuple(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip())
    for origin in origins:
        if origin == "*" or not origin.startswith(("http://", "https://")):
            raise SettingsError(
                f"CORS_ORIGINS must list origins such as https://app.example.org, got {origin!r}"
            )
    return origins


def _default_origins(production: bool) -> tuple[str, ...]:
    return () if production else DEVELOPMENT_ORIGINS
