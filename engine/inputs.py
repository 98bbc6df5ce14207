"""What a resolver is given: its arguments, coerced once per field of a request, and infos.

A field's arguments with no variables in them are coerced once when it is planned
(`engine.plan`); the others once per execution, here. An info is built for a level of the
answer, not per object: resolvers read only its context and selections, never its path.
"""

from __future__ import annotations

from typing import Any

from graphql.execution.executor import Executor
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from strawberry.types.info import Info

from engine.plan import FieldPlan
from engine.positions import Position, path_of
from engine.resolvers import DIRECT, python_arguments


class FieldInputs:
    """The arguments and infos of one execution, on graphql-core's executor's state."""

    def __init__(self, executor: Executor[Any]) -> None:
        self.executor = executor
        self.arguments: dict[int, Any] = {}

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

    def info(self, plan: FieldPlan, target: Position) -> Info[Any, Any]:
        """One info for the objects of a level (resolvers read only its context and
        selections from it, never its path)."""
        raw = self.raw_info(plan, Path(path_of(target), plan.key, plan.parent_type.name))
        assert plan.call.definition is not None
        return Info(_raw_info=raw, _field=plan.call.definition)
