"""Rate limits of the public pages, per client address: a tracking-code lookup, a filing, a
place search. In-process (a deque of recent hits per key); behind `Limiter`, so a store-backed
one can replace it when the console runs as several processes."""

from collections import deque
from datetime import datetime, timedelta
from math import ceil
from typing import Protocol

from hoiam_console.domain.throttle import refused_until
from hoiam_shared.clock import Clock


class Limiter(Protocol):
    async def hit(self, key: str) -> int | None:
        """Count one request for `key`; the seconds to wait when it is over its limit (the
        request is then refused and not counted), None when it may go on."""
        ...


class InProcessLimiter:
    def __init__(self, *, allowed: int, window: timedelta, clock: Clock) -> None:
        self._allowed = allowed
        self._window = window
        self._clock = clock
        self._hits: dict[str, deque[datetime]] = {}

    async def hit(self, key: str) -> int | None:
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self._window:
            hits.popleft()
        until = refused_until(hits, now=now, allowed=self._allowed, window=self._window)
        if until is not None:
            return max(1, ceil((until - now).total_seconds()))
        hits.append(now)
        if len(self._hits) > 100_000:  # a flood of addresses must not grow memory unbounded
            self._hits = {k: v for k, v in self._hits.items() if v}
        return None
