from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any

import strawberry
from tortoise.exceptions import IntegrityError

from models.sql import fetch_one
from schema.account.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from schema.account.tokens import issue_token, revoke_token
from schema.context import Info
from schema.core.idempotency import (
    IdempotentInput,
    Result,
    idempotency_key,
    perform_once,
    reused_key,
)
from schema.core.mutations import (
    MutationInput,
    Payload,
    UserErrorCode,
    check_length,
    check_text,
    perform,
    refuse,
    signed_in,
)
from schema.member.types import Member

MAX_EMAIL_LENGTH = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@strawberry.input(
    description=(
        "A new account. A retry with the same `clientMutationId` answers the account it "
        "created with a new token (tokens are shown once), when the password is the same."
    )
)
class SignUpInput(IdempotentInput):
    name: str = strawberry.field(description="The name shown with what you write (1 to 100).")
    email: str = strawberry.field(
        description=("Your email address, to sign in with; shown to no one. Case does not matter.")
    )
    password: str = strawberry.field(
        description=f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters."
    )


@strawberry.input(description="The email and password of an account.")
class SignInInput(MutationInput):
    email: str = strawberry.field(description="The account's email address.")
    password: str = strawberry.field(description="The account's password.")


@strawberry.input(description="Nothing but the optional `clientMutationId`.")
class SignOutInput(MutationInput):
    pass


@strawberry.type(description="A signed-in session: who, and the token that proves it.")
class SessionPayload(Payload):
    member: Member | None = strawberry.field(default=None, description="Who is now signed in.")
    token: str | None = strawberry.field(
        default=None,
        description=(
            "Send it as `Authorization: Bearer <token>` with every request. It is shown only "
            "this once; keep it like a password."
        ),
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the token stops working (sign in again then)."
    )


@strawberry.type(description="The outcome of `signOut`.")
class SignOutPayload(Payload):
    revoked: bool = strawberry.field(
        default=False, description="True when the token of this request no longer works."
    )


def normalised_email(email: str) -> str:
    check_text(email, "input", "email")
    email = email.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        raise refuse(UserErrorCode.INVALID, "email is not an email address.", "input", "email")
    return email


def check_password(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise refuse(
            UserErrorCode.INVALID,
            f"password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long.",
            "input",
            "password",
        )


@strawberry.type
class AccountMutation:
    @strawberry.mutation(
        description="Create an account and sign in to it. Its token comes back once, here."
    )
    async def sign_up(
        self,
        info: Info,
        input: Annotated[SignUpInput, strawberry.argument(description="The new account.")],  # noqa: A002
    ) -> SessionPayload:
        context = info.context
        now = context.clock()
        # Hashing takes a while: do it before the transaction, not inside it.
        acceptable = MIN_PASSWORD_LENGTH <= len(input.password) <= MAX_PASSWORD_LENGTH
        password_hash = await hash_password(input.password) if acceptable else None
        signed_up: dict[str, Any] = {}

        async def work() -> Result:
            check_length(input.name, ("input", "name"), 1, 100)
            email = normalised_email(input.email)
            check_password(input.password)
            try:
                row = await fetch_one(
                    "INSERT INTO members (name, email, password_hash, created_at) "
                    "VALUES (?, ?, ?, ?) RETURNING id, name",
                    [input.name, email, password_hash, now],
                )
            except IntegrityError:
                raise refuse(
                    UserErrorCode.CONFLICT,
                    "An account with this email already exists: sign in instead.",
                    "input",
                    "email",
                ) from None
            assert row is not None  # INSERT ... RETURNING returns the row it wrote
            ttl = context.settings.token_ttl_days
            signed_up.update(await session(row["id"], row["name"], now, ttl))
            return {"member": row["id"]}

        # The password stays out of the stored hash of the input (a fast hash of it would
        # be easier to crack than the stored password hash): a retry proves it instead.
        key = idempotency_key(context, "signUp", input, leave_out={"password"})
        payload, done = await perform_once(SessionPayload, input.client_mutation_id, key, now, work)
        if done is not None and done.replayed:
            return await signed_up_again(info, input, int(done.result["member"]))
        for name, value in signed_up.items():
            setattr(payload, name, value)
        return payload

    @strawberry.mutation(
        description=(
            "Sign in with email and password. A wrong email and a wrong password get the same "
            "answer (INVALID_CREDENTIALS)."
        )
    )
    async def sign_in(
        self,
        info: Info,
        input: Annotated[SignInInput, strawberry.argument(description="The credentials.")],  # noqa: A002
    ) -> SessionPayload:
        context = info.context
        email = input.email.strip().lower()[:MAX_EMAIL_LENGTH]
        password = input.password[:MAX_PASSWORD_LENGTH]
        row = (  # no stored email holds NUL (and PostgreSQL cannot even compare one)
            None
            if "\x00" in email
            else await fetch_one(
                "SELECT id, name, password_hash FROM members WHERE email = ?", [email]
            )
        )
        # Checked before the transaction (it takes a while), and as long for a wrong email.
        verified = await verify_password(row["password_hash"] if row else None, password)

        async def work() -> dict[str, Any]:
            if row is None or not verified:
                raise refuse(
                    UserErrorCode.INVALID_CREDENTIALS, "The email or the password is wrong."
                )
            if needs_rehash(row["password_hash"]):
                await fetch_one(
                    "UPDATE members SET password_hash = ? WHERE id = ? RETURNING id",
                    [await hash_password(password), row["id"]],
                )
            now = context.clock()
            return await session(row["id"], row["name"], now, context.settings.token_ttl_days)

        return await perform(SessionPayload, input.client_mutation_id, work)

    @strawberry.mutation(
        description="Sign out: the token this request was sent with stops working."
    )
    async def sign_out(
        self,
        info: Info,
        input: Annotated[  # noqa: A002
            SignOutInput | None, strawberry.argument(description="Optional.")
        ] = None,
    ) -> SignOutPayload:
        context = info.context

        async def work() -> dict[str, Any]:
            signed_in(await context.access())
            assert context.viewer is not None  # signed in: there is a viewer
            return {"revoked": await revoke_token(context.viewer.token_id, context.clock())}

        return await perform(
            SignOutPayload, input.client_mutation_id if input else strawberry.UNSET, work
        )


async def signed_up_again(info: Info, fields: SignUpInput, member_id: int) -> SessionPayload:
    """A retried signUp: the account it created, with a new token (the first was shown once,
    and only its hash is kept) when the password is the one it was created with."""
    context = info.context
    row = await fetch_one("SELECT name, password_hash FROM members WHERE id = ?", [member_id])
    password = fields.password[:MAX_PASSWORD_LENGTH]
    verified = await verify_password(row["password_hash"] if row else None, password)

    async def work() -> dict[str, Any]:
        if row is None or not verified:
            raise reused_key()
        ttl = context.settings.token_ttl_days
        return await session(member_id, row["name"], context.clock(), ttl)

    return await perform(SessionPayload, fields.client_mutation_id, work)


async def session(member_id: int, name: str, now: datetime, ttl_days: int) -> dict[str, Any]:
    token, expires_at = await issue_token(member_id, now, timedelta(days=ttl_days))
    return {"member": Member(pk=member_id, name=name), "token": token, "expires_at": expires_at}
