"""The operators' tasks (missed calls, call-backs, unreachable citizens, unknown deliveries):
the list from intake, assign to me, close with a note."""

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hoiam_console.web import Viewer, Web

STATES = ("open", "assigned", "done")


def routes(web: Web) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/tasks")
    async def tasks(request: Request, state: str | None = None) -> Response:
        async def show(viewer: Viewer) -> Response:
            chosen = state if state in STATES else None
            found = await web.actions.tasks(viewer.person, state=chosen)
            return web.render(
                request,
                "tasks.html",
                viewer=viewer,
                tasks=found,
                states=STATES,
                chosen=chosen or "",
                done=request.query_params.get("done") == "1",
            )

        return await web.page(request, show)

    @pages.post("/tasks/{task_id}/assign")
    async def assign(request: Request, task_id: str) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            await web.actions.assign_task(viewer.person, task_id)
            return RedirectResponse("/tasks?done=1", status_code=303)

        return await web.form(request, act)

    @pages.post("/tasks/{task_id}/done")
    async def finish(request: Request, task_id: str) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            await web.actions.finish_task(viewer.person, task_id, note=fields.get("note") or None)
            return RedirectResponse("/tasks?done=1", status_code=303)

        return await web.form(request, act)

    return pages
