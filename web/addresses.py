"""Open live connections per client address: WebSockets and event streams alike."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable


class ConnectionsPerAddress:
    """At most `limit` connections open at once from one address
    (LIVE_MAX_CONNECTIONS_PER_ADDRESS), whatever their transport."""

    def __init__(self, limit: int, on_refused: Callable[[], None] = lambda: None) -> None:
        self.limit = limit
        self.on_refused = on_refused  # counted in /metrics
        self.open: Counter[str] = Counter()

    def enter(self, address: str) -> bool:
        """Count one more connection from `address`; False (and not counted) when it has
        `limit` already."""
        if self.open[address] >= self.limit:
            self.on_refused()
            return False
        self.open[address] += 1
        return True

    def leave(self, address: str) -> None:
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]
