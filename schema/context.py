from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import strawberry
from starlette.requests import HTTPConnection

from live.events import Event, Publisher, emit
from schema.account.authentication import Viewer
from schema.core.access import ANONYMOUS, Access
from schema.core.rate_limits import Budget, RateLimited, RateLimiter
from settings import Settings

if TYPE_CHECKING:
    from schema.loaders import Loaders


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class Context:
    """What every resolver of one operation shares (over WebSocket too: one per operation,
    so loaders never serve what an earlier operation read)."""

    settings: Settings
    viewer: Viewer | None = None
    request: HTTPConnection | None = None
    clock: Callable[[], datetime] = field(default=utc_now)
    rate_limiter: RateLimiter | None = None
    bus: Publisher | None = None  # where committed writes publish their events
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        # Imported here: the loaders import the types, which import this module.
        from schema.loaders import Loaders

        self.loaders = Loaders(self.access, self.clock)

    def renewed(self) -> Context:
        """The same viewer, request and settings, with fresh loaders (nothing cached)."""
        return dataclasses.replace(self)

    def emit(self, *events: Event) -> None:
        """Publish what a write changed: at once, or when its transaction commits."""
        emit(self.bus, *events)

    @property
    def rate_key(self) -> str:
        """Whose budgets a request spends: the signed-in member's, else its address's."""
        if self.viewer is not None:
            return f"member:{self.viewer.member_id}"
        client = self.request.client if self.request is not None else None
        return f"address:{client.host if client else 'unknown'}"

    async def spend(self, budget: Budget, amount: int) -> None:
        """Spend the viewer's budget; refuse the request when it is spent."""
        wait = await self.wait_for(budget, amount)
        if wait:
            raise RateLimited(budget, wait)

    async def wait_for(self, budget: Budget, amount: int) -> float:
        """Spend the viewer's budget: 0 when allowed, else the seconds to wait."""
        if self.rate_limiter is None:
            return 0.0
        now = self.clock().timestamp()
        return await self.rate_limiter.spend(budget, self.rate_key, amount, now)

    async def access(self) -> Access:
        """What the viewer may see and do; their memberships are read once per request."""
        if self.viewer is None:
            return ANONYMOUS
        standings = await self.loaders.standings_by_member.load(self.viewer.member_id)
        return Access(member_id=self.viewer.member_id, standings=standings)


Info = strawberry.Info[Context, None]
