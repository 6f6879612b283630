"""The compilations of council sessions, as the pages and the JSON API use them: a session's
compilation (grouped, merged, adjusted, locked), its results report with the evaluations, and
the documents (.docx, .xlsx) written from them.

Session and meeting metadata are intake's (`GET /v1/sessions/{id}`): the caller fetches them
with the acting person's token and hands them in as a `SessionSheet`. The items come from the
read model (`origin.session_id`); the adjustments, locks and evaluations from the store.
"""

from datetime import date

from hoiam_console.domain.access import ForbiddenError, may_administer, require
from hoiam_console.domain.compiling import (
    Adjusted,
    Adjustment,
    Compilation,
    CompilationLockedError,
    LockEvent,
    Merge,
    ReportHeading,
    SessionSheet,
    UnknownPetitionError,
    compile_session,
    refreshed,
    session_item_of,
)
from hoiam_console.domain.results import (
    AnswerKind,
    Evaluation,
    FollowUp,
    Results,
    Verdict,
    latest,
    results_of,
)
from hoiam_console.ports import CompilationStore, SessionItems
from hoiam_console.reports import documents, sheets
from hoiam_console.reports.words import heading_of
from hoiam_shared.clock import Clock
from hoiam_shared.identity import Person, Role

__all__ = [
    "CompilationBusyError",
    "CompilationLockedError",
    "Compilations",
    "EvaluationError",
    "ForbiddenError",
    "NotLockedError",
    "UnknownPetitionError",
    "may_compile",
]


class NotLockedError(Exception):
    """Unlock asked of a compilation that is not locked."""


class EvaluationError(ValueError):
    """An evaluation that does not hold together (a follow-up on a satisfactory answer)."""


RETRIES = 5
"""How many times a write that lost its number to a concurrent one reads again and retries."""


def may_compile(person: Person, sheet: SessionSheet) -> bool:
    """Operators of the session's province (or admins) compile and evaluate it; a commune's
    Front operator, the sessions of their commune."""
    if person.role is Role.ADMIN:
        return True
    if person.role is not Role.OPERATOR or person.province_code != sheet.province_code:
        return False
    return person.commune_code is None or person.commune_code == sheet.commune_code


class Compilations:
    """Every method that changes something checks the person (operators and admins compile;
    only an admin unlocks) and raises `ForbiddenError`; a change to a locked compilation raises
    `CompilationLockedError`; a petition key it does not know, `UnknownPetitionError`."""

    def __init__(self, *, items: SessionItems, store: CompilationStore, clock: Clock) -> None:
        self._items = items
        self._store = store
        self._clock = clock

    # --- the compilation -----------------------------------------------------------------

    async def _live(self, sheet: SessionSheet) -> Compilation:
        records = await self._items.of_session(sheet.id)
        items = [i for i in map(session_item_of, records) if i is not None]
        adjustments = tuple(await self._store.adjustments(sheet.id))
        return compile_session(sheet, items, adjustments=adjustments)

    async def _lock_in_force(self, session_id: str) -> tuple[list[LockEvent], LockEvent | None]:
        events = await self._store.lock_events(session_id)
        last = events[-1] if events else None
        return events, last if last is not None and last.action == "lock" else None

    async def compilation(self, sheet: SessionSheet) -> Compilation:
        """The session's compilation now: the locked snapshot while locked, else computed from
        its items and the adjustments recorded."""
        _, lock = await self._lock_in_force(sheet.id)
        if lock is not None and lock.snapshot is not None:
            return lock.snapshot.model_copy(
                update={"locked": lock.model_copy(update={"snapshot": None})}
            )
        return await self._live(sheet)

    async def adjust(
        self, sheet: SessionSheet, adjustment: Adjustment, *, person: Person
    ) -> Compilation:
        """Record one adjustment (move, merge, unmerge, drop, restore, reword) and return the
        compilation with it."""
        require(may_compile(person, sheet), "compile this session")
        for _ in range(RETRIES):
            _, lock = await self._lock_in_force(sheet.id)
            if lock is not None:
                raise CompilationLockedError(sheet.id)
            current = await self._live(sheet)
            for key in _keys_named(adjustment):
                if current.petition(key) is None:
                    raise UnknownPetitionError(key)
            if isinstance(adjustment, Merge) and (
                current.petition(adjustment.key) == current.petition(adjustment.other)
            ):
                raise UnknownPetitionError(f"{adjustment.other} is already in {adjustment.key}")
            adjusted = Adjusted(
                seq=len(current.adjustments),
                adjustment=adjustment,
                actor=person.actor,
                at=self._clock(),
            )
            if await self._store.add_adjustment(sheet.id, adjusted):
                return await self._live(sheet)
        raise CompilationBusyError(sheet.id)

    async def lock(self, sheet: SessionSheet, *, person: Person) -> Compilation:
        """Freeze the compilation as it is (operators, admins); locking a locked one is a no-op."""
        require(may_compile(person, sheet), "lock this session's compilation")
        for _ in range(RETRIES):
            events, lock = await self._lock_in_force(sheet.id)
            if lock is not None:
                return await self.compilation(sheet)
            snapshot = await self._live(sheet)
            event = LockEvent(
                seq=len(events), action="lock", actor=person.actor, at=self._clock(),
                snapshot=snapshot,
            )  # fmt: skip
            if await self._store.add_lock_event(sheet.id, event):
                return await self.compilation(sheet)
        raise CompilationBusyError(sheet.id)

    async def unlock(self, sheet: SessionSheet, *, person: Person, reason: str) -> Compilation:
        """An admin's act, recorded with its reason; the compilation follows its items again."""
        require(may_administer(person), "unlock a compilation (admins only)")
        if len(reason.strip()) < 3:
            raise EvaluationError("an unlock needs a reason")
        for _ in range(RETRIES):
            events, lock = await self._lock_in_force(sheet.id)
            if lock is None:
                raise NotLockedError(sheet.id)
            event = LockEvent(
                seq=len(events), action="unlock", actor=person.actor, at=self._clock(),
                reason=reason.strip()[:500],
            )  # fmt: skip
            if await self._store.add_lock_event(sheet.id, event):
                return await self._live(sheet)
        raise CompilationBusyError(sheet.id)

    async def history(self, sheet: SessionSheet) -> list[LockEvent]:
        """Every lock and unlock, oldest first (without the snapshots)."""
        events = await self._store.lock_events(sheet.id)
        return [e.model_copy(update={"snapshot": None}) for e in events]

    # --- the results -----------------------------------------------------------------------

    async def results(self, sheet: SessionSheet) -> Results:
        """The results report: each petition, its body, status, answer, kind, evaluation.
        The petitions are the compilation's (locked or not); statuses and answers are the
        items' current ones, even under a lock: the results move on after compiling."""
        compilation = await self._current_answers(sheet, await self.compilation(sheet))
        return results_of(compilation, await self._store.evaluations(sheet.id))

    async def _current_answers(self, sheet: SessionSheet, compilation: Compilation) -> Compilation:
        if compilation.locked is None:
            return compilation
        records = {r.item_id: r for r in await self._items.of_session(sheet.id)}
        return refreshed(compilation, records)

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
        require(may_compile(person, sheet), "evaluate this session's answers")
        compilation = await self.compilation(sheet)
        petition = next((p for p in compilation.petitions if p.key == petition_key), None)
        petition = petition or compilation.petition(petition_key)
        if petition is None or petition.kind != "petition" or petition.dropped is not None:
            raise UnknownPetitionError(petition_key)
        for _ in range(RETRIES):
            recorded = await self._store.evaluations(sheet.id)
            before = latest(recorded, petition)
            standing = verdict or (before.verdict if before else None)
            if follow_up is not None and standing != "unsatisfactory":
                raise EvaluationError("send back or questioning follow an unsatisfactory answer")
            evaluation = Evaluation(
                seq=len(recorded), petition_key=petition.key, kind=kind, verdict=verdict,
                note=note.strip()[:2000] if note and note.strip() else None,
                roadmap_due=roadmap_due, follow_up=follow_up, actor=person.actor,
                at=self._clock(),
            )  # fmt: skip
            if await self._store.add_evaluation(sheet.id, evaluation):
                return await self.results(sheet)
        raise CompilationBusyError(sheet.id)

    # --- the documents ---------------------------------------------------------------------

    async def report_docx(self, sheet: SessionSheet, heading: ReportHeading | None = None) -> bytes:
        """The compiled report (báo cáo tổng hợp), the same bytes for the same data."""
        compilation = await self.compilation(sheet)
        return documents.compiled_report(
            sheet, compilation, heading_of(sheet, compilation, heading)
        )

    async def report_xlsx(self, sheet: SessionSheet, heading: ReportHeading | None = None) -> bytes:
        """One row per compiled petition (and opinion), the same bytes for the same data."""
        compilation = await self.compilation(sheet)
        return sheets.compiled_table(compilation, heading_of(sheet, compilation, heading))

    async def results_docx(
        self, sheet: SessionSheet, heading: ReportHeading | None = None
    ) -> bytes:
        """The results report (báo cáo kết quả giải quyết)."""
        compilation = await self.compilation(sheet)
        results = await self.results(sheet)
        return documents.results_report(sheet, results, heading_of(sheet, compilation, heading))

    async def results_xlsx(
        self, sheet: SessionSheet, heading: ReportHeading | None = None
    ) -> bytes:
        """The results report, one row per petition."""
        compilation = await self.compilation(sheet)
        results = await self.results(sheet)
        return sheets.results_table(results, heading_of(sheet, compilation, heading))

    async def handout_docx(
        self,
        sheet: SessionSheet,
        *,
        communes: tuple[str, ...] | None = None,
        heading: ReportHeading | None = None,
    ) -> bytes:
        """The per-constituency handout: one page per commune, what its voters asked and what
        came back (only `communes` when given: a delegate's constituency)."""
        compilation = await self.compilation(sheet)
        results = await self.results(sheet)
        return documents.handout(
            sheet, results, heading_of(sheet, compilation, heading), communes=communes
        )


class CompilationBusyError(Exception):
    """Writers kept taking the same number: try again in a moment."""


def _keys_named(adjustment: Adjustment) -> tuple[str, ...]:
    return (
        (adjustment.key, adjustment.other) if isinstance(adjustment, Merge) else (adjustment.key,)
    )
