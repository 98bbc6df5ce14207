"""Starting a subscription for a transport: the token, the hub, the deadline and the log line,
the same for graphql-transport-ws and for Server-Sent Events."""

from __future__ import annotations

import time
from collections.abc import Hashable

from starlette.requests import HTTPConnection

from engine import Answer, Engine, Operation
from engine.answers import refused
from engine.deadline import within
from live.hub import Hub
from live.subscriber import Stream
from schema.account.authentication import Unauthenticated, Viewer, authenticate
from schema.core.errors import ErrorCode
from schema.core.rate_limits import RateLimited


async def subscribe(
    engine: Engine,
    hub: Hub,
    connection: HTTPConnection,
    connection_id: Hashable,
    operation: Operation,
    *,
    transport: str,
    viewer: Viewer | None = None,
    authorization: str | None = None,
) -> Stream | Answer:
    """The subscription's results, or the `Answer` that refuses it with the errors (and
    codes) HTTP would give: the token (`authorization`, checked here, or the `viewer` the
    connection authenticated as), the checks and budgets, the arguments, all within
    REQUEST_TIMEOUT_SECONDS. One log line either way."""
    started = time.perf_counter()
    seconds = engine.settings.request_timeout_seconds
    outcome: Stream | Answer
    signed_in: list[Viewer] = [viewer] if viewer is not None else []

    async def authenticated() -> Stream | Answer:
        if authorization is not None:
            found = await authenticate(authorization, engine.clock())
            signed_in[:] = [found] if found is not None else []
        return await hub.subscribe(
            engine.context(connection, signed_in[0] if signed_in else None),
            connection_id,
            operation.query,
            operation.variables,
            operation.operation_name,
        )

    try:
        outcome = await within(seconds, authenticated())
    except RateLimited as limited:
        outcome = engine.refused([limited.error], operation.operation_name)
        outcome.mark_rate_limited()
    except Unauthenticated as error:
        outcome = refused(401, ErrorCode.UNAUTHENTICATED, str(error))
    except TimeoutError:
        outcome = refused(
            504,
            ErrorCode.TIMEOUT,
            f"The subscription could not start within the {seconds:g} s limit.",
        )
    except Exception as error:  # noqa: BLE001 - the database, the token lookup...: coded
        outcome = engine.failed(error)
    answer = outcome if isinstance(outcome, Answer) else Answer(None, [], executed=True)
    answer.operation_name = answer.operation_name or operation.operation_name
    engine.log.record(transport, connection, answer, started, signed_in=bool(signed_in))
    return outcome
