"""Every loader of a request hands out futures a cancelled caller cannot cancel."""

from __future__ import annotations

import asyncio
from functools import cached_property

from schema.core.access import ANONYMOUS, Access
from schema.core.loaders import Loader, SharedFuture
from schema.loaders import Loaders
from tests.conftest import Clock


async def anonymous() -> Access:
    return ANONYMOUS


async def test_every_loader_is_a_loader_with_shared_futures() -> None:
    loaders = Loaders(anonymous, Clock())
    names = [name for name, value in vars(Loaders).items() if isinstance(value, cached_property)]

    made = {name: getattr(loaders, name) for name in names}

    assert len(made) > 15
    assert all(isinstance(loader, Loader) for loader in made.values()), made


async def test_cancelling_one_caller_leaves_the_others_their_value() -> None:
    async def load(keys: list[int]) -> list[int]:
        await asyncio.sleep(0.01)
        return [key * 2 for key in keys]

    loader: Loader[int, int] = Loader(load_fn=load)

    async def caller() -> int:
        return await loader.load(21)

    first, second = asyncio.create_task(caller()), asyncio.create_task(caller())
    await asyncio.sleep(0)
    first.cancel()

    assert await second == 42
    assert first.cancelled()
    assert isinstance(loader.load(21), SharedFuture)
