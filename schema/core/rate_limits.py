"""Rate limits: budgets per viewer per minute, in this process or shared through Redis.

Each budget is a generic cell rate (GCRA): spending `n` of a budget of `limit`
a minute moves the viewer's "theoretical arrival time" `n * 60 / limit`
seconds on; a spend that would move it more than a minute ahead of now is
refused, and the answer says how long until it would not be. The viewer is the
signed-in member, else the client address, both kept only as keyed hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from graphql import GraphQLError
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import RedisError

from schema.core.errors import ErrorCode

logger = logging.getLogger("groupql.rate_limits")

PERIOD = 60.0


class Budget(StrEnum):
    QUERY_COST = "query_cost"
    MUTATIONS = "mutations"
    SIGN_IN = "sign_in"
    VIEWS = "views"


class Store(Protocol):
    async def spend(self, key: str, cost: float, now: float) -> float:
        """Spend `cost` seconds of a one-minute allowance; 0 when allowed, else the wait."""


class MemoryStore:
    """Budgets of this process only: for a single process, and the default."""

    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}

    async def spend(self, key: str, cost: float, now: float) -> float:
        arrival = max(self.arrivals.get(key, now), now) + cost
        if arrival - now > PERIOD:
            return arrival - now - PERIOD
        self.arrivals[key] = arrival
        if len(self.arrivals) > 100_000:  # forget viewers whose allowance is whole again
            self.arrivals = {k: t for k, t in self.arrivals.items() if t > now}
        return 0.0


# One atomic step in Redis: the same arithmetic as MemoryStore.spend.
SPEND = """
local now = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local period = tonumber(ARGV[3])
local arrival = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if arrival < now then arrival = now end
arrival = arrival + cost
if arrival - now > period then return tostring(arrival - now - period) end
redis.call('SET', KEYS[1], tostring(arrival), 'PX', math.ceil((arrival - now) * 1000) + 1000)
return '0'
"""


REDIS_WAIT_SECONDS = 0.25  # longest wait for a free connection of the pool
REDIS_RETRY_SECONDS = 2.0  # after Redis failed, how long budgets stay in the process only
WARN_EVERY_SECONDS = 60.0


class RedisStore:
    """Budgets shared by every process that uses the same Redis (REDIS_URL).

    It never lets a request through unmetered: when Redis fails, or all of the
    pool's `pool_size` connections stay busy past a short wait, the spend goes to
    this process's own budgets instead (as without Redis), and a warning says so
    at most once a minute. After a failure Redis is tried again `REDIS_RETRY_SECONDS`
    later, so an outage costs no request more than one failed attempt. The process's
    budgets also follow every spend Redis allows, so falling back does not hand
    anyone a fresh allowance.
    """

    def __init__(
        self, url: str, *, pool_size: int = 20, clock: Callable[[], float] = time.monotonic
    ) -> None:
        # A blocking pool waits (briefly) for a free connection where the default pool
        # raises at once: under a burst, spends queue instead of all falling back.
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=pool_size,
            timeout=REDIS_WAIT_SECONDS,
            socket_timeout=1.0,
            socket_connect_timeout=1.0,
        )
        self.redis: Any = Redis.from_pool(pool)
        self.script = self.redis.register_script(SPEND)
        self.local = MemoryStore()
        self.clock = clock
        self.retry_at = -math.inf
        self.outage: str | None = None  # why Redis is not used, while it is not
        self.warnings = Warnings(clock)

    async def spend(self, key: str, cost: float, now: float) -> float:
        if self.outage is None or self.clock() >= self.retry_at:
            try:
                answer = await self.script(keys=[f"groupql:rate:{key}"], args=[now, cost, PERIOD])
            except (RedisError, OSError, TimeoutError) as error:
                self.failed(error)
            else:
                if self.outage is not None:
                    self.outage = None
                    logger.warning("Redis answers again: rate limits are shared again")
                wait = float(answer)
                return wait or await self.local.spend(key, cost, now)
        else:
            self.warnings.warn("failed", self.outage)
        return await self.local.spend(key, cost, now)

    def failed(self, error: Exception) -> None:
        if isinstance(error.__cause__, TimeoutError) and "No connection available" in str(error):
            self.warnings.warn(
                "exhausted",
                f"Redis pool exhausted (every connection busy for {REDIS_WAIT_SECONDS:g} s): "
                "rate limits kept in this process for those calls",
            )
            return
        self.retry_at = self.clock() + REDIS_RETRY_SECONDS
        self.outage = (
            f"Redis failed ({type(error).__name__}: {error}): rate limits kept in this process only"
        )
        self.warnings.warn("failed", self.outage)

    async def close(self) -> None:
        await self.redis.aclose()


class Warnings:
    """Each kind of warning at most once a minute, saying how often it happened since."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.last: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def warn(self, kind: str, text: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        now = self.clock()
        if now - self.last.get(kind, -math.inf) >= WARN_EVERY_SECONDS:
            logger.warning("%s (%d calls since last logged)", text, self.counts.pop(kind))
            self.last[kind] = now


@dataclass(frozen=True, slots=True)
class RateLimiter:
    """The budgets of every viewer, in one store."""

    store: Store | None  # None: rate limiting is off
    per_minute: dict[Budget, int]
    secret: str

    async def spend(self, budget: Budget, viewer: str, amount: int, now: float) -> float:
        """Spend `amount` of the viewer's budget; 0 when allowed, else seconds to wait."""
        if self.store is None or amount <= 0:
            return 0.0
        limit = self.per_minute[budget]
        if amount > limit:
            if budget is not Budget.QUERY_COST:
                return math.inf  # more calls than the whole budget: never at once
            amount = limit  # a query as costly as the whole budget still fits
        key = hmac.new(self.secret.encode(), viewer.encode(), hashlib.sha256).hexdigest()[:32]
        return await self.store.spend(f"{budget.value}:{key}", amount * PERIOD / limit, now)


class RateLimited(Exception):  # noqa: N818 - an answer (429), not a failure of ours
    """A budget is spent: the request is answered with `error` and nothing runs."""

    def __init__(self, budget: Budget, wait: float) -> None:
        name = budget.value.replace("_", " ")
        super().__init__(budget.value)
        if math.isinf(wait):
            seconds = int(PERIOD)
            message = (
                f"This request alone makes more calls than the {name} budget allows in a "
                "minute: send fewer at once."
            )
        else:
            seconds = max(1, math.ceil(wait))
            message = f"Rate limit of {name} reached: try again in {seconds} s."
        self.error = GraphQLError(
            message, extensions={"code": ErrorCode.RATE_LIMITED.value, "retryAfter": seconds}
        )
