"""Who is signed in: the member behind an `Authorization: Bearer <token>` header."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.sql import fetch_one
from schema.account.tokens import bearer_token, token_hash


@dataclass(frozen=True, slots=True)
class Viewer:
    member_id: int
    token_id: int


class Unauthenticated(Exception):  # noqa: N818 - named after the HTTP answer it becomes
    """The request carries credentials that do not identify anyone (answered with 401)."""


async def authenticate(authorization: str | None, now: datetime) -> Viewer | None:
    """The signed-in viewer; None without credentials; Unauthenticated for bad ones."""
    if authorization is None:
        return None
    token = bearer_token(authorization)
    if token is None:
        raise Unauthenticated("The Authorization header must be `Bearer <token>`.")
    row = await fetch_one(
        "SELECT id, member_id FROM auth_tokens "
        "WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?",
        [token_hash(token), now],
    )
    if row is None:
        raise Unauthenticated("The token is unknown, expired or signed out: sign in again.")
    return Viewer(member_id=row["member_id"], token_id=row["id"])
