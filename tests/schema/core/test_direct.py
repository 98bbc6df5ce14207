"""Direct resolvers answer exactly as Strawberry's wrapper would, and are installed only
where the wrapper adds nothing."""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from graphql import execute, graphql, parse
from strawberry.permission import BasePermission
from strawberry.types.info import Info

from schema.core.direct import DirectExecutionContext, call_directly


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
class Row:
    """A row whose attributes may break their types, as a bug would."""

    name: str
    count: int
    order: Order = Order.NEWEST


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

    @strawberry.field
    def rows(self) -> list[Row | None]:
        broken: Any = [Row(name=None, count=2), Row(name="broken", count="many")]  # type: ignore[arg-type]
        return [Row(name="kept", count=1, order=Order.OLDEST), *broken]


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

    # listed, later, rows and Row's three attributes; the rest are left to Strawberry
    assert installed == 6
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


ROWS = "query Rows { rows { name count order } }"


def test_leaf_attributes_answer_and_fail_exactly_as_graphql_core_does() -> None:
    direct = strawberry.Schema(query=Query)
    call_directly(direct._schema)

    def run_with(executor: Any) -> Any:
        return execute(direct._schema, parse(ROWS), Query(), executor_class=executor)

    usual, fast = run_with(None), run_with(DirectExecutionContext)

    assert (
        fast.data
        == usual.data
        == {"rows": [{"name": "kept", "count": 1, "order": "OLDEST"}, None, None]}
    )
    assert [e.formatted for e in fast.errors] == [e.formatted for e in usual.errors]
    assert {e.message for e in fast.errors} == {
        "Cannot return null for non-nullable field Row.name.",
        "Int cannot represent non-integer value: 'many'",
    }
