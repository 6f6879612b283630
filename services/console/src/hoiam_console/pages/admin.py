"""The admin's accounts page: every account, and a form creating one bound to a body or a
delegate of the directory (checked against the router's directory)."""

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hoiam_console.domain.access import ForbiddenError, may_administer
from hoiam_console.domain.accounts import Binding, NewAccount
from hoiam_console.web import Viewer, Web
from hoiam_shared.identity import Role


def routes(web: Web) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/admin/accounts")
    async def accounts(request: Request, created: str | None = None) -> Response:
        async def show(viewer: Viewer) -> Response:
            found = await web.actions.accounts(viewer.person)
            return web.render(
                request,
                "admin.html",
                viewer=viewer,
                accounts=found,
                roles=list(Role),
                created=created,
            )

        return await web.page(request, show)

    @pages.post("/admin/accounts")
    async def create(request: Request) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            if not may_administer(viewer.person):
                raise ForbiddenError("accounts are the admin's")
            role = fields.get("role", "")
            if role not in {r.value for r in Role}:
                raise ValueError("choose a role")
            made = await web.actions.create_account(
                viewer.person,
                NewAccount(
                    username=fields.get("username", "").strip(),
                    display_name=fields.get("display_name", "").strip(),
                    role=Role(role),
                    password=fields.get("password", ""),
                    binding=Binding(
                        province_code=fields.get("province_code", "").strip() or None,
                        commune_code=fields.get("commune_code", "").strip() or None,
                        body_id=fields.get("body_id", "").strip() or None,
                        delegate_id=fields.get("delegate_id", "").strip() or None,
                    ),
                ),
            )
            return RedirectResponse(f"/admin/accounts?created={made.username}", status_code=303)

        return await web.form(request, act)

    return pages
