"""Look up an item by its tracking code (a voter phones quoting HA-XXXX-XXXX)."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hoiam_console.actions import NotFoundError
from hoiam_console.web import Viewer, Web


def routes(web: Web) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/lookup")
    async def lookup(request: Request, code: str | None = None) -> Response:
        async def show(viewer: Viewer) -> Response:
            wanted = (code or "").strip().upper()
            if wanted:
                try:
                    found = await web.actions.item(viewer.person, wanted)
                except NotFoundError:
                    return web.render(
                        request,
                        "lookup.html",
                        viewer=viewer,
                        code=wanted,
                        missing=True,
                        status_code=404,
                    )
                return RedirectResponse(f"/items/{found.tracking_code}", status_code=303)
            return web.render(request, "lookup.html", viewer=viewer, code="", missing=False)

        return await web.page(request, show)

    return pages
