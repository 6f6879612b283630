"""The console's JSON API (`/api/v1`, OpenAPI at `/docs`): what every page does, for programs.

`POST /api/v1/auth/token` exchanges a username and password for a bearer `access_token`: an
opaque server-side session of kind "api" (revoked by `POST /api/v1/auth/logout`), not a JWT;
the short-lived signed person tokens are minted per call to intake and the router and never
leave the console.
"""

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from hoiam_console.auth import BadCredentialsError, ThrottledError
from hoiam_console.domain.accounts import Binding, NewAccount
from hoiam_console.domain.readmodel import BodyChoice, Entry, ItemRecord
from hoiam_console.upstream import Task
from hoiam_console.web import ACTION_ERRORS, Viewer, Web, bearer, client_address, failure_status
from hoiam_shared.events import Channel, Status
from hoiam_shared.identity import Person, Role


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TokenRequest(_Request):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenAnswer(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the scheme's name, not a secret)
    expires_in: int = Field(description="Seconds until the token expires.")


class StatusRequest(_Request):
    status: Literal["acknowledged", "in_progress", "resolved", "rejected", "reopened", "closed"]
    answer: str | None = Field(default=None, max_length=20_000)
    reason: str | None = Field(default=None, max_length=2_000)
    reason_code: str | None = Field(default=None, max_length=64)


class HandBackRequest(_Request):
    reason: str = Field(min_length=1, max_length=2_000)


class ReassignRequest(_Request):
    body_id: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=2_000)


class DecisionRequest(_Request):
    body_id: str = Field(min_length=1, max_length=100)
    category: str | None = Field(default=None, max_length=64)


class TaskDoneRequest(_Request):
    note: str | None = Field(default=None, max_length=2_000)


class AccountRequest(_Request):
    username: str = Field(min_length=2, max_length=64)
    display_name: str = Field(default="", max_length=200)
    role: Role
    password: str = Field(min_length=1, max_length=256)
    province_code: str | None = Field(default=None, max_length=8)
    commune_code: str | None = Field(default=None, max_length=8)
    body_id: str | None = Field(default=None, max_length=100)
    delegate_id: str | None = Field(default=None, max_length=100)

    def new_account(self) -> NewAccount:
        return NewAccount(
            username=self.username,
            display_name=self.display_name,
            role=self.role,
            password=self.password,
            binding=Binding(
                province_code=self.province_code or None,
                commune_code=self.commune_code or None,
                body_id=self.body_id or None,
                delegate_id=self.delegate_id or None,
            ),
        )


class ItemSummary(BaseModel):
    item_id: UUID
    tracking_code: str | None
    channel: Channel | None
    received_at: datetime | None
    subject: str | None
    status: Status | None
    body_id: str | None
    body_name: str | None
    category: str | None
    due_on: date | None

    @classmethod
    def of(cls, item: ItemRecord) -> "ItemSummary":
        return cls(
            item_id=item.item_id,
            tracking_code=item.tracking_code,
            channel=item.channel,
            received_at=item.received_at,
            subject=item.subject or (item.text or "")[:120] or None,
            status=item.status,
            body_id=item.body_id,
            body_name=item.body_name,
            category=item.category_code,
            due_on=item.due_on,
        )


class ItemDetail(ItemSummary):
    citizen_name: str | None
    text: str | None
    answer: str | None
    province_code: str | None
    commune_code: str | None
    case_id: UUID | None
    history: list[Entry]

    @classmethod
    def of(cls, item: ItemRecord) -> "ItemDetail":
        return cls(
            **ItemSummary.of(item).model_dump(),
            citizen_name=item.citizen_name,
            text=item.text,
            answer=item.answer,
            province_code=item.province_code,
            commune_code=item.commune_code,
            case_id=item.case_id,
            history=item.sorted_history(),
        )


class TriageItem(ItemSummary):
    text: str | None
    confidence: float | None
    reasons: list[str]
    candidates: list[BodyChoice]

    @classmethod
    def of(cls, item: ItemRecord) -> "TriageItem":
        return cls(
            **ItemSummary.of(item).model_dump(),
            text=item.text,
            confidence=item.confidence,
            reasons=list(item.reasons),
            candidates=list(item.candidates),
        )


class Accepted(BaseModel):
    tracking_code: str | None = None
    detail: str = "accepted; the read model shows it once the owning service published it"


class AccountView(BaseModel):
    username: str
    display_name: str
    role: Role
    body_id: str | None
    body_name: str | None
    delegate_id: str | None
    province_code: str | None
    commune_code: str | None
    constituency: list[str]
    active: bool


class Me(BaseModel):
    person: Person
    expires_at: datetime


UNAUTHORISED: dict[int | str, dict[str, Any]] = {401: {"description": "no valid bearer token"}}
REFUSED: dict[int | str, dict[str, Any]] = {
    **UNAUTHORISED,
    403: {"description": "not yours"},
    404: {"description": "no such item"},
    422: {"description": "refused, with the reason"},
    503: {"description": "intake or the router unreachable; retry"},
}


def console_api(web: Web) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["console"])
    actions = web.actions

    async def signed_in(request: Request) -> Viewer:
        viewer = await web.api_viewer(request)
        if viewer is None:
            raise HTTPException(
                401, "sign in: POST /api/v1/auth/token", headers={"WWW-Authenticate": "Bearer"}
            )
        return viewer

    async def run[T](request: Request, act: Callable[[Person], Awaitable[T]]) -> T:
        viewer = await signed_in(request)
        try:
            return await act(viewer.person)
        except ACTION_ERRORS as error:
            status, reason = failure_status(error)
            raise HTTPException(status, reason) from None

    @api.post(
        "/auth/token",
        summary="Sign in: username and password → a bearer token",
        responses={401: {}, 429: {"description": "too many failed sign-ins"}},
    )
    async def token(request: Request, body: TokenRequest) -> TokenAnswer:
        try:
            done = await web.auth.sign_in(
                body.username, body.password, client=client_address(request), kind="api"
            )
        except BadCredentialsError as error:
            raise HTTPException(401, str(error)) from None
        except ThrottledError as error:
            raise HTTPException(429, str(error), headers={"Retry-After": "900"}) from None
        return TokenAnswer(access_token=done.token, expires_in=int(web.auth.ttl.total_seconds()))

    @api.post("/auth/logout", status_code=204, summary="Revoke this bearer token")
    async def logout(request: Request) -> None:
        await signed_in(request)
        await web.auth.sign_out(bearer(request))

    @api.get("/me", summary="Who this token signs in", responses=UNAUTHORISED)
    async def me(request: Request) -> Me:
        viewer = await signed_in(request)
        return Me(person=viewer.person, expires_at=viewer.session.expires_at)

    @api.get(
        "/inbox", summary="My items: my body's, my area's, my constituency's", responses=REFUSED
    )
    async def inbox(
        request: Request, status: Annotated[list[Status] | None, Query()] = None
    ) -> list[ItemSummary]:
        found = await run(request, lambda p: actions.inbox(p, statuses=status))
        return [ItemSummary.of(item) for item in found]

    @api.get("/items/{tracking_code}", summary="An item and its whole history", responses=REFUSED)
    async def item(request: Request, tracking_code: str) -> ItemDetail:
        return ItemDetail.of(await run(request, lambda p: actions.item(p, tracking_code)))

    @api.post(
        "/items/{tracking_code}/status",
        status_code=202,
        summary="Acknowledge, answer and resolve, reject, reopen, close",
        responses=REFUSED,
    )
    async def change_status(request: Request, tracking_code: str, body: StatusRequest) -> Accepted:
        item = await run(
            request,
            lambda p: actions.change_status(
                p,
                tracking_code,
                status=body.status,
                answer=body.answer,
                reason=body.reason,
                reason_code=body.reason_code,
            ),
        )
        return Accepted(tracking_code=item.tracking_code)

    @api.post(
        "/items/{tracking_code}/hand-back",
        status_code=202,
        summary="Not ours: back to the router with the reason",
        responses=REFUSED,
    )
    async def hand_back(request: Request, tracking_code: str, body: HandBackRequest) -> Accepted:
        item = await run(request, lambda p: actions.hand_back(p, tracking_code, reason=body.reason))
        return Accepted(tracking_code=item.tracking_code)

    @api.post(
        "/items/{tracking_code}/reassign",
        status_code=202,
        summary="To another body, with the reason",
        responses=REFUSED,
    )
    async def reassign(request: Request, tracking_code: str, body: ReassignRequest) -> Accepted:
        item = await run(
            request,
            lambda p: actions.reassign(p, tracking_code, body_id=body.body_id, reason=body.reason),
        )
        return Accepted(tracking_code=item.tracking_code)

    @api.get("/triage", summary="Items waiting for an operator's decision", responses=REFUSED)
    async def triage(request: Request) -> list[TriageItem]:
        return [TriageItem.of(item) for item in await run(request, actions.triage)]

    @api.post(
        "/triage/{tracking_code}/decision",
        status_code=202,
        summary="Confirm a candidate or pick another body (teaches the router)",
        responses=REFUSED,
    )
    async def decide(request: Request, tracking_code: str, body: DecisionRequest) -> Accepted:
        item = await run(
            request,
            lambda p: actions.decide(
                p, tracking_code, body_id=body.body_id, category=body.category
            ),
        )
        return Accepted(tracking_code=item.tracking_code)

    @api.get("/tasks", summary="Operator tasks (intake's list)", responses=REFUSED)
    async def tasks(request: Request, state: str | None = None) -> list[Task]:
        return await run(request, lambda p: actions.tasks(p, state=state))

    @api.post("/tasks/{task_id}/assign", status_code=202, summary="Take a task", responses=REFUSED)
    async def assign_task(request: Request, task_id: str) -> Accepted:
        await run(request, lambda p: actions.assign_task(p, task_id))
        return Accepted(detail="assigned")

    @api.post("/tasks/{task_id}/done", status_code=202, summary="Close a task", responses=REFUSED)
    async def finish_task(request: Request, task_id: str, body: TaskDoneRequest) -> Accepted:
        await run(request, lambda p: actions.finish_task(p, task_id, note=body.note))
        return Accepted(detail="closed")

    @api.get("/accounts", summary="Every account (admins)", responses=REFUSED)
    async def accounts(request: Request) -> list[AccountView]:
        return [_account_view(a) for a in await run(request, actions.accounts)]

    @api.post("/accounts", status_code=201, summary="Create an account (admins)", responses=REFUSED)
    async def create_account(request: Request, body: AccountRequest) -> AccountView:
        made = await run(request, lambda p: actions.create_account(p, body.new_account()))
        return _account_view(made)

    return api


def _account_view(account: Any) -> AccountView:
    b = account.binding
    return AccountView(
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        body_id=b.body_id,
        body_name=b.body_name,
        delegate_id=b.delegate_id,
        province_code=b.province_code,
        commune_code=b.commune_code,
        constituency=list(b.constituency),
        active=account.active,
    )
