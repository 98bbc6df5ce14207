"""Idempotency keys: a creating mutation's `clientMutationId`, so that a retry writes nothing.

The key is the `clientMutationId` of the mutation's input, not an HTTP header:
each mutation field of a document has its own (several creations in one
document each get theirs), it travels the same over HTTP and WebSocket, and
Relay and GitHub clients already send it. It is the viewer's alone (a member's,
or a keyed hash of a signed-out client's address) and the mutation's alone.

The key is claimed in the transaction of the write, first, by one statement:
an insert that takes over only an expired row. Of two concurrent calls with one
key, exactly one writes; on PostgreSQL the other waits on the unique index
until the first commits, then finds its row and answers its result (SQLite runs
one transaction at a time). A refused call rolls its key back with everything
else, so retrying it runs it again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

import orjson
import strawberry

from models.idempotency_key import KEY_LIFETIME
from models.sql import fetch_one
from schema.context import Context
from schema.core.mutations import (
    MutationInput,
    Payload,
    Refusal,
    UserErrorCode,
    given,
    perform,
    refuse,
)

Result = dict[str, Any]  # what a call created, as JSON: {"comment": 42}
P = TypeVar("P", bound=Payload)


@strawberry.input(description="The input of a mutation that a retry must not repeat.")
class IdempotentInput(MutationInput):
    client_mutation_id: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "An idempotency key: any non-empty string new for each call (a UUID, say), "
            "returned unchanged in the payload. Sent again with the same input within 24 "
            "hours (a retry after a lost answer), it answers the first call's result, its "
            "object as it is now, and writes nothing; with other input it answers "
            "IDEMPOTENCY_KEY_REUSED. Keys are the signed-in member's (signed out: per "
            "network address) and per mutation."
        ),
    )


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    scope: str
    mutation: str
    key_hash: str
    input_hash: str


@dataclass(frozen=True, slots=True)
class Done:
    """What a call created, and whether an earlier call with its key created it."""

    result: Result
    replayed: bool


def idempotency_key(
    context: Context,
    mutation: str,
    fields: IdempotentInput,
    leave_out: Collection[str] = (),
) -> IdempotencyKey | None:
    """The key of this call; None when its input has no `clientMutationId`.

    `leave_out` names input fields kept out of the input's hash (a password,
    which the mutation checks on a retry instead).
    """
    key = given(fields.client_mutation_id)
    if not key:
        return None
    return IdempotencyKey(
        scope=scope_of(context),
        mutation=mutation,
        key_hash=sha256(key),
        input_hash=sha256(orjson.dumps(plain(fields, {"client_mutation_id", *leave_out}))),
    )


def scope_of(context: Context) -> str:
    """Whose keys: the signed-in member's, else a keyed hash of the client's address (no
    address is stored)."""
    if context.viewer is not None:
        return f"member:{context.viewer.member_id}"
    client = context.request.client if context.request is not None else None
    address = client.host if client else "unknown"
    keyed = hmac.new(context.settings.secret_key.encode(), address.encode(), hashlib.sha256)
    return f"address:{keyed.hexdigest()}"


def sha256(value: str | bytes) -> str:
    return hashlib.sha256(value.encode() if isinstance(value, str) else value).hexdigest()


def plain(value: Any, leave_out: Collection[str] = ()) -> Any:
    """An input as plain JSON values, in a fixed order, for hashing."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: plain(getattr(value, field.name))
            for field in sorted(dataclasses.fields(value), key=lambda field: field.name)
            if field.name not in leave_out
        }
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Enum):
        return value.name
    return given(value)


async def claim(key: IdempotencyKey, now: datetime) -> Result | None:
    """Inside the write's transaction: None when this call now holds the key (go on and
    write); the first call's result when one with this key already did. Refuses the key
    when that call had other input."""
    while True:
        claimed = await fetch_one(
            "INSERT INTO idempotency_keys (scope, mutation, key_hash, input_hash, result, "
            "created_at) VALUES (?, ?, ?, ?, '', ?) ON CONFLICT (scope, mutation, key_hash) "
            "DO UPDATE SET input_hash = excluded.input_hash, result = '', "
            "created_at = excluded.created_at WHERE idempotency_keys.created_at <= ? "
            "RETURNING id",
            [key.scope, key.mutation, key.key_hash, key.input_hash, now, now - KEY_LIFETIME],
        )
        if claimed is not None:
            return None
        first = await fetch_one(
            "SELECT input_hash, result FROM idempotency_keys "
            "WHERE scope = ? AND mutation = ? AND key_hash = ?",
            [key.scope, key.mutation, key.key_hash],
        )
        if first is None:  # pruned in between, having just expired: claim it afresh
            continue
        if first["input_hash"] != key.input_hash:
            raise reused_key()
        result: Result = orjson.loads(first["result"])
        return result


def reused_key() -> Refusal:
    return refuse(
        UserErrorCode.IDEMPOTENCY_KEY_REUSED,
        "This clientMutationId was already used with other input: send a new one for a new call.",
        "input",
        "clientMutationId",
    )


async def record(key: IdempotencyKey, result: Result) -> None:
    await fetch_one(
        "UPDATE idempotency_keys SET result = ? "
        "WHERE scope = ? AND mutation = ? AND key_hash = ? RETURNING id",
        [orjson.dumps(result).decode(), key.scope, key.mutation, key.key_hash],
    )


async def perform_once(
    payload: Callable[..., P],
    client_mutation_id: Any,
    key: IdempotencyKey | None,
    now: datetime,
    work: Callable[[], Awaitable[Result]],
) -> tuple[P, Done | None]:
    """`perform`, at most once per key: `work` writes and returns what it created.

    Returns the payload (its errors and `clientMutationId`; the mutation fills in
    the rest) and what was created: by `work`, or by the first call with this key
    (then `work` did not run). None when the call was refused.
    """
    done: list[Done] = []

    async def transaction() -> dict[str, Any]:
        first = None if key is None else await claim(key, now)
        if first is not None:
            done.append(Done(first, replayed=True))
            return {}
        result = await work()
        if key is not None:
            await record(key, result)
        done.append(Done(result, replayed=False))
        return {}

    answer = await perform(payload, client_mutation_id, transaction)
    return answer, (done[0] if done and not answer.errors else None)


def created(done: Done | None, name: str) -> list[int]:
    """The id of what was created under `name`, in a list (empty when nothing was)."""
    return [] if done is None else [int(done.result[name])]
