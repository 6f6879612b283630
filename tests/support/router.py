"""The router's bundled directory for tests, generated once per test session (about a second
each time otherwise: 5,114 bodies from the gazetteer and the YAML)."""

from functools import cache
from typing import Any

from hoiam_router.directory_yaml import load_directory
from hoiam_router.domain.directory import Directory


@cache
def bundled_directory() -> Directory:
    return load_directory()


class Crashed(Exception):
    """The process died here (not an outage: nothing catches it)."""


class CrashesAfterWrites:
    """A router store that lets `allowed` writes through, then dies on the next one, like a
    process killed between two steps; reads always pass. Wraps any `AssignmentRepository`."""

    READS = frozenset(
        {
            "get",
            "in_status",
            "overdue",
            "open_in_cases",
            "published_escalations",
            "case_openers",
            "case_items",
            "case_assignments",
            "history",
            "messages",
            "unpublished",
            "corrections",
        }
    )

    def __init__(self, inner: object, *, allowed: int) -> None:
        self._inner = inner
        self.allowed = allowed

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if name in self.READS:
            return found

        async def write(*args: Any, **kwargs: Any) -> Any:
            if self.allowed <= 0:
                raise Crashed(f"killed before {name}")
            self.allowed -= 1
            return await found(*args, **kwargs)

        return write
