"""Opaque global ids: base64url of "TypeName:pk".

Clients must treat ids as opaque strings. Decoding is strict: anything that is
not exactly what `encode` produces decodes to None, so `node(id:)` answers null
for it instead of an error.
"""

from __future__ import annotations

import base64
import binascii

MAX_PK = 2**31 - 1  # every table's primary key is a 32-bit integer


def encode(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def decode(global_id: str) -> tuple[str, int] | None:
    if not 0 < len(global_id) <= 64:
        return None
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, _, pk = raw.partition(":")
    if not (type_name.isidentifier() and pk.isdigit() and pk == str(int(pk))):
        return None
    if int(pk) > MAX_PK:
        return None
    if encode(type_name, int(pk)) != global_id:
        return None
    return type_name, int(pk)


def decode_as(type_name: str, global_id: str) -> int | None:
    """The primary key behind `global_id` when it names a `type_name`, else None."""
    decoded = decode(global_id)
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]
