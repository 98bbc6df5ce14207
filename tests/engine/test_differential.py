"""The planned executor answers exactly as graphql-core's executor does (GRAPHQL_PLANS=off,
the reference): the same JSON, errors and their order included.

Two corpora, each operation run by both engines on the same data, inside a transaction
rolled back after each run so that mutations leave nothing for the next one: every
operation string of the test suite (with variables drawn from the demo data), and
operations generated from the schema (`tests.engine.generator`), as an anonymous
caller, a member of every group, and a member with a pending request.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import random
from pathlib import Path
from typing import Any

import orjson
from graphql import OperationDefinitionNode, OperationType, parse, validate
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from demo.seed import seed_if_empty
from engine import Answer, Engine, Operation
from models import Group, Member
from models.sql import client, fetch, is_postgres
from schema.account.authentication import Viewer
from schema.core import ids
from schema.core.pagination import encode_cursor
from schema.group.queries import GROUPS_NEWEST
from schema.schema import schema
from settings import Settings
from tests.conftest import Clock
from tests.engine.generator import Generator, Pools
from tests.engine.helpers import engine_for

GENERATED = int(os.environ.get("DIFFERENTIAL_OPERATIONS", "2000"))
SEED = int(os.environ.get("DIFFERENTIAL_SEED", "20261201"))
TESTS_DIR = Path(__file__).resolve().parents[1]
EVERY_OPERATION = frozenset(OperationType)
RERUNS = 5


class Rollback(Exception):  # noqa: N818 - control flow: undo what the run wrote
    pass


@dataclasses.dataclass
class Runner:
    planned: Engine
    reference: Engine
    viewers: list[Viewer | None]
    postgres: bool

    async def compare(
        self, operation: Operation, viewer: Viewer | None
    ) -> tuple[Answer, str | None]:
        """Both answers' difference (None when equal), and the planned answer."""
        planned = await self.run(self.planned, operation, viewer)
        reference = await self.run(self.reference, operation, viewer)
        ours, theirs = normalized(planned), normalized(reference)
        if ours == theirs:
            return planned, None
        if len(planned.errors) > 1 or len(reference.errors) > 1:
            # With two errors or more, graphql-core's own answer depends on timing: the
            # order of the errors, and which of them it keeps when several null one parent
            # (it drops those under a position already nulled). The data must be the same;
            # the errors one of the sets graphql-core gives.
            for _ in range(RERUNS):
                if same_data(planned, reference) and nested_errors(planned, reference):
                    return planned, None
                reference = await self.run(self.reference, operation, viewer)
        return (
            planned,
            f"{operation.query}\n{operation.variables}\nplanned:   {ours}\nreference: {theirs}",
        )

    async def run(self, engine: Engine, operation: Operation, viewer: Viewer | None) -> Answer:
        sequences = await self.sequences()
        answer: Answer | None = None
        try:
            async with in_transaction():
                answer = await engine.run(operation, None, allowed=EVERY_OPERATION, viewer=viewer)
                raise Rollback
        except Rollback:
            pass
        await self.restore(sequences)
        assert answer is not None
        return answer

    async def sequences(self) -> list[dict[str, Any]]:
        """PostgreSQL's sequences do not roll back: ids would differ between the runs."""
        if not self.postgres:
            return []
        return await fetch(
            "SELECT schemaname || '.' || sequencename AS name, last_value FROM pg_sequences"
        )

    async def restore(self, sequences: list[dict[str, Any]]) -> None:
        if not sequences:
            return
        moved = [s for s in sequences if s not in await self.sequences()]
        for sequence in moved:
            if sequence["last_value"] is None:
                await fetch("SELECT setval(?, 1, false) AS ok", [sequence["name"]])
            else:
                await fetch(
                    "SELECT setval(?, ?, true) AS ok", [sequence["name"], sequence["last_value"]]
                )


def normalized(answer: Answer) -> str:
    """The answer as JSON, with what is random by design (error ids, tokens) blanked."""
    body = orjson.loads(orjson.dumps(answer.body()))

    def blank(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: "<random>" if key in {"errorId", "token"} and item is not None else blank(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [blank(item) for item in value]
        if isinstance(value, str) and "error id" in value:
            return "<masked>"
        return value

    return orjson.dumps([answer.status, answer.executed, blank(body)]).decode()


def same_data(one: Answer, other: Answer) -> bool:
    return (one.status, one.executed, one.data) == (other.status, other.executed, other.data)


def nested_errors(one: Answer, other: Answer) -> bool:
    """One answer's errors are all among the other's (graphql-core drops, never invents)."""

    def keys(answer: Answer) -> set[str]:
        body = orjson.loads(normalized(answer))[2]
        return {orjson.dumps(e, option=orjson.OPT_SORT_KEYS).decode() for e in body["errors"]}

    return keys(one) <= keys(other) or keys(other) <= keys(one)


async def demo_runner(settings: Settings, clock: Clock) -> Runner:
    await seed_if_empty()
    dana = await Member.get(name="Dana Whitfield")
    sam = await Member.get(name="Sam Harrison")
    return Runner(
        planned=engine_for(dataclasses.replace(settings, graphql_plans=True), clock=clock),
        reference=engine_for(dataclasses.replace(settings, graphql_plans=False), clock=clock),
        viewers=[None, Viewer(member_id=dana.id, token_id=0), Viewer(member_id=sam.id, token_id=0)],
        postgres=is_postgres(client()),
    )


async def demo_pools() -> Pools:
    global_ids = []
    tables = {"Group": "groups", "Article": "articles", "Comment": "comments", "Member": "members"}
    for type_name, table in tables.items():
        rows = await fetch(f"SELECT id FROM {table} ORDER BY id LIMIT 8")
        global_ids += [ids.encode(type_name, row["id"]) for row in rows]
    groups = await Group.all().order_by("-created_at", "-id")
    cursors = [encode_cursor(GROUPS_NEWEST, group.created_at, group.id) for group in groups[:3]]
    return Pools(
        ids=[*global_ids, "nope", "", ids.encode("Article", 999_999), ids.encode("Nothing", 1)],
        slugs=[*(group.slug for group in groups), "no-such-group", "x" * 101],
        cursors=[*cursors, "bogus", encode_cursor(GROUPS_NEWEST, 5, 1)],
    )


async def test_generated_operations_answer_as_graphql_core_does(
    db: TortoiseContext, settings: Settings, clock: Clock
) -> None:
    runner = await demo_runner(settings, clock)
    generator = Generator(schema._schema, await demo_pools(), SEED)
    choose = random.Random(SEED)  # noqa: S311 - reproducible test data, not secrets
    executed = refused = 0
    differences: list[str] = []
    while executed < GENERATED:
        kind = "mutation" if choose.random() < 0.1 else "query"
        generated = generator.operation(kind)
        operation = Operation(generated.query, generated.variables)
        answer, difference = await runner.compare(operation, choose.choice(runner.viewers))
        if difference is not None:
            differences.append(difference)
        if answer.executed:
            executed += 1
        else:
            refused += 1
        assert refused < GENERATED, "the generator writes mostly invalid operations"

    assert differences == [], f"{len(differences)} differences; the first:\n{differences[0]}"


def suite_operations() -> list[str]:
    """Every string in the test suite that is a GraphQL document with an operation."""
    found: dict[str, None] = {}
    for path in sorted(TESTS_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.strip()
                if not text.startswith(("query", "mutation", "{", "fragment")):
                    continue
                try:
                    document = parse(text)
                except Exception:  # noqa: BLE001, S112 - most strings are not GraphQL
                    continue
                if any(isinstance(d, OperationDefinitionNode) for d in document.definitions):
                    found[text] = None
    return list(found)


async def test_every_operation_of_the_suite_answers_as_graphql_core_does(
    db: TortoiseContext, settings: Settings, clock: Clock
) -> None:
    runner = await demo_runner(settings, clock)
    generator = Generator(schema._schema, await demo_pools(), SEED)
    operations = suite_operations()
    differences: list[str] = []
    valid = 0
    for text in operations:
        document = parse(text)
        valid += not validate(schema._schema, document)
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            variables = {
                variable.variable.name.value: generator.value(
                    variable.variable.name.value,
                    schema._schema.get_type(type_name(variable.type)),  # type: ignore[arg-type]
                )
                for variable in definition.variable_definitions or ()
            }
            name = definition.name.value if definition.name else None
            for viewer in runner.viewers:
                _, difference = await runner.compare(Operation(text, variables, name), viewer)
                if difference is not None:
                    differences.append(difference)

    assert len(operations) > 100
    assert valid > 80
    assert differences == [], f"{len(differences)} differences; the first:\n{differences[0]}"


def type_name(node: Any) -> str:
    while not hasattr(node, "name"):
        node = node.type
    return str(node.name.value)
