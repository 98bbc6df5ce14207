"""Limits are checked before any resolver runs, and cannot be dodged with fragments."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from graphql import get_introspection_query
from graphql.language.lexer import Lexer
from tortoise.context import TortoiseContext

from engine import Answer, limits
from engine.limits import count_tokens
from settings import Settings
from tests.conftest import settings_for
from tests.engine.helpers import engine_for
from tests.engine.helpers import run as run_in
from tests.web.helpers import app_client


def run(query: str, variables: dict[str, Any] | None = None) -> Answer:
    """Run in process; a refused query never reaches a resolver, so needs no database."""
    return asyncio.run(run_in(engine_for(settings_for("sqlite://:memory:")), query, variables))


async def run_on(settings: Settings, query: str, variables: dict[str, Any] | None = None) -> Answer:
    return await run_in(engine_for(settings), query, variables)


def refused_with(query: str, code: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = run(query, variables)
    assert not answer.executed, answer
    [error] = answer.errors
    assert error["extensions"]["code"] == code, error
    return {"message": error["message"], **error["extensions"]}


def nested(levels: int, leaf: str = "body") -> str:
    """group > articles > nodes > comments > nodes > (replies > nodes) x n > body: `levels`
    (even, 6 or more) field levels deep."""
    inner = leaf
    for _ in range((levels - 6) // 2):
        inner = f"replies(first: 1) {{ nodes {{ {inner} }} }}"
    comments = f"comments(first: 1) {{ nodes {{ {inner} }} }}"
    return f'group(slug: "x") {{ articles(first: 1) {{ nodes {{ {comments} }} }} }}'


DEEP = "query Deep { " + nested(12) + " }"
SHALLOW = "query Shallow { " + nested(10) + " }"


def test_a_query_deeper_than_ten_levels_is_refused_and_says_how_deep() -> None:
    refusal = refused_with(DEEP, "DEPTH_LIMIT_EXCEEDED")

    assert refusal["message"] == "The query is 12 levels deep; the limit is 10."
    assert (refusal["measured"], refusal["limit"]) == (12, 10)


async def test_ten_levels_are_allowed(db: TortoiseContext, settings: Settings) -> None:
    answer = await run_on(settings, SHALLOW)

    assert answer.errors == []
    assert answer.data == {"group": None}


@pytest.mark.parametrize(
    "query",
    [
        "query Deep { ...Thread } fragment Thread on Query { " + nested(12) + " }",
        "query Deep { ... on Query { " + nested(12) + " } }",
        "query __schema { " + nested(12) + " }",
        "query Deep { ...A } fragment A on Query { ...B } fragment B on Query { "
        + nested(12)
        + " }",
    ],
)
def test_depth_counts_through_fragments_and_any_operation_name(query: str) -> None:
    assert refused_with(query, "DEPTH_LIMIT_EXCEEDED")["measured"] == 12


def test_introspection_is_exempt_from_the_depth_limit() -> None:
    answer = run(get_introspection_query())

    assert answer.errors == []
    assert answer.data is not None
    assert answer.data["__schema"]["queryType"]["name"] == "Query"


def aliases(count: int) -> str:
    return " ".join(f"a{n}: __typename" for n in range(count))


def test_more_than_fifteen_aliases_are_refused() -> None:
    refusal = refused_with("query Many { " + aliases(16) + " }", "ALIAS_LIMIT_EXCEEDED")

    assert refusal["message"] == "The query uses 16 aliases; the limit is 15."
    assert run("query Enough { " + aliases(15) + " }").errors == []


@pytest.mark.parametrize(
    "query",
    [
        "query Many { ...F ...F } fragment F on Query { " + aliases(8) + " }",
        "query Many { ... on Query { " + aliases(8) + " } ... on Query { " + aliases(8) + " } }",
    ],
)
def test_aliases_count_in_every_fragment_use(query: str) -> None:
    assert refused_with(query, "ALIAS_LIMIT_EXCEEDED")["measured"] == 16


def test_more_than_fifty_directives_are_refused() -> None:
    query = "query Loud { __typename " + "@skip(if: false) " * 51 + "}"

    refusal = refused_with(query, "DIRECTIVE_LIMIT_EXCEEDED")

    assert (refusal["measured"], refusal["limit"]) == (51, 50)


def test_more_than_two_thousand_tokens_are_refused_before_parsing() -> None:
    query = "query Long { " + "__typename " * 2100 + "}"

    refusal = refused_with(query, "TOKEN_LIMIT_EXCEEDED")

    assert refusal["message"] == (
        "The document has more than 2,000 tokens, the limit (it was not read further)."
    )
    assert (refusal["measured"], refusal["limit"]) == (2001, 2000)


def test_tokens_are_counted_like_the_parser_reads_them() -> None:
    # query Q ( $ a : Int ) { x ( a : $ a ) }: 17; the comment is not a token
    assert count_tokens("query Q($a: Int) { x(a: $a) } # a comment", 2000) == 17


def test_the_lexer_stops_one_token_past_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    read = []
    original = Lexer.advance

    def advance(self: Any) -> Any:
        read.append(1)
        return original(self)

    monkeypatch.setattr(Lexer, "advance", advance)

    assert count_tokens("query Long { " + "a " * 100_000 + "}", 2000) == 2001
    assert len(read) == 2001


def test_circular_fragments_are_a_validation_error_not_a_hang() -> None:
    answer = run("query Loop { ...A } fragment A on Query { ...B } fragment B on Query { ...A }")

    codes = {error["extensions"]["code"] for error in answer.errors}
    assert codes == {"GRAPHQL_VALIDATION_FAILED"}


def fan_out(levels: int, leaf: str) -> str:
    """`query Fan { ...F0 }`, each fragment spreading the next twice: `leaf` is used
    2**levels times by a query of a few hundred tokens."""
    fragments = "".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }} " for i in range(levels)
    )
    return f"query Fan {{ ...F0 }} {fragments}fragment F{levels} on Query {{ {leaf} }}"


CALLS_BEFORE_GIVING_UP = 10_000


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How often the shape walker ran; past a sane number it stops the test instead of
    walking 2**40 fragment uses."""
    counted: list[int] = []
    walker = limits._walk

    def counting(*args: Any, **kwargs: Any) -> Any:
        counted.append(1)
        if len(counted) > CALLS_BEFORE_GIVING_UP:
            raise AssertionError("_walk walks every use of a fragment")
        return walker(*args, **kwargs)

    monkeypatch.setattr(limits, "_walk", counting)
    return counted


async def test_a_fragment_spread_twice_at_every_level_is_measured_once_per_fragment(
    db: TortoiseContext, settings: Settings, walks: list[int]
) -> None:
    answer = await run_on(settings, fan_out(40, "groups(first: 1) { totalCount }"))

    # 2**40 uses of one field: it executes once, so it is counted once.
    assert answer.errors == []
    assert answer.data == {"groups": {"totalCount": 0}}
    assert answer.cost == 1
    assert len(walks) <= 2 * 42


async def test_a_fragment_fan_out_over_http_is_measured_validated_and_run_once(
    walks: list[int],
) -> None:
    async with app_client() as http:
        response = await http.post("/graphql", json={"query": fan_out(150, "__typename")})

    assert response.json() == {
        "data": {"__typename": "Query"},
        "extensions": {"cost": {"requested": 0, "limit": 10_000}},
    }
    assert len(walks) <= 2 * 152


NESTED_PAGES = """
query Everything($first: Int) {
  groups(first: 100) {
    nodes { articles(first: 100) { nodes { comments(first: $first) { nodes { body } } } } }
  }
}
"""


def test_the_node_limit_multiplies_page_sizes_along_nested_connections() -> None:
    refusal = refused_with(NESTED_PAGES, "NODE_LIMIT_EXCEEDED", {"first": 100})

    assert refusal["measured"] == 100 + 100 * 100 + 100 * 100 * 100
    assert refusal["limit"] == 10_000


async def test_a_page_query_reports_its_cost(db: TortoiseContext, settings: Settings) -> None:
    query = "query Page { groups(first: 5) { nodes { articles(first: 20) { nodes { title } } } } }"

    answer = await run_on(settings, query)

    assert answer.errors == []
    assert answer.body()["extensions"] == {"cost": {"requested": 5 + 5 * 20, "limit": 10_000}}


async def test_connections_without_first_count_twenty_and_nodes_count_their_ids(
    db: TortoiseContext, settings: Settings
) -> None:
    query = 'query Cost { groups { totalCount } nodes(ids: ["a", "b", "c"]) { id } }'

    answer = await run_on(settings, query)

    assert answer.body()["extensions"] == {"cost": {"requested": 20 + 3, "limit": 10_000}}


def test_a_refusal_reports_the_cost_too() -> None:
    answer = run(NESTED_PAGES, {"first": 100})

    assert answer.body()["extensions"] == {"cost": {"requested": 1_010_100, "limit": 10_000}}
