"""Planned execution answers exactly as graphql-core's executor does, calling resolvers
directly where Strawberry's wrapper adds nothing and through it everywhere else."""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry.permission import BasePermission
from strawberry.types.info import Info

from engine import Answer
from engine.resolvers import ATTRIBUTE, DIRECT, WRAPPED, call_of
from settings import Settings
from tests.engine.helpers import engine_for
from tests.engine.helpers import run as run_in


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


TOY = strawberry.Schema(query=Query)


async def both(query: str, variables: dict[str, Any] | None = None) -> tuple[Answer, Answer]:
    """The answer of the planned executor, and graphql-core's (the reference)."""
    planned = await run_in(engine_for(Settings(), TOY), query, variables)
    reference = await run_in(engine_for(Settings(graphql_plans=False), TOY), query, variables)
    return planned, reference


def test_calls_are_direct_only_where_the_wrapper_adds_nothing() -> None:
    query_type = TOY._schema.query_type
    assert query_type is not None
    kinds = {name: call_of(field).kind for name, field in query_type.fields.items()}

    assert kinds == {
        "listed": DIRECT,
        "later": DIRECT,
        "renamedInfo": WRAPPED,  # Info under another name
        "guarded": WRAPPED,  # a permission class
        "listing": WRAPPED,  # a list argument
        "rows": DIRECT,
    }
    row = TOY._schema.type_map["Row"]
    assert isinstance(row, GraphQLObjectType)
    assert {call_of(field).kind for field in row.fields.values()} == {ATTRIBUTE}


async def test_direct_resolvers_answer_like_strawberrys() -> None:
    planned, reference = await both(QUERY, {"order": "OLDEST"})

    assert planned.errors == reference.errors == []
    assert (
        planned.data
        == reference.data
        == {
            "listed": "NEWEST None",
            "oldest": "OLDEST 3",
            "byVariable": "OLDEST None",
            "later": "hello later",
            "renamedInfo": "renamedInfo",
            "listing": 2,
        }
    )


async def test_permission_classes_keep_strawberrys_wrapper() -> None:
    planned, reference = await both("query Guarded { guarded }")

    assert [error["message"] for error in planned.errors] == ["nobody"]
    assert planned.body() == reference.body()


ROWS = "query Rows { rows { name count order } }"


async def test_leaf_attributes_answer_and_fail_exactly_as_graphql_core_does() -> None:
    planned, reference = await both(ROWS)

    assert planned.data == {"rows": [{"name": "kept", "count": 1, "order": "OLDEST"}, None, None]}
    assert without_ids(planned.body()) == without_ids(reference.body())
    assert {e["message"] for e in planned.errors} == {
        "Cannot return null for non-nullable field Row.name.",
        "Int cannot represent non-integer value: 'many'",
    }


def without_ids(body: dict[str, Any]) -> dict[str, Any]:
    """The body with each unexpected error's random id taken out."""
    for error in body.get("errors", []):
        error["extensions"].pop("errorId", None)
    return body
