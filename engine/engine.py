"""The engine: every GraphQL operation, from any transport, runs through `Engine.run`.

In order, inside one deadline (`REQUEST_TIMEOUT_SECONDS`, see `engine.deadline`: it
holds whatever the database does): the caller's token,
the document (tokens, parse, shape limits, validation: cached per text), the
operation and its variables, the plan (cached per document, operation and
`@skip`/`@include` conditions), the node limit, the budgets, execution
(planned, or graphql-core's executor with `GRAPHQL_PLANS=off` and for what the
planner does not support), then error codes and masking. The transports
(`web.graphql` for HTTP, `web.websocket` for graphql-transport-ws) only
translate their protocol to an `Operation` and the `Answer` back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
)
from graphql.execution.collect_fields import FragmentDetails
from graphql.execution.values import VariableValues
from starlette.requests import HTTPConnection

from engine import budgets, cost, reference
from engine.answers import Answer, Operation, formatted, method_not_allowed, refused
from engine.deadline import within
from engine.documents import Document, Documents
from engine.errors import add_codes
from engine.executor import PlannedExecution
from engine.limits import Limits, refusal
from engine.logs import OperationLog
from engine.metrics import OperationMetrics
from engine.persisted import MANIFEST, MemoryDocuments, PersistedDocuments, Store, manifest_of
from engine.plan import Plan, Planner, PlanTooLargeError, condition_variables
from engine.resolvers import call_of
from engine.strawberry import graphql_schema
from live.events import Publisher
from models.availability import unavailable
from models.statements import counted
from schema.account.authentication import Unauthenticated, Viewer, authenticate
from schema.context import Context
from schema.core.errors import ErrorCode
from schema.core.rate_limits import Budget, RateLimited, RateLimiter
from settings import Settings

UNPLANNED_ROOT_FIELDS = frozenset({"__schema", "__type"})


@dataclass(frozen=True, slots=True)
class Checked:
    """An operation that passed every check, ready to execute (once, or once per event)."""

    operation: Operation
    node: DocumentNode
    definition: OperationDefinitionNode
    executor: Any  # graphql-core's, with the coerced variables
    plan: Plan | None  # None: too large to plan, run on graphql-core's executor
    requested: int
    named: str | None


class Engine:
    def __init__(
        self,
        schema: Any,
        settings: Settings,
        limits: Limits,
        rate_limiter: RateLimiter,
        clock: Callable[[], datetime],
        *,
        rules: Collection[Any] = (),
        bus: Publisher | None = None,
        persisted: Store | None = None,
    ) -> None:
        self.graphql_schema = graphql_schema(schema)
        self.bus = bus  # where committed writes publish their events
        self.settings = settings
        self.limits = limits
        self.rate_limiter = rate_limiter
        self.clock = clock
        self.mask = settings.production
        self.plans_on = settings.graphql_plans
        self.documents = Documents(
            self.graphql_schema,
            limits,
            rules=rules,
            max_errors=settings.max_validation_errors,
            hide_suggestions=self.mask,
        )
        self.calls: dict[int, Any] = {}
        self.persisted = PersistedDocuments(
            persisted or MemoryDocuments(),
            self.documents,
            manifest_of(MANIFEST),
            only=settings.persisted_only,
        )
        self.metrics = OperationMetrics(self.persisted.trusted_names)
        self.log = OperationLog(self.metrics)  # every answer's metrics and log line

    async def document_of(
        self,
        operation: Operation,
        connection: HTTPConnection | None,
        *,
        transport: str = "http",
        request_error_status: int = 200,
    ) -> Operation | Answer:
        """The operation with the document its persisted hash names (`engine.persisted`),
        before any other check; else the answer that refuses it, logged. Every transport
        calls this first. `request_error_status` as for `run`, but for "not found"."""
        started = time.perf_counter()
        outcome = await self.persisted.resolve(operation)
        if isinstance(outcome, Answer):
            if ErrorCode.PERSISTED_QUERY_NOT_FOUND not in outcome.codes:
                outcome.status = request_error_status
            outcome.operation_name = operation.operation_name
            self.log.record(transport, connection, outcome, started, signed_in=False)
        return outcome

    async def run(
        self,
        operation: Operation,
        connection: HTTPConnection | None,
        *,
        allowed: Collection[OperationType],
        authorization: str | None = None,
        viewer: Viewer | None = None,
        transport: str = "http",
        request_error_status: int = 200,
    ) -> Answer:
        """Answer one operation; `authorization` (a header's value) is checked inside the
        deadline, or `viewer` is who the connection already authenticated as.
        `request_error_status` is the status of an answer that executed nothing (400 with
        the GraphQL-over-HTTP media type, 200 with plain JSON)."""
        started = time.perf_counter()
        with counted() as count:
            answer, viewer = await self.answered(
                operation, connection, allowed, authorization, viewer, request_error_status
            )
        answer.operation_name = answer.operation_name or operation.operation_name
        if answer.executed:
            self.metrics.observe_statements(count.statements)
        self.log.record(transport, connection, answer, started, signed_in=viewer is not None)
        return answer

    async def answered(
        self,
        operation: Operation,
        connection: HTTPConnection | None,
        allowed: Collection[OperationType],
        authorization: str | None,
        viewer: Viewer | None,
        request_error_status: int,
    ) -> tuple[Answer, Viewer | None]:
        """`run`'s answer, and the viewer it ran as."""
        seconds = self.settings.request_timeout_seconds
        signed_in: list[Viewer] = [viewer] if viewer is not None else []

        async def authenticated() -> Answer:
            if authorization is not None:
                found = await authenticate(authorization, self.clock())
                signed_in[:] = [found] if found is not None else []
            context = self.context(connection, signed_in[0] if signed_in else None)
            return await self.answer(operation, context, allowed)

        try:
            answer = await within(seconds, authenticated())
            if not answer.executed and answer.status == 200:
                answer.status = request_error_status
            answer.mark_rate_limited()
        except RateLimited as limited:
            answer = self.refused([limited.error], operation.operation_name)
            answer.mark_rate_limited()
        except Unauthenticated as error:
            answer = refused(401, ErrorCode.UNAUTHENTICATED, str(error))
            answer.headers["www-authenticate"] = 'Bearer realm="groupql"'
        except TimeoutError:
            answer = refused(
                504,
                ErrorCode.TIMEOUT,
                f"The request ran past the {seconds:g} s limit and was stopped; nothing it "
                "started was kept.",
            )
        except Exception as error:  # noqa: BLE001 - outside execution (the token lookup...)
            answer = self.failed(error)
        return answer, signed_in[0] if signed_in else None

    def operation_type(self, operation: Operation) -> OperationType | None:
        """What the operation is (the transports send subscriptions to the hub); None when
        its document does not say (it will be refused)."""
        node = self.documents.get(operation.query).node
        definition = None if node is None else get_operation_ast(node, operation.operation_name)
        return None if definition is None else definition.operation

    def context(self, connection: HTTPConnection | None, viewer: Viewer | None) -> Context:
        """What the resolvers of one operation share (fresh loaders every time)."""
        return Context(
            settings=self.settings,
            viewer=viewer,
            request=connection,
            clock=self.clock,
            rate_limiter=self.rate_limiter,
            bus=self.bus,
        )

    def failed(self, exception: Exception) -> Answer:
        """A failure outside execution: coded, logged with an error id and masked like a
        resolver's; 503 when the database cannot be reached, else 500."""
        error = GraphQLError(str(exception), original_error=exception)
        add_codes([error], executed=False, mask=self.mask)
        extensions = error.extensions or {}
        if unavailable(exception):
            answer = refused(503, ErrorCode.SERVICE_UNAVAILABLE, error.message)
            answer.errors[0]["extensions"]["retryAfter"] = extensions["retryAfter"]
            answer.headers["retry-after"] = str(extensions["retryAfter"])
            return answer
        answer = refused(500, ErrorCode.INTERNAL_SERVER_ERROR, error.message)
        answer.errors[0]["extensions"]["errorId"] = extensions["errorId"]
        return answer

    async def answer(
        self, operation: Operation, context: Context, allowed: Collection[OperationType]
    ) -> Answer:
        checked = await self.check(operation, context, allowed)
        if isinstance(checked, Answer):
            return checked
        return await self.execute(checked, context)

    async def check(
        self, operation: Operation, context: Context, allowed: Collection[OperationType]
    ) -> Checked | Answer:
        """Everything before execution: the document, its limits and validation, the
        operation and its variables, the plan, the node limit and the budgets. An `Answer`
        when the operation is refused."""
        document = self.documents.get(operation.query)
        if document.node is None:
            await context.spend(Budget.QUERY_COST, 1)  # refused before it parsed: still spent
            return self.refused(document.errors)
        node = document.node
        definition = get_operation_ast(node, operation.operation_name)
        named = definition.name.value if definition is not None and definition.name else None
        if definition is not None and definition.operation not in allowed:
            await budgets.spend_written(context, node, operation.operation_name)
            return method_not_allowed(definition.operation, allowed)
        if document.errors:
            await budgets.spend_written(context, node, operation.operation_name)
            return self.refused(document.errors, named)
        if definition is None:
            await context.spend(Budget.QUERY_COST, 1)
            missing = (
                f" named {operation.operation_name!r}"
                if operation.operation_name is not None
                else ""
            )
            return refused(200, ErrorCode.BAD_REQUEST, f"The document has no operation{missing}.")
        executor = self.executor(node, context, operation)
        if isinstance(executor, list):  # variables that do not fit their types
            await budgets.spend_written(context, node, operation.operation_name)
            return self.refused(executor, named, executed=True)
        plan = self.plan(document, definition, executor.fragments, executor.variable_values)
        if plan is None:  # too large to plan: graphql-core's executor, at the least cost
            await context.spend(Budget.QUERY_COST, 1)
            return Checked(operation, node, definition, executor, None, 0, named)
        requested = cost.node_count(plan, executor.variable_values.coerced)
        if requested > self.limits.nodes:
            await context.spend(Budget.QUERY_COST, 1)
            error = refusal(ErrorCode.NODE_LIMIT_EXCEEDED, requested, self.limits.nodes)
            return self.refused([error], named, cost=requested)
        await budgets.spend_planned(context, plan, requested)
        return Checked(operation, node, definition, executor, plan, requested, named)

    async def execute(self, checked: Checked, context: Context) -> Answer:
        data, errors = await self.result(checked, context, checked.executor)
        return self.executed(data, errors, checked.requested, checked.named)

    async def execute_on(self, checked: Checked, context: Context, root: Any) -> ExecutionResult:
        """A checked operation executed again with `root` as its root value (a subscription
        field resolves to its event's object), on `context`'s loaders."""
        executor = self.executor(checked.node, context, checked.operation, root)
        data, errors = await self.result(checked, context, executor)
        add_codes(errors, executed=True, mask=self.mask)
        return ExecutionResult(data, errors or None)

    async def result(
        self, checked: Checked, context: Context, executor: Any
    ) -> tuple[dict[str, Any] | None, list[GraphQLError]]:
        plan = checked.plan
        if self.plans_on and plan is not None and not plan.unplanned:
            execution = PlannedExecution(plan, executor)
            data, errors = await execution.run()
            if not execution.ambiguous:
                return data, errors
            # Run again from scratch: fresh loaders, as graphql-core would have started.
            executor = self.executor(
                checked.node, context.renewed(), checked.operation, executor.root_value
            )
        result = await reference.execute(executor)
        return result.data, list(result.errors or ())

    def executor(
        self, node: DocumentNode, context: Context, operation: Operation, root: Any = None
    ) -> Any:
        return reference.executor(self.graphql_schema, node, context, operation, root, self.mask)

    def plan(
        self,
        document: Document,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDetails],
        variables: VariableValues,
    ) -> Plan | None:
        if document.conditions is None:
            assert document.node is not None
            document.conditions = condition_variables(operation, document.node)
        conditions = tuple(variables.coerced.get(name) for name in document.conditions)
        key = (id(operation), conditions)
        plan = document.plans.get(key)
        if plan is None:
            kept = {name: variables.coerced.get(name) for name in document.conditions}
            planner = Planner(
                self.graphql_schema,
                fragments,
                operation,
                VariableValues(sources={}, coerced=kept),
                self.call_of,
            )
            try:
                plan = planner.plan()
            except PlanTooLargeError:
                return None
            plan.unplanned = any(field.name in UNPLANNED_ROOT_FIELDS for field in plan.root.fields)
            document.plans[key] = plan
        return plan

    def call_of(self, field: Any) -> Any:
        found = self.calls.get(id(field))
        if found is None:
            found = self.calls[id(field)] = call_of(field)
        return found

    def refused(
        self,
        errors: list[GraphQLError],
        operation_name: str | None = None,
        *,
        executed: bool = False,
        cost: int = 0,
    ) -> Answer:
        errors = list(errors)
        add_codes(errors, executed=executed, mask=self.mask)  # `executed`: coded as input errors
        return Answer(
            data=None,
            errors=[formatted(error) for error in errors],
            executed=False,
            cost=cost,
            limit=self.limits.nodes,
            operation_name=operation_name,
        )

    def executed(
        self,
        data: dict[str, Any] | None,
        errors: list[GraphQLError],
        requested: int,
        operation_name: str | None,
    ) -> Answer:
        add_codes(errors, executed=True, mask=self.mask)
        answer = Answer(
            data=data,
            errors=[formatted(error) for error in errors],
            executed=True,
            cost=requested,
            limit=self.limits.nodes,
            operation_name=operation_name,
        )
        answer.mark_unavailable()
        return answer
