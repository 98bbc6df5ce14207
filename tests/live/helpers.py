"""What the live tests share: a hub on this test's database, and writes that publish."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from graphql import ExecutionResult, OperationType

from engine.answers import Answer
from engine.answers import Operation as EngineOperation
from live.bus import Bus, MemoryBus
from live.execution import Engine, Operation, PlannedEngine
from live.service import Live, create_live
from live.subscriber import Stream
from models import Member
from schema.account.authentication import Viewer
from schema.context import Context
from schema.schema import schema as groupql_schema
from settings import Settings
from tests.engine.helpers import engine_for

WAIT = 10.0  # seconds a test waits for an event that must come

ARTICLE_CHANGED = """
subscription ArticleChanged($ids: [ID!]!) {
  articleChanged(ids: $ids) { id title views commentCount reactionCount pinnedAt }
}
"""

RECORD_VIEW = """
mutation RecordView($input: RecordArticleViewInput!) {
  recordArticleView(input: $input) { counted reason article { views } }
}
"""


class CountingEngine:
    """The default engine, counting the executions of subscription events."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.executions = 0

    async def prepare(self, *args: Any) -> Operation | Answer:
        return await self.engine.prepare(*args)

    async def execute(
        self, operation: Operation, context: Context, root: object
    ) -> ExecutionResult:
        if root is not None:
            self.executions += 1
        return await self.engine.execute(operation, context, root)


Schema = Any


@asynccontextmanager
async def running_live(
    settings: Settings, bus: Bus | None = None
) -> AsyncIterator[tuple[Live, CountingEngine, Schema]]:
    """A started hub (and bus) for this test; stopped at the end."""
    engine = engine_for(settings)
    counting = CountingEngine(PlannedEngine(engine))
    live = create_live(settings, engine, bus=bus or MemoryBus(), hub_engine=counting)
    schema = groupql_schema
    await live.start()
    try:
        yield live, counting, schema
    finally:
        await live.stop()


def context_for(
    settings: Settings, member: Member | None = None, bus: Bus | None = None, **kwargs: Any
) -> Context:
    viewer = None if member is None else Viewer(member_id=member.id, token_id=0)
    return Context(settings=settings, viewer=viewer, bus=bus, **kwargs)


async def write(
    schema: Schema, context: Context, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """Run a mutation that must succeed, through the engine, as the viewer of `context`
    (and publishing on its bus); its `data`."""
    engine = engine_for(context.settings)
    answer = await engine.answer(
        EngineOperation(query, variables), context.renewed(), frozenset(OperationType)
    )
    assert answer.errors == [], answer.errors
    assert answer.data is not None
    return answer.data


async def subscribe(
    live: Live,
    context: Context,
    query: str,
    variables: dict[str, Any],
    connection: object = "connection-1",
) -> Stream:
    stream = await live.hub.subscribe(context, connection, query, variables)
    assert isinstance(stream, Stream), stream
    return stream


async def next_result(stream: Stream) -> ExecutionResult:
    """The next result (within a few seconds)."""
    return await asyncio.wait_for(anext(stream), WAIT)


async def next_data(stream: Stream) -> dict[str, Any]:
    """The next result, which must have data and no errors."""
    result = await next_result(stream)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def quiet(stream: Stream, seconds: float) -> bool:
    """True when nothing arrives for `seconds` (the subscription goes on)."""
    try:
        result = await asyncio.wait_for(anext(stream), seconds)
    except TimeoutError:
        return True
    raise AssertionError(f"expected nothing, got {result}")


ADD_COMMENT = """
mutation AddComment($input: AddCommentInput!) {
  addComment(input: $input) { comment { id } errors { code message } }
}
"""

DELETE_ARTICLE = """
mutation DeleteArticle($input: ArticleInput!) {
  deleteArticle(input: $input) { deletedArticleId errors { code } }
}
"""

REMOVE_MEMBER = """
mutation RemoveMember($input: GroupMemberInput!) {
  removeGroupMember(input: $input) { errors { code message } }
}
"""

UPDATE_GROUP = """
mutation UpdateGroup($input: UpdateGroupInput!) {
  updateGroup(input: $input) { group { privacy } errors { code message } }
}
"""

COMMENT_ADDED = """
subscription CommentAdded($articleId: ID!) {
  commentAdded(articleId: $articleId) { body depth author { name } parent { body } }
}
"""

GROUP_ACTIVITY = """
subscription GroupActivity($groupId: ID!) {
  groupActivity(groupId: $groupId) { kind articleId article { title pinnedAt } }
}
"""


def error_of(result: object) -> dict[str, Any]:
    """The one error of a result without data (a refusal, or a stream's last result): its
    message and extensions."""
    if isinstance(result, Answer):
        [refusal] = result.errors
        return {"message": refusal["message"], **refusal.get("extensions", {})}
    assert isinstance(result, ExecutionResult), result
    assert result.data is None
    assert result.errors is not None
    [error] = result.errors
    return {"message": error.message, **(error.extensions or {})}
