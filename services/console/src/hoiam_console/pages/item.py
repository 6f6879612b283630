"""An item's page: what the citizen wrote, where it went, its whole history, the citizen's
later messages, what each petitioner was sent and whether it arrived; and the body's forms
(acknowledge, answer and resolve, hand back as not ours, reassign)."""

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hoiam_console.actions import ForbiddenError, NotFoundError
from hoiam_console.domain.access import may_act, may_triage
from hoiam_console.domain.readmodel import ItemRecord
from hoiam_console.web import Viewer, Web


def routes(web: Web) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    actions = web.actions

    async def in_answered_case(viewer: Viewer, item: ItemRecord) -> bool:
        """Whether the item already is in the case of the answer it repeats (the router joins
        the same matter of the same place into one case by itself): then there is no merge."""
        if item.repeat_of is None:
            return False
        try:
            answered = await actions.item(viewer.person, item.repeat_of.tracking_code)
        except (NotFoundError, ForbiddenError):
            return False
        return (answered.case_id or answered.item_id) == (item.case_id or item.item_id)

    def back(code: str) -> RedirectResponse:
        return RedirectResponse(f"/items/{code}?done=1", status_code=303)

    @pages.get("/items/{tracking_code}")
    async def item(request: Request, tracking_code: str) -> Response:
        async def show(viewer: Viewer) -> Response:
            found = await actions.item(viewer.person, tracking_code)
            history = found.sorted_history()
            return web.render(
                request,
                "item.html",
                viewer=viewer,
                item=found,
                history=history,
                messages=[e for e in history if e.kind == "message"],
                notifications=[e for e in history if e.kind == "notification"],
                can_act=may_act(viewer.person, found.scope),
                # The operators link a repeat to the answered case (the router's case merge).
                can_merge=may_triage(viewer.person),
                in_answered_case=await in_answered_case(viewer, found),
                done=request.query_params.get("done") == "1",
            )

        return await web.page(request, show)

    @pages.get("/items/{tracking_code}/photos/{attachment_id}")
    async def photo(request: Request, tracking_code: str, attachment_id: str) -> Response:
        async def show(viewer: Viewer) -> Response:
            data, content_type = await actions.photo(viewer.person, tracking_code, attachment_id)
            return Response(
                data,
                media_type=content_type,
                headers={
                    "Cache-Control": "private, max-age=3600",
                    "X-Content-Type-Options": "nosniff",
                    "Content-Security-Policy": "default-src 'none'",
                },
            )

        return await web.page(request, show)

    @pages.post("/items/{tracking_code}/acknowledge")
    async def acknowledge(request: Request, tracking_code: str) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            done = await actions.change_status(viewer.person, tracking_code, status="acknowledged")
            return back(done.tracking_code or tracking_code)

        return await web.form(request, act)

    @pages.post("/items/{tracking_code}/resolve")
    async def resolve(request: Request, tracking_code: str) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            done = await actions.change_status(
                viewer.person, tracking_code, status="resolved", answer=fields.get("answer")
            )
            return back(done.tracking_code or tracking_code)

        return await web.form(request, act)

    @pages.post("/items/{tracking_code}/hand-back")
    async def hand_back(request: Request, tracking_code: str) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            done = await actions.hand_back(
                viewer.person, tracking_code, reason=fields.get("reason", "")
            )
            return back(done.tracking_code or tracking_code)

        return await web.form(request, act)

    @pages.post("/items/{tracking_code}/reassign")
    async def reassign(request: Request, tracking_code: str) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            done = await actions.reassign(
                viewer.person,
                tracking_code,
                body_id=fields.get("body_id", ""),
                reason=fields.get("reason", ""),
            )
            return back(done.tracking_code or tracking_code)

        return await web.form(request, act)

    return pages
