"""The operator's desk: incoming items live per channel (an htmx fragment polled every 15 s, a
plain reload without JS), keying in a phone call, uploading a call log, merging and splitting
cases beside intake's duplicate-citizen suggestions, and the dead-letter queues with replay."""

from collections.abc import Awaitable, Callable, Mapping
from uuid import uuid4

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from hoiam_console.desk import CALL_LOG_FORMATS, Desk
from hoiam_console.desk_api import MAX_CALL_LOG
from hoiam_console.dlq import SERVICES
from hoiam_console.i18n import translate
from hoiam_console.web import ACTION_ERRORS, Viewer, Web


def codes(text: str | None) -> list[str]:
    """Tracking codes typed one per line, or separated by commas or spaces."""
    return [c for c in (text or "").replace(",", " ").split() if c]


async def upload(
    web: Web,
    request: Request,
    act: Callable[[Viewer, Mapping[str, str], UploadFile | None], Awaitable[Response]],
) -> Response:
    """`Web.form` for a multipart form with one file: signed in, this session's CSRF token."""
    viewer = await web.browser_viewer(request)
    if viewer is None:
        return web.to_sign_in(request)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    files = [v for v in form.values() if not isinstance(v, str)]
    if not viewer.session.csrf_matches(fields.get("csrf_token")):
        return web.render(
            request,
            "error.html",
            viewer=viewer,
            status_code=403,
            status=403,
            reason=translate("error.csrf", web.language(request)),
        )
    try:
        return await act(viewer, fields, files[0] if files else None)
    except ACTION_ERRORS as error:
        return web.error_page(request, viewer, error)


def routes(web: Web, desk: Desk) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/incoming")
    async def incoming(request: Request) -> Response:
        async def show(viewer: Viewer) -> Response:
            found = await desk.incoming(viewer.person)
            return web.render(request, "incoming.html", viewer=viewer, channels=found)

        return await web.page(request, show)

    @pages.get("/incoming/live")
    async def incoming_live(request: Request) -> Response:
        """The fragment htmx swaps in; a page of its own when opened without htmx."""

        async def show(viewer: Viewer) -> Response:
            found = await desk.incoming(viewer.person)
            fragment = request.headers.get("hx-request") == "true"
            template = "_incoming_channels.html" if fragment else "incoming.html"
            return web.render(request, template, viewer=viewer, channels=found)

        return await web.page(request, show)

    def calls_page(
        request: Request, viewer: Viewer, status_code: int = 200, **values: object
    ) -> Response:
        return web.render(
            request,
            "calls.html",
            viewer=viewer,
            status_code=status_code,
            call_id=f"console-{uuid4()}",
            formats=CALL_LOG_FORMATS,
            **values,
        )

    @pages.get("/calls")
    async def calls(request: Request) -> Response:
        async def show(viewer: Viewer) -> Response:
            desk.require_front(viewer.person, "keying in calls is the operators'")
            return calls_page(request, viewer)

        return await web.page(request, show)

    @pages.post("/calls")
    async def key_call(request: Request) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            keyed = await desk.key_call(
                viewer.person,
                caller=fields.get("caller", ""),
                text=fields.get("text", ""),
                name=fields.get("name"),
                address=fields.get("address"),
                call_id=fields.get("call_id"),
            )
            return calls_page(request, viewer, keyed=keyed)

        return await web.form(request, act)

    @pages.post("/calls/log")
    async def call_log(request: Request) -> Response:
        async def act(
            viewer: Viewer, fields: Mapping[str, str], file: UploadFile | None
        ) -> Response:
            content = await file.read(MAX_CALL_LOG + 1) if file is not None else b""
            if len(content) > MAX_CALL_LOG:
                raise ValueError(f"a call log is at most {MAX_CALL_LOG} bytes")
            done = await desk.upload_call_log(
                viewer.person,
                content,
                log_format=fields.get("format", "asterisk-cdr"),
                content_type=file.content_type if file is not None else None,
            )
            return calls_page(request, viewer, uploaded=done)

        return await upload(web, request, act)

    @pages.get("/cases")
    async def cases(request: Request) -> Response:
        async def show(viewer: Viewer) -> Response:
            found = await desk.suggestions(viewer.person)
            return web.render(
                request,
                "cases.html",
                viewer=viewer,
                suggestions=found,
                done=request.query_params.get("done") == "1",
            )

        return await web.page(request, show)

    @pages.post("/cases/merge")
    async def merge(request: Request) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            await desk.merge(viewer.person, fields.get("code", ""), codes(fields.get("others")))
            return RedirectResponse("/cases?done=1", status_code=303)

        return await web.form(request, act)

    @pages.post("/cases/split")
    async def split(request: Request) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            await desk.split(viewer.person, fields.get("code", ""), codes(fields.get("leaving")))
            return RedirectResponse("/cases?done=1", status_code=303)

        return await web.form(request, act)

    @pages.get("/dlq")
    async def dead_letters(request: Request) -> Response:
        async def show(viewer: Viewer) -> Response:
            found = await desk.dead_letters(viewer.person)
            return web.render(
                request, "dlq.html", viewer=viewer, queues=found, services=SERVICES, replayed=None
            )

        return await web.page(request, show)

    @pages.post("/dlq/replay")
    async def replay(request: Request) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            topic = fields.get("topic", "")
            done = await desk.replay(viewer.person, service=fields.get("service", ""), topic=topic)
            found = await desk.dead_letters(viewer.person)
            return web.render(
                request,
                "dlq.html",
                viewer=viewer,
                queues=found,
                services=SERVICES,
                replayed=done,
                replayed_topic=topic,
            )

        return await web.form(request, act)

    return pages
