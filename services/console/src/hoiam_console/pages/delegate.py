"""The delegate's page: my constituency's items (the communes bound to my account), what each
body answered, overdue first."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoiam_console.desk import Desk
from hoiam_console.web import Viewer, Web


def routes(web: Web, desk: Desk) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/delegate")
    async def constituency(request: Request) -> Response:
        async def show(viewer: Viewer) -> Response:
            found = await desk.constituency(viewer.person)
            return web.render(
                request,
                "delegate.html",
                viewer=viewer,
                items=found,
                communes=viewer.person.constituency,
            )

        return await web.page(request, show)

    return pages
