"""The inbox: my body's items (body staff), my area's (operators), my constituency's
(delegates), with SLA badges and a status filter; `/inbox/{item_id}` is the notifier's link."""

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hoiam_console.web import Viewer, Web
from hoiam_shared.events import Status


def routes(web: Web) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/inbox")
    async def inbox(request: Request, status: str | None = None) -> Response:
        chosen = Status(status) if status in {s.value for s in Status} else None

        async def show(viewer: Viewer) -> Response:
            items = await web.actions.inbox(viewer.person, statuses=[chosen] if chosen else None)
            return web.render(
                request,
                "inbox.html",
                viewer=viewer,
                items=items,
                statuses=list(Status),
                chosen=chosen.value if chosen else "",
            )

        return await web.page(request, show)

    @pages.get("/inbox/{item_id}")
    async def from_link(request: Request, item_id: UUID) -> Response:
        """The 'Xem và trả lời' link of a body's email names the item id."""

        async def show(viewer: Viewer) -> Response:
            item = await web.actions.item_by_id(viewer.person, item_id)
            return RedirectResponse(f"/items/{item.tracking_code}", status_code=303)

        return await web.page(request, show)

    return pages
