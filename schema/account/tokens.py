"""Bearer tokens: 256 random bits, shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from models.sql import fetch_one

TOKEN_PREFIX = "gql_"  # noqa: S105 - lets secret scanners recognise a leaked token


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None without one."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def issue_token(member_id: int, now: datetime, lifetime: timedelta) -> tuple[str, datetime]:
    """A new token for the member and when it expires; only its hash is stored."""
    token = new_token()
    expires_at = now + lifetime
    await fetch_one(
        "INSERT INTO auth_tokens (member_id, token_hash, created_at, expires_at) "
        "VALUES (?, ?, ?, ?) RETURNING id",
        [member_id, token_hash(token), now, expires_at],
    )
    return token, expires_at


async def revoke_token(token_id: int, now: datetime) -> bool:
    row = await fetch_one(
        "UPDATE auth_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING id",
        [now, token_id],
    )
    return row is not None
