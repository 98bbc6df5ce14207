"""Live data for one server process: the bus and the hub, with every subscription field's feed."""

from __future__ import annotations

from dataclasses import dataclass

from live.bus import Bus, MemoryBus
from live.execution import CoreEngine, Engine
from live.hub import Hub
from live.redis_bus import RedisBus
from schema.article.subscriptions import ArticleChangedFeed
from schema.comment.subscriptions import CommentAddedFeed
from schema.core.execution import Runner
from schema.group.subscriptions import GroupActivityFeed
from settings import Settings


@dataclass(frozen=True, slots=True)
class Live:
    bus: Bus  # give it to every Context (`bus=`) so that writes publish their events
    hub: Hub  # the transports call `hub.subscribe`

    async def start(self) -> None:
        await self.bus.start()
        await self.hub.start()

    async def stop(self) -> None:
        await self.hub.stop()
        await self.bus.stop()


def create_live(
    settings: Settings, runner: Runner, *, bus: Bus | None = None, engine: Engine | None = None
) -> Live:
    """In-process events when REDIS_URL is unset, Redis pub/sub when it is set."""
    if bus is None:
        bus = RedisBus(settings.redis_url) if settings.redis_url else MemoryBus()
    hub = Hub(
        engine or CoreEngine(runner),
        settings,
        live={"articleChanged": ArticleChangedFeed()},
        streams={"commentAdded": CommentAddedFeed(), "groupActivity": GroupActivityFeed()},
        graphql_schema=runner.graphql_schema,
    )
    bus.attach(hub)
    return Live(bus, hub)
