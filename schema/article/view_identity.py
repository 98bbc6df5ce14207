"""Who is viewing: the identity a view is deduplicated by, never stored in the clear."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from starlette.requests import HTTPConnection

from schema.core.access import Access

MAX_VIEWER_KEY_LENGTH = 128


def view_identity(
    secret_key: str, access: Access, viewer_key: str | None, request: HTTPConnection | None
) -> str:
    """A keyed SHA-256 of the viewer: the signed-in member, else their `viewerKey`, else
    client address and User-Agent.

    Keyed with the server's secret so that stored markers cannot be turned back
    into addresses by trying every IP address.
    """
    if access.member_id is not None:
        identity = f"member:{access.member_id}"
    elif viewer_key is not None:
        identity = f"key:{viewer_key}"
    elif request is None:
        identity = "client:unknown"
    else:
        address = request.client.host if request.client else "unknown"
        identity = f"client:{address}\n{request.headers.get('user-agent', '')}"
    return hmac.new(secret_key.encode(), identity.encode(), hashlib.sha256).hexdigest()


def address_identity(secret_key: str, request: HTTPConnection | None) -> str:
    """A keyed SHA-256 of the client's network, whose views of an article are bounded
    together: its IPv4 address, or the /64 of an IPv6 one (what one subscriber is
    usually given). The "address:" prefix keeps it apart from every viewer identity.
    """
    host = request.client.host if request is not None and request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        network = host
    else:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if isinstance(address, ipaddress.IPv6Address):
            network = str(ipaddress.IPv6Network((address, 64), strict=False))
        else:
            network = str(address)
    identity = f"address:{network}"
    return hmac.new(secret_key.encode(), identity.encode(), hashlib.sha256).hexdigest()
