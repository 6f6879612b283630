"""Sign-in and sign-out pages, and `/` (the inbox for the signed-in)."""

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hoiam_console.auth import BadCredentialsError, ThrottledError
from hoiam_console.i18n import translate, vn_datetime
from hoiam_console.web import SESSION_COOKIE, Viewer, Web, client_address, safe_next


def routes(web: Web) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/")
    async def home(request: Request) -> Response:
        viewer = await web.browser_viewer(request)
        return RedirectResponse("/inbox" if viewer else "/login", status_code=303)

    @pages.get("/login")
    async def login_form(request: Request, next: str | None = None) -> Response:
        return web.render(request, "login.html", viewer=None, next=safe_next(next), error=None)

    @pages.post("/login")
    async def login(request: Request) -> Response:
        fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        language = web.language(request)
        target = safe_next(fields.get("next"))
        try:
            done = await web.auth.sign_in(
                fields.get("username", ""),
                fields.get("password", ""),
                client=client_address(request),
                kind="browser",
            )
        except BadCredentialsError:
            error, status = translate("login.failed", language), 401
        except ThrottledError as refused:
            until = vn_datetime(refused.until)
            error, status = translate("login.throttled", language, until=until), 429
        else:
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(
                SESSION_COOKIE,
                done.token,
                max_age=int(web.auth.ttl.total_seconds()),
                httponly=True,
                samesite="lax",
                secure=web.cookie_secure,
            )
            return response
        return web.render(
            request,
            "login.html",
            viewer=None,
            status_code=status,
            next=target,
            error=error,
            username=fields.get("username", ""),
        )

    @pages.post("/logout")
    async def logout(request: Request) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            await web.auth.sign_out(request.cookies.get(SESSION_COOKIE))
            response = RedirectResponse("/login", status_code=303)
            response.delete_cookie(SESSION_COOKIE)
            return response

        return await web.form(request, act)

    return pages
