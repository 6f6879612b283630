"""The compilations of council sessions, as the pages and the JSON API use them: a session's
compilation (grouped, merged, adjusted, locked), its results report with the evaluations, and
the documents (.docx, .xlsx) written from them.

Session and meeting metadata are intake's (`GET /v1/sessions/{id}`): the caller fetches them
with the acting person's token and hands them in as a `SessionSheet`. The items come from the
read model (`origin.session_id`); the adjustments, locks and evaluations from the store.
"""

from datetime import date

from hoiam_console.domain.access import ForbiddenError
from hoiam_console.domain.compiling import (
    Adjustment,
    Compilation,
    CompilationLockedError,
    ReportHeading,
    SessionSheet,
    UnknownPetitionError,
)
from hoiam_console.domain.results import AnswerKind, FollowUp, Results, Verdict
from hoiam_console.ports import CompilationStore, SessionItems
from hoiam_shared.clock import Clock
from hoiam_shared.identity import Person

__all__ = [
    "CompilationLockedError",
    "Compilations",
    "ForbiddenError",
    "NotLockedError",
    "UnknownPetitionError",
]


class NotLockedError(Exception):
    """Unlock asked of a compilation that is not locked."""


class Compilations:
    """Every method that changes something checks the person (operators and admins compile;
    only an admin unlocks) and raises `ForbiddenError`; a change to a locked compilation raises
    `CompilationLockedError`; a petition key it does not know, `UnknownPetitionError`."""

    def __init__(self, *, items: SessionItems, store: CompilationStore, clock: Clock) -> None:
        self._items = items
        self._store = store
        self._clock = clock

    async def compilation(self, sheet: SessionSheet) -> Compilation:
        """The session's compilation now: the locked snapshot while locked, else computed from
        its items and the adjustments recorded."""
        raise NotImplementedError

    async def adjust(
        self, sheet: SessionSheet, adjustment: Adjustment, *, person: Person
    ) -> Compilation:
        """Record one adjustment (move, merge, unmerge, drop, restore, reword) and return the
        compilation with it."""
        raise NotImplementedError

    async def lock(self, sheet: SessionSheet, *, person: Person) -> Compilation:
        """Freeze the compilation as it is (operators, admins); locking a locked one is a no-op."""
        raise NotImplementedError

    async def unlock(self, sheet: SessionSheet, *, person: Person, reason: str) -> Compilation:
        """An admin's act, recorded with its reason; the compilation follows its items again."""
        raise NotImplementedError

    async def results(self, sheet: SessionSheet) -> Results:
        """The results report: each petition, its body, status, answer, kind, evaluation."""
        raise NotImplementedError

    async def evaluate(
        self,
        sheet: SessionSheet,
        petition_key: str,
        *,
        person: Person,
        kind: AnswerKind | None = None,
        verdict: Verdict | None = None,
        note: str | None = None,
        roadmap_due: date | None = None,
        follow_up: FollowUp | None = None,
    ) -> Results:
        """Record the kind of answer and/or the evaluation of one petition (the latest counts).
        `follow_up` records the decision only: the caller asks the router to send the item back
        or mark it for questioning."""
        raise NotImplementedError

    async def report_docx(self, sheet: SessionSheet, heading: ReportHeading | None = None) -> bytes:
        """The compiled report (báo cáo tổng hợp), the same bytes for the same data."""
        raise NotImplementedError

    async def report_xlsx(self, sheet: SessionSheet) -> bytes:
        """One row per compiled petition (and opinion), the same bytes for the same data."""
        raise NotImplementedError

    async def results_docx(
        self, sheet: SessionSheet, heading: ReportHeading | None = None
    ) -> bytes:
        """The results report (báo cáo kết quả giải quyết)."""
        raise NotImplementedError

    async def results_xlsx(self, sheet: SessionSheet) -> bytes:
        """The results report, one row per petition."""
        raise NotImplementedError

    async def handout_docx(
        self, sheet: SessionSheet, *, communes: tuple[str, ...] | None = None
    ) -> bytes:
        """The per-constituency handout: one page per commune, what its voters asked and what
        came back (only `communes` when given: a delegate's constituency)."""
        raise NotImplementedError
