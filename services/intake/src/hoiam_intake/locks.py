"""In-process locks by key: records worked at once (one batch's partitions) that share a key wait
for each other, the others do not."""

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager


class KeyedLocks:
    """One `asyncio.Lock` per key while anyone holds or waits for it (then it is dropped, so the
    table stays as small as the work in flight)."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, keys: Iterable[str]) -> AsyncIterator[None]:
        """Hold every lock of `keys`, taken in sorted order: two holders of overlapping keys
        cannot each wait for the other."""
        ordered = sorted(set(keys))
        taken: list[str] = []
        for key in ordered:
            self._users[key] = self._users.get(key, 0) + 1
        try:
            for key in ordered:
                await self._locks.setdefault(key, asyncio.Lock()).acquire()
                taken.append(key)
            yield
        finally:
            for key in reversed(taken):
                self._locks[key].release()
            for key in ordered:
                self._users[key] -= 1
                if self._users[key] == 0:
                    del self._users[key]
                    del self._locks[key]

    def __len__(self) -> int:
        """Keys held or waited for now."""
        return len(self._locks)
