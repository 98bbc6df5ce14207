"""The planned executor answers exactly as graphql-core's executor does (GRAPHQL_PLANS=off,
the reference): the same JSON, errors and their order included.

Two corpora, each operation run by both engines, each on its own copy of the demo data
(the two copies stay alike: every mutation runs on both): every operation string of the
test suite (with variables drawn from the demo data), and operations generated from the
schema (`tests.engine.generator`), as an anonymous caller, a member of every group, and a
member with a pending request.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import contextvars
import dataclasses
import os
import random
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import orjson
import pytest
from graphql import OperationDefinitionNode, OperationType, parse, validate
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext

from demo.seed import seed_if_empty
from engine import Answer, Engine, Operation
from models import Group, Member
from models.config import tortoise_config
from models.sql import fetch
from schema.account.authentication import Viewer
from schema.core import ids, slugs
from schema.core.pagination import encode_cursor
from schema.group.queries import GROUPS_NEWEST
from schema.schema import schema
from tests.conftest import Clock, admin, settings_for
from tests.engine.generator import Generator, Pools
from tests.engine.helpers import engine_for

GENERATED = int(os.environ.get("DIFFERENTIAL_OPERATIONS", "2000"))
SEED = int(os.environ.get("DIFFERENTIAL_SEED", "20261201"))
TESTS_DIR = Path(__file__).resolve().parents[1]
EVERY_OPERATION = frozenset(OperationType)
RERUNS = 5
JOB_SECONDS = 60
# What a worker draws its SECRET groups' slugs from: seeded alike in both, so that the twin
# databases get the same unguessable slugs, in the same order.
# (Outside a worker, as when the demo data is seeded once for both: the system's.)
CHANCE: contextvars.ContextVar[random.Random | None] = contextvars.ContextVar(
    "CHANCE", default=None
)
SYSTEM = random.SystemRandom()


class Worker:
    """An engine on a database of its own, in a task of its own (Tortoise's connection is
    per task context): the planned engine and the reference each get one, on twin
    databases that every operation changes alike."""

    def __init__(self, url: str, engine: Callable[[], Engine]) -> None:
        self.url = url
        self.engine = engine
        self.jobs: asyncio.Queue[tuple[Callable[[Engine], Awaitable[Any]], asyncio.Future[Any]]]
        self.jobs = asyncio.Queue()
        self.task = asyncio.create_task(self.serve())

    async def serve(self) -> None:
        EXECUTOR_CACHE.clear()
        CHANCE.set(random.Random(SEED))  # noqa: S311 - slugs alike in twins, in a test
        async with TortoiseContext() as context:
            await context.init(config=tortoise_config(settings_for(self.url)))
            engine = self.engine()
            while True:
                job, answered = await self.jobs.get()
                try:
                    answered.set_result(await job(engine))
                except asyncio.CancelledError as cancelled:
                    if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                        raise  # stopped by the test
                    answered.set_exception(AssertionError(f"the job was cancelled: {cancelled!r}"))
                except Exception as error:  # noqa: BLE001 - handed to the caller
                    answered.set_exception(error)

    async def call(self, job: Callable[[Engine], Awaitable[Any]]) -> Any:
        answered: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        await self.jobs.put((job, answered))
        async with asyncio.timeout(JOB_SECONDS):  # a stuck job fails the test, never hangs it
            return await answered

    async def run(self, operation: Operation, viewer: Viewer | None) -> Answer:
        async def job(engine: Engine) -> Answer:
            return await engine.run(operation, None, allowed=EVERY_OPERATION, viewer=viewer)

        try:
            answer: Answer = await self.call(job)
        except AssertionError as failed:
            raise AssertionError(f"{failed} in {operation}") from failed
        return answer

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


@dataclasses.dataclass
class Runner:
    planned: Worker
    reference: Worker
    viewers: list[Viewer | None]

    async def compare(
        self, operation: Operation, viewer: Viewer | None
    ) -> tuple[Answer, str | None]:
        """The planned answer, and how it differs from the reference's (None: it does not)."""
        planned = await self.planned.run(operation, viewer)
        reference = await self.reference.run(operation, viewer)
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
                if operation.query.lstrip().startswith("mutation"):
                    break  # it changed the data: running it again would not compare
                reference = await self.reference.run(operation, viewer)
        return planned, (
            f"{operation.query}\n{operation.variables}\nplanned:   {ours}\nreference: {theirs}"
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


@pytest.fixture
async def runner(
    twin_databases: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Runner]:
    clock = Clock()
    monkeypatch.setattr(
        slugs, "secrets", SimpleNamespace(choice=lambda s: (CHANCE.get() or SYSTEM).choice(s))
    )
    planned_url, reference_url = twin_databases
    await seeded_alike(planned_url, reference_url)

    def engine(plans: bool) -> Callable[[], Engine]:
        return lambda: engine_for(settings_for(planned_url, graphql_plans=plans), clock=clock)

    planned, reference = Worker(planned_url, engine(True)), Worker(reference_url, engine(False))
    try:
        viewers = await planned.call(lambda _: demo_viewers())
        yield Runner(planned, reference, viewers)
    finally:
        await planned.stop()
        await reference.stop()


async def seeded_alike(url: str, twin: str) -> None:
    """The demo data in `url`, and `twin` made a copy of it (the demo data has random parts:
    a SECRET group's slug)."""
    EXECUTOR_CACHE.clear()
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(settings_for(url)))
        await seed_if_empty()
    if url.startswith("sqlite"):
        shutil.copyfile(urlsplit(url).path, urlsplit(twin).path)
        return
    source, copy = urlsplit(url).path.lstrip("/"), urlsplit(twin).path.lstrip("/")
    await admin(f'DROP DATABASE "{copy}" WITH (FORCE)')
    await admin(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')


async def demo_viewers() -> list[Viewer | None]:
    """Anonymous, a member of every group, a member with a request pending."""
    dana = await Member.get(name="Dana Whitfield")
    sam = await Member.get(name="Sam Harrison")
    return [None, Viewer(member_id=dana.id, token_id=0), Viewer(member_id=sam.id, token_id=0)]


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


async def test_generated_operations_answer_as_graphql_core_does(runner: Runner) -> None:
    generator = Generator(schema._schema, await runner.planned.call(lambda _: demo_pools()), SEED)
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


async def test_every_operation_of_the_suite_answers_as_graphql_core_does(runner: Runner) -> None:
    generator = Generator(schema._schema, await runner.planned.call(lambda _: demo_pools()), SEED)
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
