"""What pages and the API share: who is signed in, the language, rendering, and how a refusal
becomes an answer (403, 404, 409, 422, 429, 503, each with its reason)."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from hoiam_console.actions import Actions, NotFoundError
from hoiam_console.auth import Authenticator
from hoiam_console.domain.access import ForbiddenError
from hoiam_console.domain.accounts import Account, AccountError
from hoiam_console.domain.reasons import render_joined, render_reason
from hoiam_console.domain.sessions import Session
from hoiam_console.domain.sla import sla_badge
from hoiam_console.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate, vn_date, vn_datetime
from hoiam_console.upstream import UpstreamError
from hoiam_shared.clock import Clock, vietnam_date
from hoiam_shared.identity import Person

SESSION_COOKIE = "hoiam_session"
LANGUAGE_COOKIE = "hoiam_lang"


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person of a request."""

    account: Account
    session: Session

    @property
    def person(self) -> Person:
        return self.account.person()


def bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def failure_status(error: Exception) -> tuple[int, str]:
    """The HTTP status and reason of an action that did not happen."""
    if isinstance(error, ForbiddenError):
        return 403, str(error) or "forbidden"
    if isinstance(error, NotFoundError):
        return 404, str(error)
    if isinstance(error, UpstreamError):
        return error.status, error.detail
    if isinstance(error, AccountError | ValueError):
        return 422, str(error)
    raise error


ACTION_ERRORS = (ForbiddenError, NotFoundError, UpstreamError, AccountError, ValueError)


class Web:
    def __init__(
        self,
        *,
        auth: Authenticator,
        actions: Actions,
        clock: Clock,
        cookie_secure: bool,
    ) -> None:
        self.auth = auth
        self.actions = actions
        self.clock = clock
        self.cookie_secure = cookie_secure
        self.templates = Environment(
            loader=PackageLoader("hoiam_console", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.filters["vn_datetime"] = vn_datetime
        self.templates.filters["vn_date"] = vn_date

    async def browser_viewer(self, request: Request) -> Viewer | None:
        found = await self.auth.resolve(request.cookies.get(SESSION_COOKIE))
        if found is None or found[1].kind != "browser":
            return None
        return Viewer(*found)

    async def api_viewer(self, request: Request) -> Viewer | None:
        found = await self.auth.resolve(bearer(request))
        if found is None or found[1].kind != "api":
            return None
        return Viewer(*found)

    def language(self, request: Request) -> str:
        asked = request.query_params.get("lang")
        if asked in LANGUAGES:
            return asked
        kept = request.cookies.get(LANGUAGE_COOKIE)
        return kept if kept in LANGUAGES else DEFAULT_LANGUAGE

    def render(
        self,
        request: Request,
        template: str,
        *,
        viewer: Viewer | None,
        status_code: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        language = self.language(request)
        today: date = vietnam_date(self.clock())

        def t(key: str, **more: object) -> str:
            return translate(key, language, **more)

        def router_reason(text: str) -> str:
            return render_reason(text, language)

        def reasons_line(text: str) -> str:
            return render_joined(text, language)

        def badge(item: Any) -> str:
            found = sla_badge(item.status, item.due_on, today=today)
            if found is None:
                return ""
            return t(f"sla.{found.kind}", n=found.working_days)

        page = self.templates.get_template(template).render(
            request=request,
            t=t,
            router_reason=router_reason,
            reasons_line=reasons_line,
            lang=language,
            other_lang="en" if language == "vi" else "vi",
            viewer=viewer,
            person=viewer.person if viewer else None,
            csrf=viewer.session.csrf_token if viewer else "",
            badge=badge,
            sla=lambda item: sla_badge(item.status, item.due_on, today=today),
            **values,
        )
        response = HTMLResponse(page, status_code=status_code)
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(
                LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax", httponly=True
            )
        return response

    def error_page(self, request: Request, viewer: Viewer | None, error: Exception) -> HTMLResponse:
        status, reason = failure_status(error)
        return self.render(
            request, "error.html", viewer=viewer, status_code=status, status=status, reason=reason
        )

    def to_sign_in(self, request: Request) -> RedirectResponse:
        target = request.url.path
        if request.url.query:
            target += f"?{request.url.query}"
        return RedirectResponse(
            f"/login?next={quote(_safe_next(target), safe='/')}", status_code=303
        )

    async def page(
        self,
        request: Request,
        show: Callable[[Viewer], Awaitable[Response]],
    ) -> Response:
        """A page for the signed-in: the sign-in form for anyone else; refusals as pages."""
        viewer = await self.browser_viewer(request)
        if viewer is None:
            return self.to_sign_in(request)
        try:
            return await show(viewer)
        except ACTION_ERRORS as error:
            return self.error_page(request, viewer, error)

    async def form(
        self,
        request: Request,
        act: Callable[[Viewer, Mapping[str, str]], Awaitable[Response]],
    ) -> Response:
        """A form post: signed in, with this session's CSRF token, or refused (403)."""
        viewer = await self.browser_viewer(request)
        if viewer is None:
            return self.to_sign_in(request)
        fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        if not viewer.session.csrf_matches(fields.get("csrf_token")):
            return self.render(
                request,
                "error.html",
                viewer=viewer,
                status_code=403,
                status=403,
                reason=translate("error.csrf", self.language(request)),
            )
        try:
            return await act(viewer, fields)
        except ACTION_ERRORS as error:
            return self.error_page(request, viewer, error)


# Where staff land after signing in: `/` is the citizens' form once the public pages are mounted.
STAFF_HOME = "/inbox"


def _safe_next(target: str) -> str:
    """Only a path of this site: `next=//evil.example` would send a fresh login elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else STAFF_HOME


def safe_next(target: str | None) -> str:
    return _safe_next(target or STAFF_HOME)
