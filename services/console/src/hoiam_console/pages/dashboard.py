"""The dashboard of one's scope: counts by channel, category, body and status, overdue by body,
the on-time rate per body, and two bar charts drawn on the server as SVG (no script)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from hoiam_console.desk import Desk
from hoiam_console.domain.dashboard import Count, bar_chart
from hoiam_console.i18n import translate
from hoiam_console.web import Viewer, Web


def chart(counts: tuple[Count, ...], title: str, *, colour: str = "#0b4f8a") -> tuple[str, Markup]:
    """The chart's caption and its SVG: `bar_chart` escapes every label and title it writes,
    so its text is safe markup."""
    return title, Markup(bar_chart(counts, title=title, colour=colour))  # noqa: S704


def routes(web: Web, desk: Desk) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/dashboard")
    async def dashboard(request: Request) -> Response:
        async def show(viewer: Viewer) -> Response:
            found = await desk.dashboard(viewer.person)
            language = web.language(request)
            by_status = tuple(
                Count(translate(f"status.{c.label}", language), c.n) for c in found.by_status
            )
            by_channel = tuple(
                Count(translate(f"channel.{c.label}", language), c.n) for c in found.by_channel
            )
            charts = [
                chart(by_channel, translate("dash.by_channel", language)),
                chart(by_status, translate("dash.by_status", language)),
            ]
            if found.overdue_by_body:
                title = translate("dash.overdue_by_body", language)
                charts.append(chart(found.overdue_by_body, title, colour="#a4001d"))
            return web.render(
                request,
                "dashboard.html",
                viewer=viewer,
                d=found,
                by_status=by_status,
                by_channel=by_channel,
                charts=charts,
            )

        return await web.page(request, show)

    return pages
