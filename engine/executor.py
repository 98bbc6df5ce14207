"""Planned execution: a plan walked one level of the answer at a time.

graphql-core's executor interprets the operation field by field for every
object: it collects the fields again, builds a resolve info, looks the
arguments up, checks for awaitables and completes the value, object after
object. Here each level of the answer is one batch per selection: a field is
resolved for all the objects of its level in one loop (plain attributes read
directly, resolvers called with only what they take, arguments coerced once per
request), so a loader is called with all the keys of a level before anything
waits, and no task is made per object (`engine.waiting`).

The answer is graphql-core's: the same `data`, null propagation through
non-null fields, and the same `errors` (message, path, locations, extensions)
in graphql-core's order (`engine.positions`). With two errors or more,
graphql-core's own answer can depend on which SQL statement answers first
(which error is kept when both null the same parent, and in which order they
come): such a query is answered by graphql-core's executor instead
(`ambiguous`, see `engine.engine`), so that it is graphql-core's answer by
construction. A mutation cannot be run twice: its errors keep graphql-core's
order, root field by root field as it executes them.

Values are trusted to be of their declared types, as graphql-jit trusts them:
`is_type_of` is asked once per Python class, and an abstract type's runtime type
once per class too (`engine.runtime_types`).

Not supported here (run on graphql-core's executor instead, see
`engine.engine`): introspection (`__schema`, `__type`), `@defer`/`@stream`, and
fragment arguments. A subscription's source stream is the hub's (`live.hub`):
each of its events is executed here, with the event's object as root value.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLError,
    GraphQLObjectType,
    Undefined,
)
from graphql.execution.executor import Executor
from graphql.pyutils import Path, is_iterable

from engine.inputs import FieldInputs
from engine.plan import ABSTRACT, LEAF, LIST, OBJECT, Completion, FieldPlan, Plan, Selection
from engine.positions import DEPTH, Errors, Position, path_of
from engine.resolvers import ATTRIBUTE, DIRECT, TYPENAME
from engine.runtime_types import RuntimeTypes, wrong_type
from engine.waiting import Waiting, Waits, depth_below, is_awaitable

INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class PlannedExecution:
    """One execution of a plan, on graphql-core's executor for its state and its infos."""

    def __init__(self, plan: Plan, executor: Executor[Any]) -> None:
        self.plan = plan
        self.planner = plan.planner
        self.executor = executor
        self.errors = Errors()
        self.inputs = FieldInputs(executor)
        self.types = RuntimeTypes(executor, self.inputs)
        self.next: dict[Selection, list[Position]] = {}
        self.waits = Waits(self)

    @property
    def ambiguous(self) -> bool:
        """More than one error in a query: graphql-core's executor must answer it."""
        return len(self.errors) > 1 and self.planner.operation.operation.value == "query"

    async def run(self) -> tuple[dict[str, Any] | None, list[GraphQLError]]:
        root: dict[str, Any] = {}
        holder = {"data": root}
        root_value = self.executor.root_value
        top: Position = (root_value, root, None, holder, None, True, 0, 0)
        selection = self.plan.root
        if self.planner.operation.operation.value == "mutation":
            for plan in selection.fields:
                self.errors.serial = plan.ordinal
                await self.resolve_serially(plan, root_value, root, top)
                await self.drain()
        else:
            self.next = {selection: [top]}
            await self.drain()
        return holder["data"], self.errors.reported()

    async def drain(self) -> None:
        """Run level after level until nothing is left to resolve."""
        try:
            while self.next:
                batches, self.next = self.next, {}
                for selection, targets in batches.items():
                    for plan in selection.fields:
                        self.resolve(plan, selection, targets)
                while self.waits:
                    await self.waits.settle()
        finally:
            self.waits.abandon()

    # Resolving one field for every object of a level

    def resolve(self, plan: FieldPlan, selection: Selection, targets: list[Position]) -> None:
        kind = plan.call.kind
        key = plan.key
        if kind == TYPENAME:
            name = selection.type.name
            for target in targets:
                target[1][key] = name
            return
        completion = plan.completion
        ordinal = plan.ordinal
        fail = self.fail
        complete = self.complete
        if kind == ATTRIBUTE:
            attribute = plan.call.attribute
            assert attribute is not None
            if completion.kind == LEAF:
                self.attribute_leaves(plan, attribute, completion, targets)
                return
            for target in targets:
                try:
                    value = getattr(target[0], attribute)
                except Exception as error:  # noqa: BLE001 - a field error, reported
                    fail(error, plan, target[1], key, target, ordinal, target[DEPTH], completion)
                    continue
                complete(completion, value, target[1], key, target, plan, ordinal, target[DEPTH])
            return
        arguments = self.inputs.arguments_of(plan)
        if isinstance(arguments, Exception):
            for target in targets:
                fail(arguments, plan, target[1], key, target, ordinal, target[DEPTH], completion)
            return
        if kind == DIRECT:
            function = plan.call.function
            assert function is not None
            if plan.call.wants_info:
                arguments = {**arguments, "info": self.inputs.info(plan, targets[0])}
            for target in targets:
                try:
                    value = function(target[0], **arguments)
                except Exception as error:  # noqa: BLE001 - a field error, reported
                    fail(error, plan, target[1], key, target, ordinal, target[DEPTH], completion)
                    continue
                if is_awaitable(value):
                    self.waits.add(value, plan, completion, target[1], key, target, ordinal)
                else:
                    depth = target[DEPTH]
                    complete(completion, value, target[1], key, target, plan, ordinal, depth)
            return
        resolve = plan.definition.resolve or self.executor.field_resolver
        for target in targets:
            try:
                info = self.inputs.raw_info(plan, Path(path_of(target), key, plan.parent_type.name))
                value = resolve(target[0], info, **arguments)
            except Exception as error:  # noqa: BLE001 - a field error, reported
                fail(error, plan, target[1], key, target, ordinal, target[DEPTH], completion)
                continue
            if is_awaitable(value):
                self.waits.add(value, plan, completion, target[1], key, target, ordinal)
            else:
                complete(completion, value, target[1], key, target, plan, ordinal, target[DEPTH])

    async def resolve_serially(
        self, plan: FieldPlan, source: Any, out: dict[str, Any], top: Position
    ) -> None:
        """A mutation's root field: resolved and awaited in this task, before the next."""
        completion = plan.completion
        arguments = self.inputs.arguments_of(plan)
        depth = top[DEPTH]
        try:
            if isinstance(arguments, Exception):
                raise arguments
            resolve = plan.definition.resolve or self.executor.field_resolver
            info = self.inputs.raw_info(plan, Path(None, plan.key, plan.parent_type.name))
            value = resolve(source, info, **arguments)
            if is_awaitable(value):
                out[plan.key] = None
                depth += 1
                value = await value
        except Exception as error:  # noqa: BLE001 - a field error, reported
            self.fail(error, plan, out, plan.key, top, plan.ordinal, top[DEPTH] + 1, completion)
            return
        self.complete(completion, value, out, plan.key, top, plan, plan.ordinal, depth)

    def attribute_leaves(
        self, plan: FieldPlan, attribute: str, completion: Completion, targets: list[Position]
    ) -> None:
        """The most common field: a scalar attribute, answered without a call per object."""
        key = plan.key
        passes = completion.passes
        is_int = passes is int
        enum_class, names = completion.enum_class, completion.names
        for target in targets:
            out = target[1]
            try:
                value = getattr(target[0], attribute)
            except Exception as error:  # noqa: BLE001 - a field error, reported
                self.fail(error, plan, out, key, target, plan.ordinal, target[DEPTH], completion)
                continue
            kind = type(value)
            if kind is passes and (not is_int or INT_MIN <= value <= INT_MAX):
                out[key] = value
            elif kind is enum_class:
                out[key] = names[value]  # type: ignore[index]
            else:
                self.complete(
                    completion, value, out, key, target, plan, plan.ordinal, target[DEPTH]
                )

    # What the waited values become (called back by `engine.waiting`)

    def arrived(self, entry: Waiting, value: Any) -> None:
        self.complete(
            entry.completion,
            value,
            entry.container,
            entry.key,
            entry.parent,
            entry.plan,
            entry.ordinal,
            depth_below(entry),
        )

    def failed(self, entry: Waiting, error: BaseException) -> None:
        self.fail(
            error,
            entry.plan,
            entry.container,
            entry.key,
            entry.parent,
            entry.ordinal,
            depth_below(entry),
            entry.completion,
        )

    # Completing values

    def complete(
        self,
        completion: Completion,
        value: Any,
        container: Any,
        key: str | int,
        parent: Position,
        plan: FieldPlan,
        ordinal: int,
        depth: int,
    ) -> None:
        if value is None or value is Undefined:
            if completion.nullable:
                container[key] = None
            else:
                name = f"{plan.parent_type.name}.{plan.name}"
                null = TypeError(f"Cannot return null for non-nullable field {name}.")
                self.fail(null, plan, container, key, parent, ordinal, depth, completion)
            return
        if isinstance(value, Exception):
            self.fail(value, plan, container, key, parent, ordinal, depth, completion)
            return
        kind = completion.kind
        if kind == LEAF:
            if type(value) is completion.enum_class:
                container[key] = completion.names[value]  # type: ignore[index]
                return
            try:
                coerced = completion.coerce(value)  # type: ignore[misc]
                if coerced is None or coerced is Undefined:  # graphql-core's error for it
                    Executor.complete_leaf_value(completion.graphql_type, value)  # type: ignore[arg-type]
            except Exception as error:  # noqa: BLE001 - a field error, reported
                self.fail(error, plan, container, key, parent, ordinal, depth, completion)
                return
            container[key] = coerced
        elif kind == OBJECT:
            object_type = completion.graphql_type
            assert isinstance(object_type, GraphQLObjectType)
            if object_type.is_type_of is not None and not self.types.is_type_of(object_type, value):
                self.fail(wrong_type(object_type, value, plan), plan, container, key, parent,
                          ordinal, depth, completion)  # fmt: skip
                return
            out: dict[str, Any] = {}
            container[key] = out
            selection = self.selection_of(completion, object_type, plan)
            if selection.typename_only:
                for field in selection.fields:
                    out[field.key] = object_type.name
                return
            target = (value, out, parent, container, key, completion.nullable, depth, ordinal)
            self.next.setdefault(selection, []).append(target)
        elif kind == LIST:
            self.complete_list(completion, value, container, key, parent, plan, ordinal, depth)
        else:
            assert kind == ABSTRACT
            try:
                runtime_type = self.types.runtime_type(completion, value, parent, key, plan)
            except Exception as error:  # noqa: BLE001 - a field error, reported
                self.fail(error, plan, container, key, parent, ordinal, depth, completion)
                return
            out = {}
            container[key] = out
            selection = self.planner.subselection(completion, runtime_type, plan.details)
            if selection.typename_only:
                for field in selection.fields:
                    out[field.key] = runtime_type.name
                return
            target = (value, out, parent, container, key, completion.nullable, depth, ordinal)
            self.next.setdefault(selection, []).append(target)

    def selection_of(
        self, completion: Completion, object_type: GraphQLObjectType, plan: FieldPlan
    ) -> Selection:
        selection = completion.selection
        if selection is None:
            selection = self.planner.subselection(completion, object_type, plan.details)
            completion.selection = selection
        return selection

    def complete_list(
        self,
        completion: Completion,
        value: Any,
        container: Any,
        key: str | int,
        parent: Position,
        plan: FieldPlan,
        ordinal: int,
        depth: int,
    ) -> None:
        if not is_iterable(value):
            error = GraphQLError(
                "Expected Iterable, but did not find one for field"
                f" '{plan.parent_type.name}.{plan.name}'."
            )
            self.fail(error, plan, container, key, parent, ordinal, depth, completion)
            return
        item = completion.item
        assert item is not None
        items = list(value)
        completed: list[Any] = [None] * len(items)
        container[key] = completed
        position = (None, None, parent, container, key, completion.nullable, depth, ordinal)
        if item.kind == OBJECT:
            self.objects(item, items, completed, position, plan, depth)
            return
        if item.kind == LEAF and item.passes is not None and item.passes is not int:
            passes = item.passes
            for index, entry in enumerate(items):
                if type(entry) is passes:
                    completed[index] = entry
                else:
                    self.complete(item, entry, completed, index, position, plan, index, depth)
            return
        for index, entry in enumerate(items):
            if is_awaitable(entry):
                self.waits.add(entry, plan, item, completed, index, position, index)
            else:
                self.complete(item, entry, completed, index, position, plan, index, depth)

    def objects(
        self,
        item: Completion,
        items: list[Any],
        completed: list[Any],
        position: Position,
        plan: FieldPlan,
        depth: int,
    ) -> None:
        """A list of objects of one type, the commonest list: each into the next level."""
        object_type = item.graphql_type
        assert isinstance(object_type, GraphQLObjectType)
        selection = self.selection_of(item, object_type, plan)
        batch = self.next.setdefault(selection, [])
        checked = object_type.is_type_of is None
        nullable = item.nullable
        known: type | None = None
        for index, entry in enumerate(items):
            kind = type(entry)
            if kind is not known:
                if (
                    entry is None
                    or is_awaitable(entry)
                    or (not checked and not self.types.is_type_of(object_type, entry))
                ):
                    if is_awaitable(entry):
                        self.waits.add(entry, plan, item, completed, index, position, index)
                    else:
                        self.complete(item, entry, completed, index, position, plan, index, depth)
                    continue
                known = kind
            out: dict[str, Any] = {}
            completed[index] = out
            batch.append((entry, out, position, completed, index, nullable, depth, index))
        if not batch:
            del self.next[selection]

    def fail(
        self,
        raw: BaseException,
        plan: FieldPlan,
        container: Any,
        key: str | int,
        parent: Position,
        ordinal: int,
        depth: int,
        completion: Completion | None = None,
    ) -> None:
        nullable = completion.nullable if completion is not None else False
        self.errors.fail(raw, plan.nodes, container, key, parent, ordinal, depth, nullable)  # type: ignore[arg-type]
