"""Planned execution: a plan walked one level of the answer at a time.

graphql-core's executor interprets the operation field by field for every
object: it collects the fields again, builds a resolve info, looks the
arguments up, checks for awaitables and completes the value, object after
object. Here each level of the answer is one batch per selection: a field is
resolved for all the objects of its level in one loop (plain attributes read
directly, resolvers called with only what they take, arguments coerced once per
request), so a loader is called with all the keys of a level before anything
waits. Coroutines are stepped once on the spot: most finish without waiting
(a loader's value already there) and need no task; those that do wait get one
task each, and the level is settled together.

The answer is graphql-core's: the same `data`, null propagation through
non-null fields, and the same `errors` (message, path, locations, extensions)
in graphql-core's order. graphql-core reports errors as fields finish:
synchronously resolved ones in document order, then those behind awaitables,
and it drops an error whose position lies under one already nulled. Each error
here is recorded with that order (the number of awaited resolvers above and at
it, then its position in the document) and the same rule is applied once at the
end. With two errors or more, graphql-core's own answer can depend on which SQL
statement answers first (which error is kept when both null the same parent,
and in which order they come): such a query is answered by graphql-core's
executor instead (`ambiguous`, see `engine.engine`), so that it is graphql-core's
answer by construction. A mutation cannot be run twice: its errors keep the order
above, root field by root field as graphql-core executes them.

Not supported here (run on graphql-core's executor instead, see
`engine.operations`): subscriptions' source streams, introspection
(`__schema`, `__type`), `@defer`/`@stream`, and fragment arguments.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Awaitable, Coroutine, Generator
from contextvars import copy_context
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
    Undefined,
    located_error,
)
from graphql.execution.executor import Executor
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, inspect, is_iterable
from strawberry.types.info import Info

from engine.plan import ABSTRACT, LEAF, LIST, OBJECT, Completion, FieldPlan, Plan, Selection
from engine.resolvers import ATTRIBUTE, DIRECT, TYPENAME, python_arguments

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
SYNC_TYPES = frozenset({str, int, bool, float, type(None), list, dict, tuple})
Target = tuple[Any, dict[str, Any], "Cell"]


class Cell:
    """Where a composite value (an object's fields, a list's items) sits in the answer."""

    __slots__ = ("container", "depth", "key", "nullable", "ordinal", "parent")

    def __init__(
        self,
        parent: Cell | None,
        container: Any,
        key: str | int | None,
        nullable: bool,
        depth: int,
        ordinal: int,
    ) -> None:
        self.parent = parent
        self.container = container
        self.key = key
        self.nullable = nullable
        self.depth = depth  # awaited resolvers on the way here
        self.ordinal = ordinal  # place among its siblings, in document order

    def keys(self) -> list[str | int]:
        found: list[str | int] = []
        cell: Cell | None = self
        while cell is not None and cell.key is not None:
            found.append(cell.key)
            cell = cell.parent
        found.reverse()
        return found

    def ordinals(self) -> tuple[int, ...]:
        found = []
        cell: Cell | None = self
        while cell is not None and cell.parent is not None:
            found.append(cell.ordinal)
            cell = cell.parent
        found.reverse()
        return tuple(found)

    def path(self) -> Path | None:
        path = None
        for key in self.keys():
            path = Path(path, key, None)
        return path


@types.coroutine
def resume(coroutine: Coroutine[Any, Any, Any], waits_on: Any) -> Generator[Any, Any, Any]:
    """Go on with a coroutine already stepped once, which now waits on `waits_on`.

    A future marks itself "blocking" when awaited and the task that receives it clears
    the mark; while it is set, anything else awaiting the future fails ("await wasn't
    used with future"). `PlannedExecution.wait` clears it at once, so that other
    coroutines of the level may wait on the same future (a loader's key asked twice),
    and it is set again here, just before the task receives the future."""
    if isinstance(waits_on, asyncio.Future):
        waits_on._asyncio_future_blocking = True
    while True:
        try:
            sent = yield waits_on
        except BaseException as thrown:  # noqa: BLE001 - a cancellation, passed on
            try:
                waits_on = coroutine.throw(thrown)
            except StopIteration as done:
                return done.value
        else:
            try:
                waits_on = coroutine.send(sent)
            except StopIteration as done:
                return done.value


_awaitable_types: dict[type, bool] = {}


def is_awaitable(value: Any) -> bool:
    kind = type(value)
    if kind in SYNC_TYPES:
        return False
    if kind is types.CoroutineType:
        return True
    known = _awaitable_types.get(kind)
    if known is None:
        known = _awaitable_types[kind] = hasattr(kind, "__await__")
    return known


class Waiting:
    """A value still to come, and where it goes once it does."""

    __slots__ = ("awaitable", "completion", "container", "key", "ordinal", "parent", "plan")

    def __init__(
        self,
        awaitable: Awaitable[Any],
        plan: FieldPlan,
        completion: Completion,
        container: Any,
        key: str | int,
        parent: Cell,
        ordinal: int,
    ) -> None:
        self.awaitable = awaitable
        self.plan = plan
        self.completion = completion
        self.container = container
        self.key = key
        self.parent = parent
        self.ordinal = ordinal


class PlannedExecution:
    """One execution of a plan, on graphql-core's executor for its state and its infos."""

    def __init__(self, plan: Plan, executor: Executor[Any]) -> None:
        self.plan = plan
        self.planner = plan.planner
        self.executor = executor
        self.serial = 0
        self.errors: list[tuple[tuple[Any, ...], tuple[str | int, ...], GraphQLError]] = []
        self.arguments: dict[int, Any] = {}
        self.next: dict[Selection, list[Target]] = {}
        self.waiting: list[Waiting] = []
        self.type_checked: dict[tuple[str, type], bool] = {}
        self.runtime_types: dict[tuple[int, type], GraphQLObjectType] = {}

    @property
    def ambiguous(self) -> bool:
        """More than one error in a query: graphql-core's executor must answer it."""
        return len(self.errors) > 1 and self.planner.operation.operation.value == "query"

    async def run(self) -> tuple[dict[str, Any] | None, list[GraphQLError]]:
        root: dict[str, Any] = {}
        holder = {"data": root}
        root_cell = Cell(None, holder, None, True, 0, 0)
        selection = self.plan.root
        root_value = self.executor.root_value
        if self.planner.operation.operation.value == "mutation":
            for plan in selection.fields:
                self.serial = plan.ordinal
                await self.resolve_serially(plan, root_value, root, root_cell)
                await self.drain()
        else:
            self.next = {selection: [(root_value, root, root_cell)]}
            await self.drain()
        return holder["data"], self.reported()

    async def drain(self) -> None:
        """Run level after level until nothing is left to resolve."""
        try:
            while self.next:
                batches, self.next = self.next, {}
                for selection, targets in batches.items():
                    for plan in selection.fields:
                        self.resolve(plan, selection, targets)
                while self.waiting:
                    await self.settle()
        finally:
            for waiting in self.waiting:
                if isinstance(waiting.awaitable, asyncio.Future):
                    waiting.awaitable.cancel()

    async def settle(self) -> None:
        waiting, self.waiting = self.waiting, []
        try:
            index = 0
            for index, entry in enumerate(waiting):  # noqa: B007 - read when cancelled
                try:
                    value = await entry.awaitable
                except Exception as error:  # noqa: BLE001 - a field error, reported
                    self.fail(
                        error,
                        entry.plan,
                        entry.container,
                        entry.key,
                        entry.parent,
                        entry.ordinal,
                        entry.parent.depth + 1,
                        entry.completion.nullable,
                    )
                    continue
                self.complete(
                    entry.completion,
                    value,
                    entry.container,
                    entry.key,
                    entry.parent,
                    entry.plan,
                    entry.ordinal,
                    entry.parent.depth + 1,
                )
        except BaseException:
            for entry in waiting[index:]:
                if isinstance(entry.awaitable, asyncio.Future):
                    entry.awaitable.cancel()
            raise

    # Resolving one field for every object of a level

    def resolve(self, plan: FieldPlan, selection: Selection, targets: list[Target]) -> None:
        kind = plan.call.kind
        key = plan.key
        if kind == TYPENAME:
            name = selection.type.name
            for _, out, _ in targets:
                out[key] = name
            return
        completion = plan.completion
        ordinal = plan.ordinal
        if kind == ATTRIBUTE:
            attribute = plan.call.attribute
            assert attribute is not None
            if completion.kind == LEAF:
                self.attribute_leaves(plan, attribute, completion, targets)
                return
            for source, out, cell in targets:
                try:
                    value = getattr(source, attribute)
                except Exception as error:  # noqa: BLE001 - a field error, reported
                    self.fail(error, plan, out, key, cell, ordinal, cell.depth, completion.nullable)
                    continue
                self.complete(completion, value, out, key, cell, plan, ordinal, cell.depth)
            return
        arguments = self.arguments_of(plan)
        if isinstance(arguments, Exception):
            for _, out, cell in targets:
                self.fail(arguments, plan, out, key, cell, ordinal, cell.depth, completion.nullable)
            return
        if kind == DIRECT:
            function = plan.call.function
            assert function is not None
            if plan.call.wants_info:
                arguments = {**arguments, "info": self.info(plan, targets[0][2])}
            for source, out, cell in targets:
                try:
                    value = function(source, **arguments)
                except Exception as error:  # noqa: BLE001 - a field error, reported
                    self.fail(error, plan, out, key, cell, ordinal, cell.depth, completion.nullable)
                    continue
                if is_awaitable(value):
                    self.wait(value, plan, completion, out, key, cell, ordinal)
                else:
                    self.complete(completion, value, out, key, cell, plan, ordinal, cell.depth)
            return
        resolve = plan.definition.resolve or self.executor.field_resolver
        for source, out, cell in targets:
            try:
                info = self.raw_info(plan, Path(cell.path(), key, plan.parent_type.name))
                value = resolve(source, info, **arguments)
            except Exception as error:  # noqa: BLE001 - a field error, reported
                self.fail(error, plan, out, key, cell, ordinal, cell.depth, completion.nullable)
                continue
            if is_awaitable(value):
                self.wait(value, plan, completion, out, key, cell, ordinal)
            else:
                self.complete(completion, value, out, key, cell, plan, ordinal, cell.depth)

    async def resolve_serially(
        self, plan: FieldPlan, source: Any, out: dict[str, Any], cell: Cell
    ) -> None:
        """A mutation's root field: resolved and awaited in this task, before the next."""
        completion = plan.completion
        arguments = self.arguments_of(plan)
        try:
            if isinstance(arguments, Exception):
                raise arguments
            resolve = plan.definition.resolve or self.executor.field_resolver
            info = self.raw_info(plan, Path(None, plan.key, plan.parent_type.name))
            value = resolve(source, info, **arguments)
            depth = cell.depth
            if is_awaitable(value):
                out[plan.key] = None
                depth += 1
                value = await value
        except Exception as error:  # noqa: BLE001 - a field error, reported
            self.fail(
                error, plan, out, plan.key, cell, plan.ordinal, cell.depth + 1, completion.nullable
            )
            return
        self.complete(completion, value, out, plan.key, cell, plan, plan.ordinal, depth)

    def attribute_leaves(
        self, plan: FieldPlan, attribute: str, completion: Completion, targets: list[Target]
    ) -> None:
        """The most common field: a scalar attribute, answered without a call per object."""
        key = plan.key
        passes = completion.passes
        is_int = passes is int
        for source, out, cell in targets:
            try:
                value = getattr(source, attribute)
            except Exception as error:  # noqa: BLE001 - a field error, reported
                self.fail(
                    error, plan, out, key, cell, plan.ordinal, cell.depth, completion.nullable
                )
                continue
            if type(value) is passes and (not is_int or INT_MIN <= value <= INT_MAX):  # type: ignore[operator]
                out[key] = value
            else:
                self.complete(completion, value, out, key, cell, plan, plan.ordinal, cell.depth)

    def wait(
        self,
        awaitable: Any,
        plan: FieldPlan,
        completion: Completion,
        container: Any,
        key: str | int,
        parent: Cell,
        ordinal: int,
    ) -> None:
        """Step a coroutine once; keep it (in a task of its own) only when it must wait."""
        container[key] = None  # keeps the key's place in the object
        depth = parent.depth + 1
        if type(awaitable) is types.CoroutineType:
            context = copy_context()
            try:
                waits_on = context.run(awaitable.send, None)
            except StopIteration as done:
                self.complete(completion, done.value, container, key, parent, plan, ordinal, depth)
                return
            except Exception as error:  # noqa: BLE001 - a field error, reported
                self.fail(error, plan, container, key, parent, ordinal, depth, completion.nullable)
                return
            if isinstance(waits_on, asyncio.Future):
                waits_on._asyncio_future_blocking = False  # see resume()
            awaitable = asyncio.get_running_loop().create_task(
                resume(awaitable, waits_on), context=context
            )
        self.waiting.append(Waiting(awaitable, plan, completion, container, key, parent, ordinal))

    # Completing values

    def complete(
        self,
        completion: Completion,
        value: Any,
        container: Any,
        key: str | int,
        parent: Cell,
        plan: FieldPlan,
        ordinal: int,
        depth: int,
    ) -> None:
        if value is None or value is Undefined:
            if completion.nullable:
                container[key] = None
            else:
                self.fail(
                    TypeError(
                        "Cannot return null for non-nullable field"
                        f" {plan.parent_type.name}.{plan.name}."
                    ),
                    plan,
                    container,
                    key,
                    parent,
                    ordinal,
                    depth,
                    False,
                )
            return
        if isinstance(value, Exception):
            self.fail(value, plan, container, key, parent, ordinal, depth, completion.nullable)
            return
        kind = completion.kind
        if kind == LEAF:
            try:
                coerced = Executor.complete_leaf_value(completion.graphql_type, value)  # type: ignore[arg-type]
            except Exception as error:  # noqa: BLE001 - a field error, reported
                self.fail(error, plan, container, key, parent, ordinal, depth, completion.nullable)
                return
            container[key] = coerced
        elif kind == OBJECT:
            object_type = completion.graphql_type
            assert isinstance(object_type, GraphQLObjectType)
            if object_type.is_type_of is not None and not self.is_type_of(object_type, value):
                wrong = GraphQLError(
                    f"Expected value of type '{object_type.name}' but got: {inspect(value)}.",
                    plan.nodes,
                )
                self.fail(wrong, plan, container, key, parent, ordinal, depth, completion.nullable)
                return
            self.enter(completion, object_type, value, container, key, parent, plan, ordinal, depth)
        elif kind == LIST:
            self.complete_list(completion, value, container, key, parent, plan, ordinal, depth)
        else:
            assert kind == ABSTRACT
            try:
                runtime_type = self.runtime_type(completion, value, parent, key, plan)
            except Exception as error:  # noqa: BLE001 - a field error, reported
                self.fail(error, plan, container, key, parent, ordinal, depth, completion.nullable)
                return
            self.enter(
                completion, runtime_type, value, container, key, parent, plan, ordinal, depth
            )

    def enter(
        self,
        completion: Completion,
        object_type: GraphQLObjectType,
        value: Any,
        container: Any,
        key: str | int,
        parent: Cell,
        plan: FieldPlan,
        ordinal: int,
        depth: int,
    ) -> None:
        """An object: its fields are resolved with the next level."""
        out: dict[str, Any] = {}
        container[key] = out
        selection = self.planner.subselection(completion, object_type, plan.details)
        if selection.typename_only:
            for field in selection.fields:
                out[field.key] = object_type.name
            return
        cell = Cell(parent, container, key, completion.nullable, depth, ordinal)
        batch = self.next.get(selection)
        if batch is None:
            self.next[selection] = [(value, out, cell)]
        else:
            batch.append((value, out, cell))

    def complete_list(
        self,
        completion: Completion,
        value: Any,
        container: Any,
        key: str | int,
        parent: Cell,
        plan: FieldPlan,
        ordinal: int,
        depth: int,
    ) -> None:
        if not is_iterable(value):
            error = GraphQLError(
                "Expected Iterable, but did not find one for field"
                f" '{plan.parent_type.name}.{plan.name}'."
            )
            self.fail(error, plan, container, key, parent, ordinal, depth, completion.nullable)
            return
        item = completion.item
        assert item is not None
        items = list(value)
        completed: list[Any] = [None] * len(items)
        container[key] = completed
        cell = Cell(parent, container, key, completion.nullable, depth, ordinal)
        if item.kind == LEAF and item.passes is not None and item.passes is not int:
            passes = item.passes
            for index, entry in enumerate(items):
                if type(entry) is passes:
                    completed[index] = entry
                else:
                    self.complete(item, entry, completed, index, cell, plan, index, depth)
            return
        for index, entry in enumerate(items):
            if is_awaitable(entry):
                self.wait(entry, plan, item, completed, index, cell, index)
            else:
                self.complete(item, entry, completed, index, cell, plan, index, depth)

    def is_type_of(self, object_type: GraphQLObjectType, value: Any) -> bool:
        """Checked once per Python class (no value here is cast to another type)."""
        memo = (object_type.name, type(value))
        known = self.type_checked.get(memo)
        if known is None:
            assert object_type.is_type_of is not None
            known = self.type_checked[memo] = bool(object_type.is_type_of(value, None))  # type: ignore[arg-type]
        return known

    def runtime_type(
        self, completion: Completion, value: Any, parent: Cell, key: str | int, plan: FieldPlan
    ) -> GraphQLObjectType:
        memo = (id(completion), type(value))
        known = self.runtime_types.get(memo)
        if known is not None:
            return known
        abstract = completion.graphql_type
        assert isinstance(abstract, GraphQLInterfaceType | GraphQLUnionType)
        info = self.raw_info(plan, Path(parent.path(), key, None))
        resolve_type = abstract.resolve_type or self.executor.type_resolver
        name = resolve_type(value, info, abstract)
        if is_awaitable(name):
            raise TypeError(f"resolve_type of {abstract} must not be asynchronous here")
        runtime_type = self.executor.ensure_valid_runtime_type(
            name, abstract, plan.details, info, value
        )
        self.runtime_types[memo] = runtime_type
        return runtime_type

    # Errors

    def fail(
        self,
        raw: Exception,
        plan: FieldPlan,
        container: Any,
        key: str | int,
        parent: Cell,
        ordinal: int,
        depth: int,
        nullable: bool,
    ) -> None:
        """Record a field error and null what it nulls, as graphql-core's executor would."""
        keys = [*parent.keys(), key]
        error = located_error(raw, plan.nodes, keys)
        if nullable:
            container[key] = None
            nulled = tuple(keys)
        else:
            cell = parent
            while not cell.nullable:
                assert cell.parent is not None
                cell = cell.parent
            cell.container[cell.key if cell.key is not None else "data"] = None
            nulled = tuple(cell.keys())
        order = (self.serial, depth, (*parent.ordinals(), ordinal))
        self.errors.append((order, nulled, error))

    def reported(self) -> list[GraphQLError]:
        """The errors graphql-core would report, in its order (see the module's docstring)."""
        nulled: set[tuple[str | int, ...]] = set()
        kept = []
        for _, position, error in sorted(self.errors, key=lambda entry: entry[0]):
            if any(position[:length] in nulled for length in range(len(position) + 1)):
                continue
            nulled.add(position)
            kept.append(error)
        return kept

    # Arguments and infos

    def arguments_of(self, plan: FieldPlan) -> dict[str, Any] | Exception:
        if plan.arguments is not None and plan.kind != DIRECT:
            return plan.arguments
        found = self.arguments.get(id(plan))
        if found is None:
            try:
                coerced = plan.arguments
                if coerced is None:
                    details = plan.details[0]
                    coerced = get_argument_values(
                        plan.definition,
                        details.node,
                        self.executor.variable_values,
                        details.fragment_variable_values,
                        self.executor.hide_suggestions,
                    )
                found = python_arguments(plan.call, coerced) if plan.kind == DIRECT else coerced
            except Exception as error:  # noqa: BLE001 - reported for each object
                found = error
            self.arguments[id(plan)] = found
        return found

    def raw_info(self, plan: FieldPlan, path: Path) -> Any:
        return self.executor.build_resolve_info(plan.definition, plan.nodes, plan.parent_type, path)

    def info(self, plan: FieldPlan, cell: Cell) -> Info[Any, Any]:
        """One info for the objects of a level (resolvers read only its context and
        selections from it, never its path)."""
        raw = self.raw_info(plan, Path(cell.path(), plan.key, plan.parent_type.name))
        assert plan.call.definition is not None
        return Info(_raw_info=raw, _field=plan.call.definition)
