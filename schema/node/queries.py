from __future__ import annotations

import asyncio
from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader

from schema.context import Info
from schema.core import ids as global_ids
from schema.core.errors import UserInputError
from schema.core.node import Node

MAX_NODES = 100


async def load_node(info: Info, global_id: str) -> Node | None:
    """The object behind `global_id`, or None when it is malformed, unknown or not visible."""
    decoded = global_ids.decode(global_id)
    if decoded is None:
        return None
    type_name, pk = decoded
    loaders = info.context.loaders
    by_type: dict[str, DataLoader[int, Any]] = {
        "Group": loaders.group_by_id,
        "Article": loaders.article_by_id,
        "Comment": loaders.comment_by_id,
        "Member": loaders.member_by_id,
    }
    loader = by_type.get(type_name)
    if loader is None:
        return None
    node: Node | None = await loader.load(pk)
    return node


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description=(
            "The object with this global ID; null when the ID is malformed, unknown, or names "
            "something you cannot see."
        )
    )
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")],  # noqa: A002
    ) -> Node | None:
        return await load_node(info, id)

    @strawberry.field(
        description=(
            f"The objects with these global IDs (at most {MAX_NODES}), in the same order; "
            "null in the place of each ID `node` would answer null for."
        )
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs.")],
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise UserInputError(
                f"`ids` may hold at most {MAX_NODES} IDs, got {len(ids)}.", argument="ids"
            )
        return list(await asyncio.gather(*(load_node(info, global_id) for global_id in ids)))
