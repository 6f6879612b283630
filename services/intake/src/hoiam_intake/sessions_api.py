"""HTTP for council sessions and their voters' meetings (operator routes).

`POST /v1/sessions/{id}/meetings` takes a minutes file (or pasted text), splits it into petitions
and, unless `review=true`, commits each as an item on the `meeting` channel: one raw record per
petition, the usual raw → received path. The meeting's id is derived from (session, file bytes),
so the same file sent again is the same meeting: answered 200 with its items, nothing published
again. Records are published before the meeting is stored, so a crash between the two is mended
by sending the file again (the records carry the same ids, and the normaliser dedupes them).

An operator who reviewed the split commits their lines as `petitions` (a JSON list of the review's
`items`, position by order), which replace the splitter's. Idempotency stays per (session, file
bytes): the same file committed again is the same meeting even with other edits, and the second
call gets the first call's items (200): a second review of one file is not a second meeting.
`delegates` (names) and `constituency` go with every petition, so the router can tell the
delegates and the commune's Front the answer on behalf of voters who left no contact.
"""

import asyncio
import hashlib
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Response, UploadFile, status
from pydantic import BaseModel, Field

from hoiam_intake.accepting import Acceptor
from hoiam_intake.domain import keys
from hoiam_intake.domain.channels.meeting import MEETING_CONTENT_TYPE, MeetingPetitionRecord
from hoiam_intake.domain.minutes import split_minutes
from hoiam_intake.domain.minutes.sessions import (
    Meeting,
    MeetingItem,
    NewSession,
    ReviewRejectedError,
    Session,
    SkippedLine,
    delegates_of,
    open_session,
    review_of,
    reviewed_items,
)
from hoiam_intake.minutes_files import UnreadableMinutesError, read_minutes
from hoiam_intake.sessions import SessionStore
from hoiam_intake.settings import IntakeSettings
from hoiam_shared.clock import Clock
from hoiam_shared.events import Channel
from hoiam_shared.http import operator_guard
from hoiam_shared.ids import new_id


class SessionCreated(BaseModel):
    id: str


class MeetingSummary(BaseModel):
    id: str
    held_on: date
    place: str
    delegates: tuple[str, ...]
    constituency: str | None = None
    filename: str | None
    counts: dict[str, int]


class SessionView(BaseModel):
    session: Session
    meetings: list[MeetingSummary]


class MeetingAccepted(BaseModel):
    """What a meeting became: its items (with tracking codes once committed) and skipped lines."""

    meeting_id: str
    session_id: str
    review: bool = Field(description="True: the split only, nothing committed.")
    items: tuple[MeetingItem, ...]
    skipped: tuple[SkippedLine, ...]
    counts: dict[str, int]


def _summary(meeting: Meeting) -> MeetingSummary:
    return MeetingSummary(
        id=meeting.id,
        held_on=meeting.held_on,
        place=meeting.place,
        delegates=meeting.delegates,
        constituency=meeting.constituency,
        filename=meeting.filename,
        counts=meeting.counts,
    )


def _accepted(meeting: Meeting, *, review: bool) -> MeetingAccepted:
    return MeetingAccepted(
        meeting_id=meeting.id,
        session_id=meeting.session_id,
        review=review,
        items=meeting.items,
        skipped=meeting.skipped,
        counts=meeting.counts,
    )


def _short(value: str | None) -> str | None:
    return value[:300] if value else None


def build_sessions_router(
    *,
    acceptor: Acceptor,
    sessions: SessionStore,
    settings: IntakeSettings,
    secret: str,
    clock: Clock,
) -> APIRouter:
    router = APIRouter(tags=["sessions"])
    operator = operator_guard(settings.operator_token)
    limit = settings.body_limit("minutes")

    async def known(session_id: str) -> Session:
        session = await sessions.session(session_id)
        if session is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such session")
        return session

    @router.post(
        "/v1/sessions",
        status_code=status.HTTP_201_CREATED,
        summary="Declare a council session (kỳ họp); its compile windows follow from its dates",
        dependencies=[Depends(operator)],
    )
    async def create_session(command: NewSession) -> SessionCreated:
        session = open_session(command, session_id=str(new_id()), at=clock())
        await sessions.add_session(session)
        return SessionCreated(id=session.id)

    @router.get("/v1/sessions", summary="Every session", dependencies=[Depends(operator)])
    async def list_sessions() -> list[Session]:
        return await sessions.sessions()

    @router.get(
        "/v1/sessions/{session_id}",
        summary="A session with its meetings",
        dependencies=[Depends(operator)],
    )
    async def get_session(session_id: str) -> SessionView:
        session = await known(session_id)
        meetings = await sessions.meetings_of(session_id)
        return SessionView(session=session, meetings=[_summary(m) for m in meetings])

    @router.post(
        "/v1/sessions/{session_id}/meetings",
        status_code=status.HTTP_201_CREATED,
        summary="A voters' meeting's minutes (.docx, .xlsx, text) → one item per petition",
        responses={
            200: {"description": "The same minutes again, or a review: nothing published"},
            404: {"description": "No such session"},
            413: {"description": "The file is too large"},
            415: {"description": "Not a .docx, .xlsx or text file"},
            422: {
                "description": "Empty, unreadable, no petition found, or reviewed `petitions` "
                "that cannot be committed (the reasons, one per line at fault)"
            },
        },
        dependencies=[Depends(operator)],
    )
    async def add_meeting(
        session_id: str,
        response: Response,
        held_on: Annotated[date, Form()],
        place: Annotated[str, Form(min_length=2, max_length=300)],
        file: Annotated[UploadFile | None, File()] = None,
        text: Annotated[str | None, Form(max_length=2_000_000)] = None,
        delegates: Annotated[str | None, Form(max_length=5000)] = None,
        constituency: Annotated[str | None, Form(max_length=300)] = None,
        review: Annotated[bool, Form()] = False,
        petitions: Annotated[
            str | None,
            Form(
                max_length=5_000_000,
                description="The operator's reviewed lines, a JSON list shaped like the review's "
                "`items` (text, kind petition|opinion, place, voters, answered_on_the_spot, "
                "answer, level, section; position by order): committed instead of the split.",
            ),
        ] = None,
    ) -> MeetingAccepted:
        session = await known(session_id)
        place = " ".join(place.split())
        if len(place) < 2:
            raise HTTPException(422, detail="`place` names the commune where the meeting was held")
        constituency = " ".join((constituency or "").split()) or None
        try:
            reviewed = reviewed_items(petitions) if petitions is not None else None
        except ReviewRejectedError as error:
            raise HTTPException(422, detail=error.reasons) from None
        if (file is None) == (text is None):
            raise HTTPException(422, detail="send the minutes as `file` or as `text`, one of them")
        if file is not None:
            data = await file.read(limit + 1)
            filename, content_type = file.filename, file.content_type
        else:
            data, filename, content_type = (text or "").encode("utf-8"), None, "text/plain"
        if len(data) > limit:
            raise HTTPException(413, detail=f"the minutes are larger than {limit} bytes")
        if not data.strip():
            raise HTTPException(422, detail="the minutes are empty")
        digest = hashlib.sha256(data).hexdigest()
        meeting_id = str(
            keys.item_id_for(Channel.MEETING, f"meeting:{session_id}:{digest}", secret=secret)
        )
        if not review and (earlier := await sessions.meeting(meeting_id)) is not None:
            response.status_code = status.HTTP_200_OK
            return _accepted(earlier, review=False)
        try:
            blocks = await asyncio.to_thread(
                read_minutes, data, filename=filename, content_type=content_type
            )
        except UnreadableMinutesError as error:
            code = 422 if "cannot open" in str(error) or "damaged" in str(error) else 415
            raise HTTPException(code, detail=str(error)) from error
        split = split_minutes(blocks, meeting_place=place)
        if not split.petitions and reviewed is None:
            raise HTTPException(422, detail="no petitions found in these minutes")
        items, skipped = review_of(split)
        if reviewed is not None:
            items = reviewed  # the operator's lines win; what the splitter skipped stays listed
        meeting = Meeting(
            id=meeting_id,
            session_id=session_id,
            sha256=digest,
            filename=filename,
            held_on=held_on,
            place=place,
            delegates=delegates_of(delegates),
            constituency=constituency,
            items=items,
            skipped=skipped,
            created_at=clock(),
        )
        if review:
            response.status_code = status.HTTP_200_OK
            return _accepted(meeting, review=True)
        committed = []
        for item in items:
            record = MeetingPetitionRecord(
                meeting_id=meeting_id,
                session_id=session_id,
                province_code=session.province_code,
                meeting_place=meeting.place,
                held_on=held_on,
                position=item.position,
                text=item.text[:20_000],
                kind="opinion" if item.kind == "opinion" else "petition",
                voters=_short(item.voters),
                place=_short(item.place),
                answered_on_the_spot=item.answered_on_the_spot,
                answer=item.answer[:20_000] if item.answer else None,
                level=item.level,
                section=_short(item.section),
                delegates=meeting.delegates,
                constituency=constituency,
            )
            receipt = await acceptor.accept(
                Channel.MEETING,
                record.model_dump_json().encode(),
                MEETING_CONTENT_TYPE,
                f"{meeting_id}:{item.position}",
            )
            committed.append(
                item.model_copy(
                    update={"tracking_code": receipt.tracking_code, "item_id": str(receipt.id)}
                )
            )
        stored, added = await sessions.add_meeting(
            meeting.model_copy(update={"items": tuple(committed)})
        )
        if not added:
            response.status_code = status.HTTP_200_OK
        return _accepted(stored, review=False)

    return router
