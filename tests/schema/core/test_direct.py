"""Direct resolvers answer exactly as Strawberry's wrapper would, and are installed only
where the wrapper adds nothing."""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from graphql import graphql
from strawberry.permission import BasePermission
from strawberry.types.info import Info

from schema.core.direct import call_directly


@strawberry.enum
class Order(enum.Enum):
    """A test enum."""

    NEWEST = "newest"
    OLDEST = "oldest"


class Nobody(BasePermission):
    message = "nobody"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Query:
    @strawberry.field
    def listed(self, order: Order = Order.NEWEST, limit: int | None = None) -> str:
        return f"{order.name} {limit}"

    @strawberry.field
    async def later(self, info: Info, word: str) -> str:
        return f"{word} {info.field_name}"

    @strawberry.field
    def renamed_info(self, ctx: Info) -> str:
        return ctx.field_name

    guarded: str = strawberry.field(resolver=lambda self: "secret", permission_classes=[Nobody])

    @strawberry.field
    def listing(self, ids: list[int]) -> int:
        return len(ids)


QUERY = """
query Everything($order: Order) {
  listed
  oldest: listed(order: OLDEST, limit: 3)
  byVariable: listed(order: $order, limit: null)
  later(word: "hello")
  renamedInfo
  listing(ids: [1, 2])
}
"""


async def run(schema: strawberry.Schema, query: str) -> Any:
    return await graphql(
        schema._schema, query, root_value=Query(), variable_values={"order": "OLDEST"}
    )


async def test_direct_resolvers_answer_like_strawberrys() -> None:
    wrapped = strawberry.Schema(query=Query)
    direct = strawberry.Schema(query=Query)

    installed = call_directly(direct._schema)

    assert installed == 2  # listed and later; the rest are left to Strawberry
    expected, answered = await run(wrapped, QUERY), await run(direct, QUERY)
    assert answered.errors is None
    assert answered.data == expected.data
    assert answered.data == {
        "listed": "NEWEST None",
        "oldest": "OLDEST 3",
        "byVariable": "OLDEST None",
        "later": "hello later",
        "renamedInfo": "renamedInfo",
        "listing": 2,
    }


async def test_permission_classes_keep_strawberrys_wrapper() -> None:
    direct = strawberry.Schema(query=Query)
    call_directly(direct._schema)

    result = await run(direct, "query Guarded { guarded }")

    assert [error.message for error in result.errors or ()] == ["nobody"]
