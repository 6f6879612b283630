"""Council sessions (kỳ họp) and their voters' meetings in the console: one function per action,
called by the JSON API and the pages alike. Sessions and meetings are intake's (the console
asks with the person token); a minutes review waits in the console's own store until it is
committed once; answers are followed up through the router (send back, mark for questioning)."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Literal

from hoiam_console.actions import NotFoundError
from hoiam_console.compilations import (
    CompilationBusyError,
    CompilationLockedError,
    Compilations,
    NotLockedError,
    UnknownPetitionError,
)
from hoiam_console.council_upstream import (
    CouncilUpstream,
    MeetingResult,
    MinutesForm,
    NewSessionFields,
    SessionDetail,
    SessionInfo,
)
from hoiam_console.domain import review
from hoiam_console.domain.access import require
from hoiam_console.domain.compiling import (
    Adjustment,
    Compilation,
    CompiledPetition,
    MeetingInfo,
    SessionSheet,
)
from hoiam_console.domain.results import AnswerKind, FollowUp, Results, Verdict
from hoiam_console.domain.review import Draft, LineEdit, MeetingFields, MinutesFile, ReviewLine
from hoiam_console.review_store import ReviewConflictError, ReviewStore
from hoiam_console.upstream import UpstreamError
from hoiam_shared.clock import Clock
from hoiam_shared.identity import Person, Role

FRONT_ONLY = "sessions and meetings are the Front's and the council's operators'"
type Document = Literal[
    "report.docx", "report.xlsx", "results.docx", "results.xlsx", "handout.docx"
]
DOCUMENTS: dict[str, str] = {
    "report.docx": "bao-cao-tong-hop",
    "report.xlsx": "bang-tong-hop",
    "results.docx": "bao-cao-ket-qua",
    "results.xlsx": "bang-ket-qua",
    "handout.docx": "tai-lieu-dai-bieu",
}
"""Each document a session's page offers, and the start of its file name."""
MINUTES_SUFFIXES = (".docx", ".xlsx", ".txt")


def is_front(person: Person) -> bool:
    return person.role in (Role.OPERATOR, Role.ADMIN)


@dataclass(frozen=True, slots=True)
class ReviewStarted:
    """An upload's outcome: a draft to review, or the meeting this very file already is."""

    session_id: str
    draft: Draft | None = None
    existing_meeting_id: str | None = None


class Council:
    def __init__(
        self,
        *,
        upstream: CouncilUpstream,
        reviews: ReviewStore,
        compilations: Compilations | None,
        clock: Clock,
    ) -> None:
        self._upstream = upstream
        self._reviews = reviews
        self._compilations = compilations
        self._clock = clock

    def require_front(self, person: Person) -> None:
        require(is_front(person), FRONT_ONLY)

    # --- sessions --------------------------------------------------------------------------

    async def create_session(self, person: Person, command: NewSessionFields) -> str:
        require(is_front(person), FRONT_ONLY)
        return await self._upstream.create_session(person, command)

    async def sessions(self, person: Person) -> list[SessionInfo]:
        require(is_front(person), FRONT_ONLY)
        found = await self._upstream.sessions(person)
        return sorted(found, key=lambda s: (s.opens_on, s.created_at), reverse=True)

    async def session(self, person: Person, session_id: str) -> SessionDetail:
        require(is_front(person), FRONT_ONLY)
        detail = await self._upstream.session(person, session_id)
        meetings = sorted(detail.meetings, key=lambda m: (m.held_on, m.place))
        return detail.model_copy(update={"meetings": meetings})

    # --- meetings: straight in (the API) ---------------------------------------------------

    async def add_meeting(
        self, person: Person, session_id: str, *, file: MinutesFile, meeting: MeetingFields
    ) -> MeetingResult:
        """The API's way: what intake split is committed at once, no review."""
        require(is_front(person), FRONT_ONLY)
        check_file(file)
        return await self._upstream.add_meeting(
            person, session_id, file=file, form=form_of(meeting), review=False
        )

    # --- meetings: upload → review → commit once (the pages) -------------------------------

    async def start_review(
        self, person: Person, session_id: str, *, file: MinutesFile, meeting: MeetingFields
    ) -> ReviewStarted:
        """Intake splits the file (nothing committed); the split waits here for review. The
        same file again resumes its review, or shows the meeting it was committed as."""
        require(is_front(person), FRONT_ONLY)
        check_file(file)
        split = await self._upstream.add_meeting(
            person, session_id, file=file, form=form_of(meeting), review=True
        )
        detail = await self._upstream.session(person, session_id)
        if any(m.id == split.meeting_id for m in detail.meetings):
            await self._reviews.delete(split.meeting_id)
            return ReviewStarted(session_id=session_id, existing_meeting_id=split.meeting_id)
        now = self._clock()
        await self._reviews.sweep(now)
        draft = review.start(
            draft_id=split.meeting_id,
            session_id=session_id,
            meeting=meeting,
            file=file,
            lines=tuple(
                ReviewLine(
                    text=line.text[: review.MAX_TEXT],
                    kind="opinion" if line.kind == "opinion" else "petition",
                    place=_short(line.place),
                    voters=_short(line.voters),
                    answered_on_the_spot=line.answered_on_the_spot,
                    answer=line.answer[: review.MAX_TEXT] if line.answer else None,
                    level=line.level,
                    section=_short(line.section),
                )
                for line in split.items
            ),
            skipped=tuple(review.SkippedText(text=s.text, reason=s.reason) for s in split.skipped),
            created_by=person.actor,
            at=now,
        )
        return ReviewStarted(session_id=session_id, draft=await self._reviews.add(draft))

    async def review(self, person: Person, session_id: str, draft_id: str) -> Draft:
        require(is_front(person), FRONT_ONLY)
        found = await self._reviews.get(draft_id)
        if found is None or found.session_id != session_id or found.expired(self._clock()):
            raise NotFoundError("no such review (a review expires a day after its upload)")
        return found

    async def change_review(
        self,
        person: Person,
        session_id: str,
        draft_id: str,
        *,
        edits: dict[int, LineEdit],
        operation: str | None,
    ) -> Draft:
        """The form's edits, then one operation: `join:<n>`, `split:<n>`, `restore:<n>`."""
        draft = await self.review(person, session_id, draft_id)
        changed = review.edit(draft, edits) if edits else draft
        if operation:
            verb, _, number = operation.partition(":")
            if not number.isdigit():
                raise review.ReviewError(f"unknown operation {operation!r}")
            index = int(number)
            steps = {
                "join": review.join_with_previous,
                "split": review.split_at_marker,
                "restore": review.restore,
            }
            if verb not in steps:
                raise review.ReviewError(f"unknown operation {operation!r}")
            changed = steps[verb](changed, index)
        if changed is not draft:
            # Several edits of one request are one save: the version moves by one.
            changed = changed.model_copy(update={"version": draft.version + 1})
            try:
                await self._reviews.replace(changed)
            except ReviewConflictError:
                raise UpstreamError(
                    409, "this review was changed in another window: reload it"
                ) from None
        return changed

    async def commit_review(
        self,
        person: Person,
        session_id: str,
        draft_id: str,
        *,
        edits: dict[int, LineEdit] | None = None,
    ) -> MeetingResult:
        """Intake commits the reviewed lines with the same file: one meeting, whatever is sent
        again after (a double click, a second tab) gets the same meeting and items."""
        draft = await self.change_review(
            person, session_id, draft_id, edits=edits or {}, operation=None
        )
        lines = review.to_commit(draft)
        done = await self._upstream.add_meeting(
            person,
            session_id,
            file=draft.file,
            form=form_of(draft.meeting),
            review=False,
            petitions=lines,
        )
        await self._reviews.delete(draft.id)
        return done

    async def discard_review(self, person: Person, session_id: str, draft_id: str) -> None:
        draft = await self.review(person, session_id, draft_id)
        await self._reviews.delete(draft.id)

    # --- the compilation, the results and the documents ----------------------------------

    @property
    def compiles(self) -> bool:
        """Whether this console has a compilation store (else the report pages are a 503)."""
        return self._compilations is not None

    def _compiler(self) -> Compilations:
        if self._compilations is None:
            raise UpstreamError(503, "the console has no compilation store wired")
        return self._compilations

    async def sheet(self, person: Person, session_id: str) -> SessionSheet:
        """The session and its meetings as intake has them, for compiling."""
        detail = await self.session(person, session_id)
        found = detail.session
        return SessionSheet(
            id=found.id,
            name=found.name,
            province_code=found.province_code,
            opens_on=found.opens_on,
            closes_on=found.closes_on,
            term=found.term,
            number=found.number,
            council_level=found.council_level,
            commune_code=found.commune_code,
            meetings=tuple(
                MeetingInfo(
                    id=m.id,
                    held_on=m.held_on,
                    place=m.place,
                    delegates=m.delegates,
                    constituency=m.constituency,
                    filename=m.filename,
                )
                for m in detail.meetings
            ),
        )

    async def compilation(self, person: Person, session_id: str) -> Compilation:
        sheet = await self.sheet(person, session_id)
        async with _compiling():
            return await self._compiler().compilation(sheet)

    async def adjust(self, person: Person, session_id: str, adjustment: Adjustment) -> Compilation:
        sheet = await self.sheet(person, session_id)
        async with _compiling():
            return await self._compiler().adjust(sheet, adjustment, person=person)

    async def lock(self, person: Person, session_id: str) -> Compilation:
        sheet = await self.sheet(person, session_id)
        async with _compiling():
            return await self._compiler().lock(sheet, person=person)

    async def unlock(self, person: Person, session_id: str, *, reason: str) -> Compilation:
        require(person.role is Role.ADMIN, "unlock a compilation (admins only)")
        sheet = await self.sheet(person, session_id)
        async with _compiling():
            return await self._compiler().unlock(sheet, person=person, reason=reason)

    async def results(self, person: Person, session_id: str) -> Results:
        sheet = await self.sheet(person, session_id)
        async with _compiling():
            return await self._compiler().results(sheet)

    async def evaluate(
        self,
        person: Person,
        session_id: str,
        petition_key: str,
        *,
        kind: AnswerKind | None = None,
        verdict: Verdict | None = None,
        note: str | None = None,
        roadmap_due: date | None = None,
        follow_up: FollowUp | None = None,
    ) -> Results:
        """Record the kind of answer and the evaluation; a follow-up (send back, questioning)
        goes to the router first, for every item of the petition, and is recorded once the
        router took it, so the report never claims a follow-up that did not happen."""
        sheet = await self.sheet(person, session_id)
        compiler = self._compiler()
        async with _compiling():
            if follow_up is not None:
                compiled = await compiler.compilation(sheet)
                petition = compiled.petition(petition_key)
                if petition is None:
                    raise UnknownPetitionError(petition_key)
                # The verdict first: a follow-up only follows an unsatisfactory answer.
                await compiler.evaluate(
                    sheet, petition_key, person=person, kind=kind, verdict=verdict, note=note,
                    roadmap_due=roadmap_due,
                )  # fmt: skip
                why = (note or "").strip() or "Trả lời chưa đạt yêu cầu của cử tri"
                for code in _codes(petition):
                    if follow_up == "send_back":
                        await self.send_back(person, code, note=why)
                    else:
                        await self.question(person, code, note=why, session_id=session_id)
            return await compiler.evaluate(
                sheet, petition_key, person=person, kind=kind, verdict=verdict, note=note,
                roadmap_due=roadmap_due, follow_up=follow_up,
            )  # fmt: skip

    async def document(self, person: Person, session_id: str, name: str) -> tuple[bytes, str]:
        """One of `DOCUMENTS`, and its file name."""
        if name not in DOCUMENTS:
            raise NotFoundError(f"no document {name!r}; one of {', '.join(DOCUMENTS)}")
        sheet = await self.sheet(person, session_id)
        compiler = self._compiler()
        async with _compiling():
            writers: dict[str, Callable[[SessionSheet], Awaitable[bytes]]] = {
                "report.docx": compiler.report_docx,
                "report.xlsx": compiler.report_xlsx,
                "results.docx": compiler.results_docx,
                "results.xlsx": compiler.results_xlsx,
                "handout.docx": compiler.handout_docx,
            }
            content = await writers[name](sheet)
        suffix = name.rsplit(".", 1)[1]
        return content, f"{DOCUMENTS[name]}-{session_id}.{suffix}"

    # --- following up answers --------------------------------------------------------------

    async def send_back(self, person: Person, tracking_code: str, *, note: str) -> None:
        require(is_front(person), "sending an answer back is the Front's and the council's")
        if len(note.strip()) < 3:
            raise ValueError("say why the answer is sent back")
        await self._upstream.send_back(person, tracking_code.strip(), note=note.strip())

    async def question(
        self, person: Person, tracking_code: str, *, note: str, session_id: str
    ) -> None:
        require(is_front(person), "marking for questioning is the Front's and the council's")
        if len(note.strip()) < 3:
            raise ValueError("say what the questioning is about")
        await self._upstream.question(
            person, tracking_code.strip(), note=note.strip(), session_id=session_id
        )


@asynccontextmanager
async def _compiling() -> AsyncIterator[None]:
    """The compilation's refusals as the console's: 404, 409, 503, each with its reason."""
    try:
        yield
    except UnknownPetitionError as error:
        raise NotFoundError(f"no petition {error} in this compilation") from None
    except CompilationLockedError:
        raise UpstreamError(409, "the compilation is locked (an admin may unlock it)") from None
    except NotLockedError:
        raise UpstreamError(409, "the compilation is not locked") from None
    except CompilationBusyError:
        raise UpstreamError(503, "others are changing this compilation; retry") from None


def _codes(petition: CompiledPetition) -> list[str]:
    codes = [s.tracking_code for s in petition.sources if s.tracking_code]
    if not codes:
        raise ValueError("this petition's items have no tracking code yet")
    return codes


def check_file(file: MinutesFile) -> None:
    if not file.content.strip():
        raise ValueError("the minutes file is empty")
    name = (file.filename or "").lower()
    if name and not name.endswith(MINUTES_SUFFIXES):
        raise ValueError("the minutes are a .docx, .xlsx or .txt file (save a .doc as .docx)")


def form_of(meeting: MeetingFields) -> MinutesForm:
    return MinutesForm(
        held_on=meeting.held_on,
        place=meeting.place,
        delegates=meeting.delegates,
        constituency=meeting.constituency,
    )


def _short(value: str | None) -> str | None:
    return value[: review.MAX_FIELD] if value else None
