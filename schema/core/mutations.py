"""What every mutation shares: one transaction, typed user errors, `clientMutationId`.

A mutation's work raises `Refusal` for anything the user can fix; the
transaction rolls back and the payload carries the errors instead of the
changed object.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader
from tortoise.transactions import in_transaction

from live.events import published_after
from schema.core import ids
from schema.core.access import Access


@strawberry.enum(description="What kind of problem a `UserError` reports.")
class UserErrorCode(Enum):
    INVALID = strawberry.enum_value(
        "INVALID", description="A value is not acceptable; see `field`."
    )
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND", description="No object you can see has this ID (or it was deleted)."
    )
    FORBIDDEN = strawberry.enum_value(
        "FORBIDDEN", description="You can see the object but may not do this to it."
    )
    CONFLICT = strawberry.enum_value(
        "CONFLICT",
        description="The change clashes with the current state (already taken, last owner, ...).",
    )
    UNAUTHENTICATED = strawberry.enum_value(
        "UNAUTHENTICATED", description="Sign in first: send `Authorization: Bearer <token>`."
    )
    INVALID_CREDENTIALS = strawberry.enum_value(
        "INVALID_CREDENTIALS",
        description="The email or the password is wrong (we do not say which).",
    )
    IDEMPOTENCY_KEY_REUSED = strawberry.enum_value(
        "IDEMPOTENCY_KEY_REUSED",
        description=(
            "This `clientMutationId` already created something, with other input, within "
            "24 hours: a new call needs a new key. Nothing changed."
        ),
    )


@strawberry.type(description="A problem with a mutation's input that the user can fix.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='The path to the input field at fault, e.g. ["input", "title"]; null when none.'
    )
    code: UserErrorCode = strawberry.field(description="The kind of problem.")
    message: str = strawberry.field(description="What is wrong, in words to show the user.")


class Refusal(Exception):  # noqa: N818 - a refusal is an expected outcome, not an error
    """Raised inside a mutation's work: roll back and answer with these errors."""

    def __init__(self, *errors: UserError) -> None:
        super().__init__(*(error.message for error in errors))
        self.errors = list(errors)


def refuse(code: UserErrorCode, message: str, *field: str) -> Refusal:
    return Refusal(UserError(field=list(field) or None, code=code, message=message))


# PostgreSQL cannot store NUL in text, and no UTF-8 column can hold half a surrogate pair:
# JSON carries both as escapes ("\u0000", "\ud800"). Refused alike on both databases.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def check_text(value: str, *path: str) -> None:
    """Refuse text no database can store (NUL, unpaired surrogates)."""
    if _UNSTORABLE.search(value):
        raise refuse(
            UserErrorCode.INVALID,
            f"{path[-1]} must not contain NUL or unpaired surrogate characters.",
            *path,
        )


def check_length(value: str, path: tuple[str, ...], low: int, high: int) -> None:
    """Refuse `value` unless it is storable text of `low` to `high` characters (and not blank
    when low > 0)."""
    check_text(value, *path)
    name = path[-1]
    if low and not value.strip():
        raise refuse(UserErrorCode.INVALID, f"{name} must not be blank.", *path)
    if not low <= len(value) <= high:
        raise refuse(
            UserErrorCode.INVALID,
            f"{name} must be {low} to {high} characters long; it is {len(value)}.",
            *path,
        )


P = TypeVar("P")
K = TypeVar("K")
V = TypeVar("V")


async def reloaded(
    loader: DataLoader[K, V | None], changed: list[K], *stale: DataLoader[Any, Any]
) -> V | None:
    """After a write: `loader` and every `stale` loader forget what they cached, and the
    first changed object is loaded again as the viewer now sees it (None when nothing
    changed, or when it is now out of sight)."""
    for cached in (loader, *stale):
        cached.clear_all()
    return await loader.load(changed[0]) if changed else None


def given(value: Any) -> Any:
    """An optional input field's value: None when it was left out (UNSET)."""
    return None if value is strawberry.UNSET else value


async def perform(
    payload: Callable[..., P],
    client_mutation_id: Any,
    work: Callable[[], Awaitable[dict[str, Any]]],
) -> P:
    """Run `work` in one transaction and build the payload from what it returns.

    `work` returns the payload's fields; a `Refusal` rolls everything back and
    the payload carries its errors with every other field null. The events
    `work` emits are published once the transaction has committed, never after a
    rollback.
    """
    echo = given(client_mutation_id)
    try:
        with published_after():
            async with in_transaction():
                fields = await work()
    except Refusal as refusal:
        return payload(errors=refusal.errors, client_mutation_id=echo)
    return payload(errors=[], client_mutation_id=echo, **fields)


@strawberry.type(description="What every mutation answers besides the object it changed.")
class Payload:
    errors: list[UserError] = strawberry.field(
        description=(
            "What stopped the mutation; empty when it succeeded. When not empty, nothing changed."
        )
    )
    client_mutation_id: str | None = strawberry.field(
        description="The `clientMutationId` of the input, unchanged."
    )


@strawberry.input(description="What every mutation's input may carry.")
class MutationInput:
    client_mutation_id: str | None = strawberry.field(
        default=strawberry.UNSET, description="Any string; returned unchanged in the payload."
    )


def signed_in(access: Access) -> int:
    """The viewer's member id; refuses signed-out calls."""
    if access.member_id is None:
        raise refuse(
            UserErrorCode.UNAUTHENTICATED,
            "Sign in first: send the token from signIn as `Authorization: Bearer <token>`.",
        )
    return access.member_id


def pk_of(type_name: str, global_id: str, *path: str) -> int:
    """The key behind a global id of `type_name`; refuses anything else as not found."""
    pk = ids.decode_as(type_name, global_id)
    if pk is None:
        raise not_found(type_name, *path)
    return pk


def not_found(type_name: str, *path: str) -> Refusal:
    return refuse(
        UserErrorCode.NOT_FOUND, f"No {type_name.lower()} you can see has this ID.", *path
    )
