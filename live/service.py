"""Live data for one server process: the bus and the hub, with every subscription field's feed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from live.bus import Bus, MemoryBus
from live.execution import Engine, PlannedEngine
from live.hub import Hub
from live.redis_bus import RedisBus
from schema.article.subscriptions import ArticleChangedFeed
from schema.comment.subscriptions import CommentAddedFeed
from schema.group.subscriptions import GroupActivityFeed
from settings import Settings

if TYPE_CHECKING:
    from engine.engine import Engine as GraphQLEngine


@dataclass(frozen=True, slots=True)
class Live:
    bus: Bus  # the engine gives it to every Context, so that writes publish their events
    hub: Hub  # the transports call `hub.subscribe`

    async def start(self) -> None:
        await self.bus.start()
        await self.hub.start()

    async def stop(self) -> None:
        await self.hub.stop()
        await self.bus.stop()


def live_bus(settings: Settings) -> Bus:
    """In-process events when REDIS_URL is unset, Redis pub/sub when it is set."""
    return RedisBus(settings.redis_url) if settings.redis_url else MemoryBus()


def create_live(
    settings: Settings, engine: GraphQLEngine, *, bus: Bus, hub_engine: Engine | None = None
) -> Live:
    hub = Hub(
        hub_engine or PlannedEngine(engine),
        settings,
        live={"articleChanged": ArticleChangedFeed()},
        streams={"commentAdded": CommentAddedFeed(), "groupActivity": GroupActivityFeed()},
        graphql_schema=engine.graphql_schema,
    )
    bus.attach(hub)
    return Live(bus, hub)
