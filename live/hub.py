"""The hub: every subscription of this process, multiplexed (as Hasura multiplexes live queries).

Subscribers that send the same document, operation name and variables, and
would get the same answer, form one cohort: each event executes the
operation once for the cohort, and the result goes to all of them. The
answer is the same for anyone who may see what is watched, unless the
selection asks for a per-viewer field (`viewerCanUpdate`, `viewerHasReacted`,
...): then the cohort is per viewer.

Events mark cohorts due; a flush handles every due cohort at once, at most
once per `LIVE_INTERVAL_MS` (a new subscriber's first state does not wait).
Flushes run one at a time, each in a task of its own, with fresh loaders: a
change that arrives during a flush is handled by the next one, so the last
value sent is what the database holds once writes stop.

For a transport (graphql-transport-ws, GraphQL over SSE), once the connection
is authenticated, per `subscribe` message:

    answer = await hub.subscribe(context, connection_id, query, variables, operation_name)
    if isinstance(answer, Answer):            # refused before it started
        send `error` with answer.errors
    else:
        try:
            async for result in answer:       # each one a `next`
                send `next` with result
            send `complete`
        except SubscriberTooSlow as slow:     # too far behind
            send `error` with [slow.error]; close the socket (slow.close_code, slow.close_reason)
        finally:
            await answer.aclose()             # also on the client's `complete`, or a drop

and `await hub.disconnect(connection_id)` when the connection goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import orjson
from graphql import GraphQLError

from engine.answers import Answer, answer_of
from engine.errors import add_codes
from live.batch import Batch
from live.cohort import Cohort, LiveCohort, StreamCohort
from live.events import Change, Event
from live.execution import Engine, Operation
from live.feed import LiveFeed, StreamFeed, Watch
from live.mailbox import Mailbox
from live.selection import depends_on_viewer
from live.subscriber import Stream, Subscriber
from schema.context import Context
from schema.core.cache import Memo
from schema.core.errors import ErrorCode
from settings import Settings

logger = logging.getLogger("groupql.live")


class Hub:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        live: Mapping[str, LiveFeed],
        streams: Mapping[str, StreamFeed],
        graphql_schema: Any,
    ) -> None:
        self.engine = engine
        self.live, self.streams = live, streams
        self.graphql_schema = graphql_schema
        self.interval = settings.live_interval_ms / 1000
        self.queue_size = settings.live_queue_size
        self.max_lag = float(settings.live_max_lag_seconds)
        self.max_subscriptions = settings.live_max_subscriptions
        self.cohorts: dict[Hashable, Cohort] = {}
        self.by_article: dict[int, set[Cohort]] = defaultdict(set)
        self.by_group: dict[int, set[Cohort]] = defaultdict(set)
        self.by_connection: dict[Hashable, dict[Subscriber, Cohort]] = defaultdict(dict)
        self.due: set[Cohort] = set()
        self.urgent: set[Cohort] = set()
        self.wake = asyncio.Event()
        self.hurry = asyncio.Event()
        self.last_flush = float("-inf")
        self.per_viewer: Memo[bool] = Memo(1024)
        self.failures = 0
        self.task: asyncio.Task[None] | None = None

    # -- what the transport calls

    async def subscribe(
        self,
        context: Context,
        connection: Hashable,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> Stream | Answer:
        """Start one operation for a connection: a `Stream` of results, or, when refused
        before it starts, the engine's `Answer` with the errors (send them as `error`)."""
        if self.full(connection):
            return self.too_many()
        fresh = context.renewed()
        operation = await self.engine.prepare(fresh, query, variables, operation_name)
        if isinstance(operation, Answer):
            return operation
        if not operation.is_subscription:
            return Stream.of(await self.engine.execute(operation, fresh, None))
        feed = self.live.get(operation.field_name) or self.streams.get(operation.field_name)
        if feed is None:
            return refused(
                f"{operation.field_name} cannot be subscribed to.", ErrorCode.BAD_REQUEST
            )
        try:
            watch = await feed.watch(fresh, operation.arguments)
        except GraphQLError as error:
            add_codes([error], executed=True)
            return answer_of([error])
        if self.full(connection):  # again: others may have joined while this one was checked
            return self.too_many()
        key = self.cohort_key(operation, context)
        cohort = self.cohorts.get(key) or self.open(key, operation, watch)
        subscriber = Subscriber(connection, context, self.mailbox(isinstance(cohort, LiveCohort)))
        self.by_connection[connection][subscriber] = cohort
        if isinstance(cohort, LiveCohort):
            if cohort.join(subscriber):
                self.urgent.add(cohort)
                self.hurry.set()
                self.wake.set()
        else:
            cohort.add(subscriber)
        return Stream(subscriber.mailbox, lambda: self.drop(subscriber, cohort))

    def full(self, connection: Hashable) -> bool:
        return len(self.by_connection.get(connection, ())) >= self.max_subscriptions

    def too_many(self) -> Answer:
        return refused(
            f"A connection may hold at most {self.max_subscriptions} subscriptions.",
            ErrorCode.TOO_MANY_SUBSCRIPTIONS,
            limit=self.max_subscriptions,
        )

    async def disconnect(self, connection: Hashable) -> None:
        """End every subscription of a connection (it closed)."""
        for subscriber, cohort in list(self.by_connection.get(connection, {}).items()):
            subscriber.mailbox.finish()
            self.drop(subscriber, cohort)

    # -- what the bus calls

    def receive(self, events: Sequence[Event]) -> None:
        for event in events:
            if event.change is Change.RESYNC:
                self.resync()
                continue
            cohorts = set(self.by_group.get(event.group_id, ()))
            if event.article_id is not None:
                cohorts |= self.by_article.get(event.article_id, set())
            for cohort in cohorts:
                if cohort.note(event):
                    self.due.add(cohort)
        if self.due:
            self.wake.set()

    def resync(self) -> None:
        for cohort in self.cohorts.values():
            if cohort.resync():
                self.due.add(cohort)
        if self.due:
            self.wake.set()

    # -- running

    async def start(self) -> None:
        self.task = asyncio.create_task(self.run(), name="live-hub")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None
        for cohort in list(self.cohorts.values()):
            for subscriber in list(cohort.subscribers.values()):
                subscriber.mailbox.finish()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self.wake.wait()
            self.wake.clear()
            wait = self.last_flush + self.interval - loop.time()
            if not self.urgent and wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.hurry.wait(), wait)
            self.hurry.clear()
            cohorts, self.urgent = self.urgent, set()
            if self.due and loop.time() >= self.last_flush + self.interval:
                cohorts |= self.due
                self.last_flush = loop.time()
            self.due -= cohorts
            if cohorts:
                # A task of its own for each flush: a broken connection does not stay with it.
                await asyncio.create_task(self.flush(cohorts))
            if self.due or self.urgent:
                self.wake.set()

    async def flush(self, cohorts: set[Cohort]) -> None:
        live = [cohort for cohort in cohorts if cohort.active()]
        if not live:
            return
        batch = Batch()
        try:
            await batch.load(
                (s for cohort in live for s in cohort.active()),
                (group for cohort in live for group in cohort.watch.groups),
            )
            outcomes = await asyncio.gather(
                *(cohort.flush(batch) for cohort in live), return_exceptions=True
            )
        except Exception as error:  # noqa: BLE001 - the database failed: retry the whole batch
            outcomes = [error] * len(live)
        errors = [(c, o) for c, o in zip(live, outcomes, strict=True) if isinstance(o, Exception)]
        self.due.update(cohort for cohort in live if cohort.has_work())
        if errors:
            self.failures += 1
            if self.failures == 1:
                logger.error("live: a flush failed; retrying with backoff", exc_info=errors[0][1])
            await asyncio.sleep(min(5.0, 0.1 * 2**self.failures))
        elif self.failures:
            logger.warning("live: flushes work again after %d failures", self.failures)
            self.failures = 0

    # -- cohorts

    def cohort_key(self, operation: Operation, context: Context) -> Hashable:
        per_viewer = self.per_viewer.get(
            (operation.query, operation.operation_name),
            lambda: depends_on_viewer(
                self.graphql_schema, operation.document, operation.definition
            ),
        )
        viewer = context.viewer.member_id if context.viewer is not None else None
        scope = ("viewer", viewer) if per_viewer else ("shared",)
        variables = orjson.dumps(
            dict(operation.variables), option=orjson.OPT_SORT_KEYS, default=str
        )
        return (operation.query, operation.operation_name, variables, scope)

    def open(self, key: Hashable, operation: Operation, watch: Watch) -> Cohort:
        name = operation.field_name
        cohort: Cohort
        if name in self.live:
            cohort = LiveCohort(key, operation, watch, self.engine, self.live[name])
        else:
            cohort = StreamCohort(key, operation, watch, self.engine, self.streams[name])
        self.cohorts[key] = cohort
        for article in watch.articles:
            self.by_article[article].add(cohort)
        for group in watch.groups:
            self.by_group[group].add(cohort)
        return cohort

    def drop(self, subscriber: Subscriber, cohort: Cohort) -> None:
        cohort.discard(subscriber)
        connection = self.by_connection.get(subscriber.connection)
        if connection is not None:
            connection.pop(subscriber, None)
            if not connection:
                del self.by_connection[subscriber.connection]
        if cohort.subscribers or self.cohorts.get(cohort.key) is not cohort:
            return
        del self.cohorts[cohort.key]
        self.due.discard(cohort)
        self.urgent.discard(cohort)
        for index, ids in (
            (self.by_article, cohort.watch.articles),
            (self.by_group, cohort.watch.groups),
        ):
            for watched in ids:
                index[watched].discard(cohort)
                if not index[watched]:
                    del index[watched]

    def mailbox(self, coalesced: bool) -> Mailbox:
        loop = asyncio.get_running_loop()
        return Mailbox(
            coalesced=coalesced, size=self.queue_size, max_lag=self.max_lag, clock=loop.time
        )


def refused(message: str, code: ErrorCode, **extensions: Any) -> Answer:
    return answer_of([GraphQLError(message, extensions={"code": code.value, **extensions})])
