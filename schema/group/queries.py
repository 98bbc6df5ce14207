from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.core import keyset
from schema.core.pagination import (
    After,
    Before,
    Connection,
    First,
    Last,
    Order,
    connection,
    page_of,
)
from schema.group.loaders import GROUPS
from schema.group.types import Group

GROUPS_NEWEST = Order("group:NEWEST", "created_at", descending=True)


@strawberry.type
class GroupQuery:
    @strawberry.field(
        description=(
            "The group with this slug, or that had it before (its `slug` is the current "
            "one); null when there is none you can see."
        )
    )
    async def group(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="The group's slug.")],
    ) -> Group | None:
        if not 0 < len(slug) <= 100 or "\x00" in slug:  # no group's slug holds NUL
            return None
        return await info.context.loaders.group_by_slug.load(slug)

    @strawberry.field(description="Every group you can see, newest first.")
    async def groups(
        self,
        info: Info,
        first: First = strawberry.UNSET,
        after: After = strawberry.UNSET,
        last: Last = strawberry.UNSET,
        before: Before = strawberry.UNSET,
    ) -> Connection[Group]:
        page = page_of(GROUPS_NEWEST, first, after, last, before)
        listing = GROUPS.also(*(await info.context.access()).sees_groups_sql("g"))
        rows = await keyset.page(listing, page)
        return connection(rows, page, Group.from_row, lambda: keyset.count(listing))
