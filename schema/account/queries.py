from __future__ import annotations

import strawberry

from schema.context import Info
from schema.member.types import Member


@strawberry.type
class AccountQuery:
    @strawberry.field(description="Who is signed in; null for an anonymous request.")
    async def viewer(self, info: Info) -> Member | None:
        if info.context.viewer is None:
            return None
        return await info.context.loaders.member_by_id.load(info.context.viewer.member_id)
