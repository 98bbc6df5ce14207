"""What an operation spends of its caller's budgets (`schema.core.rate_limits`).

A planned operation spends what its plan will execute (`engine.cost`): a query its node
count, a mutation each call of each root field, whatever fragment it sits in. A document
refused before it was planned spends what its text asks.
"""

from __future__ import annotations

from graphql import DocumentNode, OperationType

from engine import cost
from engine.plan import Plan
from schema.context import Context
from schema.core.rate_limits import Budget


async def spend_planned(context: Context, plan: Plan, requested: int) -> None:
    if plan.operation.operation is OperationType.MUTATION:
        calls = cost.planned_calls(plan)
        await context.spend(Budget.MUTATIONS, calls.mutations)
        await context.spend(Budget.SIGN_IN, calls.sign_ins)
    else:
        await context.spend(Budget.QUERY_COST, max(1, requested))


async def spend_written(context: Context, node: DocumentNode, operation_name: str | None) -> None:
    calls = cost.written_calls(node, operation_name)
    if calls is None:
        await context.spend(Budget.QUERY_COST, 1)
        return
    await context.spend(Budget.MUTATIONS, max(1, calls.mutations))
    await context.spend(Budget.SIGN_IN, calls.sign_ins)
