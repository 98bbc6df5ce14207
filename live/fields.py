"""What a subscription field's own resolver does: nothing but point at the hub.

Subscriptions are not run by Strawberry's per-subscriber `subscribe`: the
transport calls `live.hub.Hub.subscribe`, which executes each field's
selection once per event for everyone who shares it, with the fresh object
as the root value (a subscription field resolves to its root value). Should
anything run one through `Schema.subscribe` anyway, it gets this error rather
than a stream that never moves.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, NoReturn

from graphql import GraphQLError

from schema.core.errors import ErrorCode


async def served_by_hub(info: Any) -> AsyncGenerator[NoReturn, None]:
    raise GraphQLError(
        f"`{info.field_name}` is served by the live hub over WebSocket or Server-Sent Events.",
        extensions={"code": ErrorCode.BAD_REQUEST.value},
    )
    yield  # an async generator, as subscriptions are  # pragma: no cover
