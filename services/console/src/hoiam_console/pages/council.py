"""The session pages: the sessions and a new one, a session with its meetings and due dates,
uploading minutes → reviewing the split (edit, drop, join, split, restore) → committing once,
the compilation (adjust, lock), the results (kind of answer, evaluation, send back, mark for
questioning) and the documents. Every page is a plain form that works without JavaScript."""

from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import get_args
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from hoiam_console.council import DOCUMENTS, Council
from hoiam_console.council_api import attachment
from hoiam_console.council_upstream import NewSessionFields
from hoiam_console.domain.compiling import (
    LEVELS,
    Adjustment,
    Drop,
    Merge,
    Move,
    Restore,
    Reword,
    Unmerge,
)
from hoiam_console.domain.results import ANSWER_KINDS, FollowUp, Verdict
from hoiam_console.domain.review import (
    KINDS,
    MAX_FILE,
    SPLIT_MARKER,
    LineEdit,
    MeetingFields,
    MinutesFile,
)
from hoiam_console.pages.operator import upload
from hoiam_console.web import Viewer, Web

OPERATIONS = ("save", "commit", "discard")
VERDICTS: tuple[str, ...] = get_args(Verdict.__value__)
FOLLOW_UPS: tuple[str, ...] = get_args(FollowUp.__value__)


def _optional(fields: Mapping[str, str], name: str) -> str | None:
    value = fields.get(name, "").strip()
    return value or None


def _invalid(error: ValidationError) -> ValueError:
    """A form's refusal in words: each field and what is wrong with it."""
    parts = []
    for problem in error.errors(include_url=False):
        where = ".".join(str(p) for p in problem["loc"])
        parts.append(f"{where}: {problem['msg']}" if where else problem["msg"])
    return ValueError("; ".join(parts))


def new_session(fields: Mapping[str, str]) -> NewSessionFields:
    number = _optional(fields, "number")
    try:
        return NewSessionFields(
            name=fields.get("name", ""),
            province_code=fields.get("province_code", ""),
            opens_on=date.fromisoformat(fields.get("opens_on", "")),
            closes_on=date.fromisoformat(fields.get("closes_on", "")),
            term=_optional(fields, "term"),
            number=int(number) if number and number.isdigit() else None,
            council_level=fields.get("council_level") or "province",  # type: ignore[arg-type]
            commune_code=_optional(fields, "commune_code"),
        )
    except ValidationError as error:
        raise _invalid(error) from None


def meeting_fields(fields: Mapping[str, str]) -> MeetingFields:
    try:
        return MeetingFields(
            held_on=date.fromisoformat(fields.get("held_on", "")),
            place=fields.get("place", ""),
            delegates=_optional(fields, "delegates"),
            constituency=_optional(fields, "constituency"),
        )
    except ValidationError as error:
        raise _invalid(error) from None


def line_edits(fields: Mapping[str, str]) -> dict[int, LineEdit]:
    """The review form's lines: `text_<n>`, `kind_<n>`, `place_<n>`, `voters_<n>`, `drop_<n>`."""
    edits: dict[int, LineEdit] = {}
    for name in fields:
        prefix, _, number = name.partition("_")
        if prefix != "text" or not number.isdigit():
            continue
        index = int(number)
        kind = fields.get(f"kind_{index}", "petition")
        try:
            edits[index] = LineEdit(
                text=fields[name],
                kind="opinion" if kind == "opinion" else "petition",
                place=_optional(fields, f"place_{index}"),
                voters=_optional(fields, f"voters_{index}"),
                dropped=fields.get(f"drop_{index}") == "1",
            )
        except ValidationError as error:
            raise _invalid(error) from None
    return edits


def routes(web: Web, council: Council) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/sessions")
    async def sessions(request: Request) -> Response:
        async def show(viewer: Viewer) -> Response:
            found = await council.sessions(viewer.person)
            return web.render(request, "sessions.html", viewer=viewer, sessions=found)

        return await web.page(request, show)

    @pages.post("/sessions")
    async def create_session(request: Request) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            session_id = await council.create_session(viewer.person, new_session(fields))
            return RedirectResponse(f"/sessions/{session_id}", status_code=303)

        return await web.form(request, act)

    @pages.get("/sessions/{session_id}")
    async def session(request: Request, session_id: str) -> Response:
        async def show(viewer: Viewer) -> Response:
            found = await council.session(viewer.person, session_id)
            return web.render(
                request,
                "session.html",
                viewer=viewer,
                detail=found,
                shown=request.query_params.get("meeting"),
                existing=request.query_params.get("existing") == "1",
                reports=council.compiles,
            )

        return await web.page(request, show)

    @pages.post("/sessions/{session_id}/minutes")
    async def upload_minutes(request: Request, session_id: str) -> Response:
        async def act(
            viewer: Viewer, fields: Mapping[str, str], file: UploadFile | None
        ) -> Response:
            content = await file.read(MAX_FILE + 1) if file is not None else b""
            if len(content) > MAX_FILE:
                raise ValueError(f"the minutes are larger than {MAX_FILE} bytes")
            minutes = MinutesFile(
                content=content,
                filename=file.filename if file is not None else None,
                content_type=file.content_type if file is not None else None,
            )
            started = await council.start_review(
                viewer.person, session_id, file=minutes, meeting=meeting_fields(fields)
            )
            if started.draft is None:
                return RedirectResponse(
                    f"/sessions/{session_id}?meeting={started.existing_meeting_id}&existing=1",
                    status_code=303,
                )
            return RedirectResponse(
                f"/sessions/{session_id}/reviews/{started.draft.id}", status_code=303
            )

        return await upload(web, request, act)

    @pages.get("/sessions/{session_id}/reviews/{draft_id}")
    async def review(request: Request, session_id: str, draft_id: str) -> Response:
        async def show(viewer: Viewer) -> Response:
            draft = await council.review(viewer.person, session_id, draft_id)
            return web.render(
                request,
                "review.html",
                viewer=viewer,
                draft=draft,
                kinds=KINDS,
                marker=SPLIT_MARKER,
            )

        return await web.page(request, show)

    @pages.post("/sessions/{session_id}/reviews/{draft_id}")
    async def change_review(request: Request, session_id: str, draft_id: str) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            operation = fields.get("op", "save")
            edits = line_edits(fields)
            if operation == "discard":
                await council.discard_review(viewer.person, session_id, draft_id)
                return RedirectResponse(f"/sessions/{session_id}", status_code=303)
            if operation == "commit":
                done = await council.commit_review(viewer.person, session_id, draft_id, edits=edits)
                return web.render(request, "meeting_committed.html", viewer=viewer, done=done)
            await council.change_review(
                viewer.person,
                session_id,
                draft_id,
                edits=edits,
                operation=None if operation in OPERATIONS else operation,
            )
            return RedirectResponse(f"/sessions/{session_id}/reviews/{draft_id}", status_code=303)

        return await web.form(request, act)

    @pages.get("/sessions/{session_id}/compilation")
    async def compilation(request: Request, session_id: str) -> Response:
        async def show(viewer: Viewer) -> Response:
            found = await council.compilation(viewer.person, session_id)
            return web.render(
                request,
                "compilation.html",
                viewer=viewer,
                session_id=session_id,
                compilation=found,
                levels=LEVELS,
            )

        return await web.page(request, show)

    @pages.post("/sessions/{session_id}/compilation")
    async def adjust(request: Request, session_id: str) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            await council.adjust(viewer.person, session_id, adjustment_of(fields))
            return RedirectResponse(f"/sessions/{session_id}/compilation", status_code=303)

        return await web.form(request, act)

    @pages.post("/sessions/{session_id}/compilation/lock")
    async def lock(request: Request, session_id: str) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            if fields.get("op") == "unlock":
                await council.unlock(viewer.person, session_id, reason=fields.get("reason", ""))
            else:
                await council.lock(viewer.person, session_id)
            return RedirectResponse(f"/sessions/{session_id}/compilation", status_code=303)

        return await web.form(request, act)

    @pages.get("/sessions/{session_id}/results")
    async def results(request: Request, session_id: str) -> Response:
        async def show(viewer: Viewer) -> Response:
            found = await council.results(viewer.person, session_id)
            return web.render(
                request,
                "results.html",
                viewer=viewer,
                session_id=session_id,
                results=found,
                kinds=ANSWER_KINDS,
                done=request.query_params.get("done"),
            )

        return await web.page(request, show)

    @pages.post("/sessions/{session_id}/results/{petition_key}")
    async def evaluate(request: Request, session_id: str, petition_key: str) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            kind = fields.get("kind", "")
            verdict = fields.get("verdict", "")
            follow_up = fields.get("follow_up", "")
            due = fields.get("roadmap_due", "").strip()
            await council.evaluate(
                viewer.person,
                session_id,
                petition_key,
                kind=kind if kind in ANSWER_KINDS else None,
                verdict=verdict if verdict in VERDICTS else None,  # type: ignore[arg-type]
                note=_optional(fields, "note"),
                roadmap_due=date.fromisoformat(due) if due else None,
                follow_up=follow_up if follow_up in FOLLOW_UPS else None,  # type: ignore[arg-type]
            )
            return RedirectResponse(
                f"/sessions/{session_id}/results?done={follow_up or 'evaluated'}#p-{petition_key}",
                status_code=303,
            )

        return await web.form(request, act)

    def download(name: str) -> Callable[[Request, str], Awaitable[Response]]:
        async def get(request: Request, session_id: str) -> Response:
            async def show(viewer: Viewer) -> Response:
                content, filename = await council.document(viewer.person, session_id, name)
                return attachment(content, filename)

            return await web.page(request, show)

        return get

    for name in DOCUMENTS:
        pages.add_api_route(f"/sessions/{{session_id}}/{name}", download(name), methods=["GET"])

    return pages


def adjustment_of(fields: Mapping[str, str]) -> Adjustment:
    """The compilation page's forms: `op` and the fields that operation takes."""
    op = fields.get("op", "")
    key = fields.get("key", "")
    try:
        if op == "move":
            level = fields.get("level") or None
            return Move(key=key, level=level)  # type: ignore[arg-type]
        if op == "merge":
            return Merge(key=key, other=fields.get("other", ""))
        if op == "unmerge":
            item = fields.get("item_id") or None
            return Unmerge(key=key, item_id=UUID(item) if item else None)
        if op == "drop":
            return Drop(key=key, reason=fields.get("reason", ""))
        if op == "restore":
            return Restore(key=key)
        if op == "reword":
            return Reword(key=key, summary=fields.get("summary", ""))
    except ValidationError as error:
        raise _invalid(error) from None
    raise ValueError(f"unknown adjustment {op!r}: move, merge, unmerge, drop, restore, reword")
