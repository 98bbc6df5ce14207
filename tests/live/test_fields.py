"""A subscription run outside the hub answers why, instead of a stream that never moves."""

from __future__ import annotations

from schema.context import Context
from schema.schema import schema
from settings import Settings

QUERY = "subscription S($ids: [ID!]!) { articleChanged(ids: $ids) { id } }"


async def test_strawberrys_own_subscribe_is_told_to_use_the_hub() -> None:
    stream = await schema.subscribe(
        QUERY, variable_values={"ids": ["x"]}, context_value=Context(Settings())
    )
    results = [result async for result in stream]
    [result] = results
    assert result.data is None
    assert result.errors is not None
    assert result.errors[0].message == (
        "`articleChanged` is served by the live hub over WebSocket or Server-Sent Events."
    )
    assert result.errors[0].extensions == {"code": "BAD_REQUEST"}
