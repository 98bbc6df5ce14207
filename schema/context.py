from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from settings import Settings

if TYPE_CHECKING:
    from schema.loaders import Loaders


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class Context:
    """What every resolver of one request (or one WebSocket connection) shares."""

    settings: Settings
    loaders: Loaders
    request: Request | WebSocket | None = None
    response: Response | WebSocket | None = None
    clock: Callable[[], datetime] = field(default=utc_now)


Info = strawberry.Info[Context, None]
