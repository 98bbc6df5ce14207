"""The benchmark's knobs, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/groupql_bench"


@dataclass(frozen=True, slots=True)
class Options:
    database_url: str = DEFAULT_DATABASE_URL
    rounds: int = 3
    seconds: int = 10
    warmup_seconds: int = 3
    threads: int = 1
    connections: int = 16

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Options:
        defaults = cls()
        return cls(
            database_url=environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL,
            rounds=_positive(environ, "BENCH_ROUNDS", defaults.rounds),
            seconds=_positive(environ, "BENCH_SECONDS", defaults.seconds),
            warmup_seconds=_positive(environ, "BENCH_WARMUP_SECONDS", defaults.warmup_seconds),
            threads=_positive(environ, "BENCH_THREADS", defaults.threads),
            connections=_positive(environ, "BENCH_CONNECTIONS", defaults.connections),
        )


def _positive(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name) or ""
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"{name} must be a positive integer, got {raw!r}")
    return int(raw)
