"""The operators' triage queue: the router's candidates and its reasons, one click to confirm
a candidate, or another body by its id (the decision teaches the router)."""

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hoiam_console.web import Viewer, Web


def routes(web: Web) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/triage")
    async def queue(request: Request) -> Response:
        async def show(viewer: Viewer) -> Response:
            items = await web.actions.triage(viewer.person)
            return web.render(
                request,
                "triage.html",
                viewer=viewer,
                items=items,
                done=request.query_params.get("done") == "1",
            )

        return await web.page(request, show)

    @pages.post("/triage/{tracking_code}/decision")
    async def decide(request: Request, tracking_code: str) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            await web.actions.decide(
                viewer.person,
                tracking_code,
                body_id=(fields.get("other_body_id") or fields.get("body_id") or "").strip(),
                category=(fields.get("category") or "").strip() or None,
            )
            return RedirectResponse("/triage?done=1", status_code=303)

        return await web.form(request, act)

    return pages
