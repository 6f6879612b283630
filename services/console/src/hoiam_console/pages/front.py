"""Between levels of the Front: a commune's operator sees the commune's items on every channel
and forwards one up with a note; the province's sees its communes' flows (open, overdue) and
sends instructions or questions down. Every note lands in the item's history (the router's
`NoteAdded` on feedback.notes.v1, projected into the read model)."""

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hoiam_console.desk import Desk, may_write
from hoiam_console.web import Viewer, Web, safe_next
from hoiam_shared.events import NoteKind


def routes(web: Web, desk: Desk) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/front")
    async def front(request: Request) -> Response:
        async def show(viewer: Viewer) -> Response:
            view = await desk.front(viewer.person)
            kinds = [k.value for k in NoteKind if may_write(viewer.person, k)]
            return web.render(
                request,
                "front.html",
                viewer=viewer,
                view=view,
                kinds=kinds,
                done=request.query_params.get("done") == "1",
            )

        return await web.page(request, show)

    @pages.post("/items/{tracking_code}/notes")
    async def add_note(request: Request, tracking_code: str) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            await desk.add_note(
                viewer.person,
                tracking_code,
                kind=fields.get("kind", ""),
                text=fields.get("text", ""),
            )
            target = safe_next(fields.get("next") or "/front")
            joiner = "&" if "?" in target else "?"
            return RedirectResponse(f"{target}{joiner}done=1", status_code=303)

        return await web.form(request, act)

    return pages
