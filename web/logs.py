"""Logs as one JSON object per line (python-json-logger): `timestamp`, `level`, `logger`,
`message`, and what the line carries besides (`extra=`) as keys of its own, e.g. each
operation's line on `groupql.requests` (`engine.logs`).
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.orjson import OrjsonFormatter

RENAMED = {"levelname": "level", "name": "logger"}


def json_formatter() -> logging.Formatter:
    return OrjsonFormatter(
        "%(levelname)s %(name)s %(message)s", rename_fields=RENAMED, timestamp=True
    )


def configure_logging(level: str) -> None:
    """Every log line of the process as JSON on stderr at `level`, unless logging is
    configured already: however the app is served (`uvicorn server:app` sets up only
    uvicorn's own loggers, which keep their format)."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(json_formatter())
        root.addHandler(handler)
        root.setLevel(level)
    logging.getLogger("groupql").setLevel(level)
