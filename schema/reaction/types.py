from __future__ import annotations

from enum import Enum

import strawberry

from schema.context import Info


@strawberry.enum(description="A kind of reaction.")
class ReactionKind(Enum):
    LIKE = strawberry.enum_value("LIKE", description="Like.")
    HEART = strawberry.enum_value("HEART", description="Love it.")
    INSIGHTFUL = strawberry.enum_value("INSIGHTFUL", description="Learned something.")
    SUPPORT = strawberry.enum_value("SUPPORT", description="Standing with you.")


@strawberry.type(description="How many reactions of one kind, and whether the viewer gave one.")
class ReactionGroup:
    kind: ReactionKind = strawberry.field(description="The kind of reaction.")
    count: int = strawberry.field(description="How many members reacted so.")
    viewer_has_reacted: bool = strawberry.field(description="Whether the viewer is one of them.")


@strawberry.interface(description="Something members react to: an article or a comment.")
class Reactable:
    reaction_count: int = strawberry.field(description="How many reactions, of every kind.")

    # Each implementing type answers these from its own loaders.

    @strawberry.field(
        description="Each kind of reaction, in a fixed order, with its count (0 included)."
    )
    async def reaction_groups(self, info: Info) -> list[ReactionGroup]:
        raise NotImplementedError

    @strawberry.field(description="Whether the viewer may react (members of the group may).")
    async def viewer_can_react(self, info: Info) -> bool:
        raise NotImplementedError
