"""Publishing answers (công khai câu trả lời): the answered items of an operator's area with
what is published, the masked draft of one (summary and answer, editable, with what was masked
and why), approval and withdrawal. Operators and admins only; body staff cannot publish."""

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hoiam_console.i18n import translate
from hoiam_console.publications import PublicationRefusedError, Publications, Unpublishable
from hoiam_console.web import Viewer, Web


def routes(web: Web, publications: Publications) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    def refused(request: Request, viewer: Viewer, status: int, key: str) -> Response:
        return web.render(
            request,
            "error.html",
            viewer=viewer,
            status_code=status,
            status=status,
            reason=web_words(request, key),
        )

    def web_words(request: Request, key: str) -> str:
        return translate(key, web.language(request))

    @pages.get("/publications")
    async def answered(request: Request) -> Response:
        async def show(viewer: Viewer) -> Response:
            found = await publications.answered(viewer.person)
            return web.render(
                request,
                "publications.html",
                viewer=viewer,
                answered=found,
                done=request.query_params.get("done"),
            )

        return await web.page(request, show)

    async def draft_page(
        request: Request,
        viewer: Viewer,
        tracking_code: str,
        *,
        status_code: int = 200,
        error: str | None = None,
        edited: Mapping[str, str] | None = None,
    ) -> Response:
        try:
            item, draft, entry = await publications.draft(viewer.person, tracking_code)
        except PublicationRefusedError as why:
            return refused(request, viewer, 409, f"publish.refused.{why}")
        return web.render(
            request,
            "publication.html",
            viewer=viewer,
            status_code=status_code,
            item=item,
            draft=draft,
            entry=entry,
            summary=(edited or {}).get("summary", entry.summary if entry else draft.summary),
            answer=(edited or {}).get("answer", entry.answer if entry else draft.answer),
            error=error,
        )

    @pages.get("/publications/{tracking_code}")
    async def draft(request: Request, tracking_code: str) -> Response:
        async def show(viewer: Viewer) -> Response:
            return await draft_page(request, viewer, tracking_code)

        return await web.page(request, show)

    @pages.post("/publications/{tracking_code}")
    async def approve(request: Request, tracking_code: str) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            try:
                await publications.approve(
                    viewer.person,
                    tracking_code,
                    summary=fields.get("summary", ""),
                    answer=fields.get("answer", ""),
                )
            except PublicationRefusedError as why:
                return refused(request, viewer, 409, f"publish.refused.{why}")
            except Unpublishable:
                return await draft_page(
                    request, viewer, tracking_code, status_code=503,
                    error=web_words(request, "publish.later"), edited=fields,
                )  # fmt: skip
            except ValueError as bad:
                return await draft_page(
                    request, viewer, tracking_code, status_code=422, error=str(bad),
                    edited=fields,
                )  # fmt: skip
            return RedirectResponse("/publications?done=approved", status_code=303)

        return await web.form(request, act)

    @pages.post("/publications/{tracking_code}/withdraw")
    async def withdraw(request: Request, tracking_code: str) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            try:
                await publications.withdraw(viewer.person, tracking_code)
            except PublicationRefusedError as why:
                return refused(request, viewer, 409, f"publish.refused.{why}")
            except Unpublishable:
                return refused(request, viewer, 503, "publish.later")
            return RedirectResponse("/publications?done=withdrawn", status_code=303)

        return await web.form(request, act)

    return pages
