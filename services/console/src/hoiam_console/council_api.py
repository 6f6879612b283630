"""The JSON API of sessions and meetings (`/api/v1/sessions…`, in the console's OpenAPI): declare
a session, list and read them, send a meeting's minutes (committed as split: the API has no
review step), and follow up an answer (send back, mark for questioning). Operators and admins;
each route calls the same `Council` function as its page."""

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field, RootModel

from hoiam_console.api import REFUSED
from hoiam_console.council import DOCUMENTS, Council
from hoiam_console.council_upstream import (
    MeetingResult,
    NewSessionFields,
    SessionDetail,
    SessionInfo,
)
from hoiam_console.domain.compiling import Adjustment, Compilation
from hoiam_console.domain.results import AnswerKind, FollowUp, Results, Verdict
from hoiam_console.domain.review import MAX_FILE, MeetingFields, MinutesFile
from hoiam_console.upstream import UpstreamError
from hoiam_console.web import ACTION_ERRORS, Web, failure_status
from hoiam_shared.identity import Person


class SessionCreated(BaseModel):
    id: str


class FollowUpNote(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(min_length=3, max_length=5_000, description="Why; the body reads it.")


class FollowUpDone(BaseModel):
    tracking_code: str
    detail: str


MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def attachment(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type=MEDIA[filename.rsplit(".", 1)[1]],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class AdjustmentBody(RootModel[Adjustment]):
    """One adjustment, told apart by `op`: move, merge, unmerge, drop, restore, reword."""


class Unlock(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=500)


class EvaluationBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: AnswerKind | None = Field(default=None, description="The kind of answer, confirmed.")
    verdict: Verdict | None = Field(default=None, description="Satisfactory or not.")
    note: str | None = Field(default=None, max_length=2000)
    roadmap_due: date | None = Field(default=None, description="A roadmap's promised date.")
    follow_up: FollowUp | None = Field(
        default=None, description="send_back (to the body) or question (chất vấn)."
    )


def council_api(web: Web, council: Council) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["sessions"])

    def download(name: str) -> Callable[[Request, str], Awaitable[Response]]:
        async def get(request: Request, session_id: str) -> Response:
            content, filename = await run(request, lambda p: council.document(p, session_id, name))
            return attachment(content, filename)

        get.__name__ = "download_" + name.replace(".", "_")
        return get

    async def run[T](request: Request, act: Callable[[Person], Awaitable[T]]) -> T:
        viewer = await web.api_viewer(request)
        if viewer is None:
            raise HTTPException(
                401, "sign in: POST /api/v1/auth/token", headers={"WWW-Authenticate": "Bearer"}
            )
        try:
            return await act(viewer.person)
        except ACTION_ERRORS as error:
            status, reason = failure_status(error)
            raise HTTPException(status, reason) from None

    @api.post(
        "/sessions",
        status_code=201,
        summary="Declare a council session (kỳ họp); intake derives its compile windows",
        responses=REFUSED,
    )
    async def create_session(request: Request, body: NewSessionFields) -> SessionCreated:
        found = await run(request, lambda p: council.create_session(p, body))
        return SessionCreated(id=found)

    @api.get("/sessions", summary="Every session, the latest first", responses=REFUSED)
    async def list_sessions(request: Request) -> list[SessionInfo]:
        return await run(request, council.sessions)

    @api.get(
        "/sessions/{session_id}",
        summary="A session with its meetings and their counts",
        responses=REFUSED,
    )
    async def get_session(request: Request, session_id: str) -> SessionDetail:
        return await run(request, lambda p: council.session(p, session_id))

    @api.post(
        "/sessions/{session_id}/meetings",
        status_code=201,
        summary="A voters' meeting's minutes (.docx, .xlsx, .txt) → one item per petition, "
        "committed as split (no review); the same file again is the same meeting (200)",
        responses={
            **REFUSED,
            200: {"description": "This file was committed before: its meeting and items"},
            413: {"description": "larger than 10 MiB"},
            415: {"description": "not a .docx, .xlsx or text file"},
        },
    )
    async def add_meeting(
        request: Request,
        response: Response,
        session_id: str,
        # Optional here so that who asks is checked first (401/403), then what is missing (422).
        file: Annotated[UploadFile | None, File(description="The minutes (biên bản).")] = None,
        held_on: Annotated[str | None, Form(description="YYYY-MM-DD")] = None,
        place: Annotated[str | None, Form(max_length=300, description="The commune")] = None,
        delegates: Annotated[str | None, Form(max_length=5000)] = None,
        constituency: Annotated[str | None, Form(max_length=300)] = None,
    ) -> MeetingResult:
        async def act(person: Person) -> MeetingResult:
            council.require_front(person)
            if file is None:
                raise ValueError("send the minutes as the multipart field `file`")
            content = await file.read(MAX_FILE + 1)
            if len(content) > MAX_FILE:
                raise UpstreamError(413, f"the minutes are larger than {MAX_FILE} bytes")
            try:
                meeting = MeetingFields(
                    held_on=date.fromisoformat(held_on or ""),
                    place=place or "",
                    delegates=delegates,
                    constituency=constituency,
                )
            except ValueError as error:
                raise ValueError(
                    f"`held_on` (YYYY-MM-DD) and `place` (the commune) are needed: {error}"
                ) from None
            minutes = MinutesFile(
                content=content, filename=file.filename, content_type=file.content_type
            )
            return await council.add_meeting(person, session_id, file=minutes, meeting=meeting)

        done = await run(request, act)
        if done.existing:
            response.status_code = 200
        return done

    @api.post(
        "/items/{tracking_code}/send-back",
        status_code=202,
        summary="An unsatisfactory answer goes back to its body (the router's send-back)",
        responses={**REFUSED, 409: {"description": "not answered yet"}},
    )
    async def send_back(request: Request, tracking_code: str, body: FollowUpNote) -> FollowUpDone:
        await run(request, lambda p: council.send_back(p, tracking_code, note=body.note))
        return FollowUpDone(tracking_code=tracking_code, detail="sent back to the body")

    @api.post(
        "/sessions/{session_id}/items/{tracking_code}/question",
        status_code=202,
        summary="Mark an answer for questioning (chất vấn) at the session (the router's flag)",
        responses={**REFUSED, 409: {"description": "not answered yet"}},
    )
    async def question(
        request: Request, session_id: str, tracking_code: str, body: FollowUpNote
    ) -> FollowUpDone:
        await run(
            request,
            lambda p: council.question(p, tracking_code, note=body.note, session_id=session_id),
        )
        return FollowUpDone(tracking_code=tracking_code, detail="marked for questioning")

    @api.get(
        "/sessions/{session_id}/compilation",
        summary="The session's compilation: by level, field and body, duplicates merged, counts",
        responses=REFUSED,
    )
    async def compilation(request: Request, session_id: str) -> Compilation:
        return await run(request, lambda p: council.compilation(p, session_id))

    @api.post(
        "/sessions/{session_id}/compilation/adjustments",
        summary="Adjust the compilation: move, merge, unmerge, drop, restore, reword",
        responses={**REFUSED, 409: {"description": "the compilation is locked"}},
    )
    async def adjust(request: Request, session_id: str, body: AdjustmentBody) -> Compilation:
        return await run(request, lambda p: council.adjust(p, session_id, body.root))

    @api.post(
        "/sessions/{session_id}/compilation/lock",
        summary="Lock the compilation as it is (it no longer follows its items)",
        responses=REFUSED,
    )
    async def lock(request: Request, session_id: str) -> Compilation:
        return await run(request, lambda p: council.lock(p, session_id))

    @api.post(
        "/sessions/{session_id}/compilation/unlock",
        summary="Unlock it again (admins; the reason is recorded)",
        responses={**REFUSED, 409: {"description": "not locked"}},
    )
    async def unlock(request: Request, session_id: str, body: Unlock) -> Compilation:
        return await run(request, lambda p: council.unlock(p, session_id, reason=body.reason))

    @api.get(
        "/sessions/{session_id}/results",
        summary="The results: each petition's body, status, answer, kind of answer, evaluation",
        responses=REFUSED,
    )
    async def results(request: Request, session_id: str) -> Results:
        return await run(request, lambda p: council.results(p, session_id))

    @api.post(
        "/sessions/{session_id}/results/{petition_key}/evaluation",
        summary="Record the kind of answer and the evaluation; an unsatisfactory one may be "
        "sent back to its body or marked for questioning (the router's follow-up)",
        responses=REFUSED,
    )
    async def evaluate(
        request: Request, session_id: str, petition_key: str, body: EvaluationBody
    ) -> Results:
        return await run(
            request,
            lambda p: council.evaluate(
                p, session_id, petition_key, kind=body.kind, verdict=body.verdict,
                note=body.note, roadmap_due=body.roadmap_due, follow_up=body.follow_up,
            ),
        )  # fmt: skip

    for name in DOCUMENTS:
        api.add_api_route(
            f"/sessions/{{session_id}}/{name}",
            download(name),
            methods=["GET"],
            summary=f"The session's {name}, written now; the same bytes for the same data",
            response_class=Response,
            responses={**REFUSED, 200: {"content": {MEDIA[name.rsplit(".", 1)[1]]: {}}}},
        )

    return api
