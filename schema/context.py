from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from schema.account.authentication import Viewer
from schema.core.access import ANONYMOUS, Access
from settings import Settings

if TYPE_CHECKING:
    from schema.loaders import Loaders


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class Context:
    """What every resolver of one request (or one WebSocket connection) shares."""

    settings: Settings
    viewer: Viewer | None = None
    request: Request | WebSocket | None = None
    response: Response | WebSocket | None = None
    clock: Callable[[], datetime] = field(default=utc_now)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        # Imported here: the loaders import the types, which import this module.
        from schema.loaders import Loaders

        self.loaders = Loaders(self.access, self.clock)

    async def access(self) -> Access:
        """What the viewer may see and do; their memberships are read once per request."""
        if self.viewer is None:
            return ANONYMOUS
        standings = await self.loaders.standings_by_member.load(self.viewer.member_id)
        return Access(member_id=self.viewer.member_id, standings=standings)


Info = strawberry.Info[Context, None]
