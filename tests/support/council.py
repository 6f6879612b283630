"""Fakes of the session pages' adapters for unit tests: intake's sessions as an in-memory
upstream (it splits a text file one line per petition, as the real splitter does numbered
lists), and the review store in memory with the same version rule as the Mongo one."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hoiam_console.council_upstream import (
    MeetingBrief,
    MeetingLine,
    MeetingResult,
    MinutesForm,
    NewSessionFields,
    SessionDetail,
    SessionInfo,
    SkippedMinutesLine,
)
from hoiam_console.domain.review import Draft, MinutesFile, ReviewLine
from hoiam_console.review_store import ReviewConflictError
from hoiam_console.upstream import UpstreamError
from hoiam_shared.identity import Person
from support.clock import TestClock


class InMemoryReviews:
    def __init__(self) -> None:
        self.drafts: dict[str, Draft] = {}

    async def add(self, draft: Draft) -> Draft:
        return self.drafts.setdefault(draft.id, draft)

    async def get(self, draft_id: str) -> Draft | None:
        return self.drafts.get(draft_id)

    async def replace(self, draft: Draft) -> None:
        found = self.drafts.get(draft.id)
        if found is None or found.version != draft.version - 1:
            raise ReviewConflictError(draft.id)
        self.drafts[draft.id] = draft

    async def delete(self, draft_id: str) -> None:
        self.drafts.pop(draft_id, None)

    async def sweep(self, now: datetime) -> int:
        gone = [d.id for d in self.drafts.values() if d.expired(now)]
        for draft_id in gone:
            del self.drafts[draft_id]
        return len(gone)


def fake_split(content: bytes) -> tuple[list[MeetingLine], list[SkippedMinutesLine]]:
    """`1. Cử tri ấp X đề nghị …` lines are petitions ("ý kiến:" opinions), the rest skipped."""
    items: list[MeetingLine] = []
    skipped: list[SkippedMinutesLine] = []
    for raw in content.decode("utf-8").splitlines():
        line = raw.strip()
        number, dot, words = line.partition(". ")
        if dot and number.isdigit():
            opinion = words.lower().startswith("ý kiến:")
            items.append(
                MeetingLine(
                    position=len(items),
                    kind="opinion" if opinion else "petition",
                    routed=not opinion,
                    text=words,
                    place="ấp Phú Thọ" if "Phú Thọ" in words else None,
                    voters="Cử tri ấp Phú Thọ" if "Phú Thọ" in words else None,
                )
            )
        elif line:
            skipped.append(SkippedMinutesLine(text=line, reason="title"))
    return items, skipped


@dataclass
class FakeCouncilUpstream:
    """Intake's session routes as the console sees them; `calls` records each with its person."""

    clock: TestClock
    sessions_known: dict[str, SessionInfo] = field(default_factory=dict)
    meetings: dict[str, list[tuple[MeetingBrief, MeetingResult]]] = field(default_factory=dict)
    calls: list[tuple[str, Person, dict[str, object]]] = field(default_factory=list)
    follow_ups: list[tuple[str, str, str]] = field(default_factory=list)
    refuse: UpstreamError | None = None

    def _record(self, what: str, person: Person, **args: object) -> None:
        if self.refuse is not None:
            raise self.refuse
        self.calls.append((what, person, args))

    async def create_session(self, person: Person, command: NewSessionFields) -> str:
        self._record("create_session", person, command=command)
        session_id = f"s{len(self.sessions_known) + 1}"
        self.sessions_known[session_id] = SessionInfo(
            id=session_id,
            **command.model_dump(),
            compile_before_due=command.opens_on - timedelta(days=15),
            compile_after_due=command.closes_on + timedelta(days=15),
            created_at=self.clock(),
        )
        self.meetings[session_id] = []
        return session_id

    async def sessions(self, person: Person) -> list[SessionInfo]:
        self._record("sessions", person)
        return list(self.sessions_known.values())

    def _known(self, session_id: str) -> SessionInfo:
        if session_id not in self.sessions_known:
            raise UpstreamError(404, "no such session")
        return self.sessions_known[session_id]

    async def session(self, person: Person, session_id: str) -> SessionDetail:
        self._record("session", person, session_id=session_id)
        return SessionDetail(
            session=self._known(session_id),
            meetings=[brief for brief, _ in self.meetings[session_id]],
        )

    async def add_meeting(
        self,
        person: Person,
        session_id: str,
        *,
        file: MinutesFile,
        form: MinutesForm,
        review: bool,
        petitions: Sequence[ReviewLine] | None = None,
    ) -> MeetingResult:
        self._record(
            "add_meeting",
            person,
            session_id=session_id,
            review=review,
            petitions=list(petitions) if petitions is not None else None,
        )
        self._known(session_id)
        meeting_id = "m-" + hashlib.sha256(session_id.encode() + file.content).hexdigest()[:12]
        for brief, done in self.meetings[session_id]:
            if brief.id == meeting_id and not review:
                return done.model_copy(update={"existing": True})
        items, skipped = fake_split(file.content)
        if not items:
            raise UpstreamError(422, "no petitions found in these minutes")
        if review:
            return MeetingResult(
                meeting_id=meeting_id, session_id=session_id, review=True, items=items,
                skipped=skipped,
            )  # fmt: skip
        if petitions is not None:
            items = [
                MeetingLine(position=i, routed=p.kind == "petition", **p.model_dump(
                    include={"text", "kind", "place", "voters", "answered_on_the_spot",
                             "answer", "level", "section"}))
                for i, p in enumerate(petitions)
            ]  # fmt: skip
        committed = [
            line.model_copy(update={"tracking_code": f"HA-TEST-{i:02d}", "item_id": f"i{i}"})
            for i, line in enumerate(items)
        ]
        done = MeetingResult(
            meeting_id=meeting_id, session_id=session_id, items=committed, skipped=skipped,
            counts={"petitions": sum(1 for c in committed if c.kind == "petition"),
                    "opinions": sum(1 for c in committed if c.kind == "opinion")},
        )  # fmt: skip
        brief = MeetingBrief(
            id=meeting_id,
            held_on=form.held_on,
            place=form.place,
            delegates=tuple((form.delegates or "").split(";")) if form.delegates else (),
            constituency=form.constituency,
            filename=file.filename,
            counts=done.counts,
        )
        self.meetings[session_id].append((brief, done))
        return done

    async def send_back(self, person: Person, tracking_code: str, *, note: str) -> None:
        self._record("send_back", person)
        self.follow_ups.append(("send_back", tracking_code, note))

    async def question(
        self, person: Person, tracking_code: str, *, note: str, session_id: str
    ) -> None:
        self._record("question", person)
        self.follow_ups.append(("question", tracking_code, note))
