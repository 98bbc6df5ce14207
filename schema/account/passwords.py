"""Password hashing with argon2id; the hashing runs off the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256

_hasher = PasswordHasher()
# Verified against when the email is unknown, so that a wrong email takes as
# long as a wrong password and answers the same.
_DECOY_HASH = _hasher.hash("not the password of anyone at all")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; does the same work when there is no hash to check."""
    try:
        return await asyncio.to_thread(_hasher.verify, password_hash or _DECOY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker settings than today's."""
    return _hasher.check_needs_rehash(password_hash)
