"""The JSON API of the desk's pages (`/api/v1`, in the console's OpenAPI): incoming items per
channel, keyed-in calls and call logs, merging and splitting cases, the citizen suggestions,
the dead-letter queues and their replay, the delegate's list, the Front's levels and their
notes, the dashboard. Each route calls the same `Desk` function as its page."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from hoiam_console.api import REFUSED, ItemSummary
from hoiam_console.desk import Desk
from hoiam_console.desk_upstream import CallLogResult, CaseResult, CitizenSuggestion, KeyedCall
from hoiam_console.dlq import QueueBrief, ReplayDone
from hoiam_console.domain.dashboard import CommuneFlow, Count, OnTime, Satisfied
from hoiam_console.web import ACTION_ERRORS, Web, failure_status
from hoiam_shared.events import NoteKind
from hoiam_shared.identity import Person

MAX_CALL_LOG = 2_000_000
"""Bytes of one uploaded call log (a day's Master.csv of a provincial hotline is far less)."""


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CallRequest(_Request):
    caller: str = Field(min_length=3, max_length=40, description="The caller's phone number.")
    text: str = Field(min_length=3, max_length=20_000, description="What the caller said.")
    name: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=500)
    call_id: str | None = Field(
        default=None, max_length=200, description="Your id of the call: sent twice, one item."
    )


class CasesRequest(_Request):
    tracking_codes: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        min_length=1, max_length=100
    )


class ReplayRequest(_Request):
    service: str = Field(min_length=1, max_length=40)
    topic: str = Field(
        min_length=1, max_length=200, description="Unprefixed, e.g. feedback.received.v1"
    )


class NoteRequest(_Request):
    kind: NoteKind
    text: str = Field(min_length=1, max_length=5_000)


class DelegateItem(ItemSummary):
    answer: str | None = Field(description="What the body answered the citizen, if it has.")


class NoteAccepted(BaseModel):
    tracking_code: str | None
    detail: str = "written; the history shows it once the router published it"


class CountView(BaseModel):
    label: str
    n: int

    @classmethod
    def all(cls, counts: tuple[Count, ...]) -> list["CountView"]:
        return [cls(label=c.label, n=c.n) for c in counts]


class OnTimeView(BaseModel):
    body: str
    resolved: int
    on_time: int
    rate: float | None

    @classmethod
    def of(cls, found: OnTime) -> "OnTimeView":
        return cls(body=found.body, resolved=found.resolved, on_time=found.on_time, rate=found.rate)


class SatisfiedView(BaseModel):
    body: str
    ratings: int
    mean: float
    low: int
    low_share: float

    @classmethod
    def of(cls, found: Satisfied) -> "SatisfiedView":
        return cls(
            body=found.body,
            ratings=found.ratings,
            mean=found.mean,
            low=found.low,
            low_share=round(found.low_share, 4),
        )


class DashboardView(BaseModel):
    total: int
    open: int
    overdue: int
    by_channel: list[CountView]
    by_category: list[CountView]
    by_body: list[CountView]
    by_status: list[CountView]
    overdue_by_body: list[CountView]
    on_time: list[OnTimeView]
    satisfaction: list[SatisfiedView] = []


class FlowView(BaseModel):
    commune_code: str
    commune_name: str
    total: int
    open: int
    overdue: int

    @classmethod
    def of(cls, flow: CommuneFlow) -> "FlowView":
        return cls(**{k: getattr(flow, k) for k in cls.model_fields})


class FrontAnswer(BaseModel):
    level: str
    flows: list[FlowView]
    by_channel: dict[str, list[ItemSummary]]
    exchanged: list[ItemSummary]


def desk_api(web: Web, desk: Desk) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["desk"])

    async def run[T](request: Request, act: Callable[[Person], Awaitable[T]]) -> T:
        viewer = await web.api_viewer(request)
        if viewer is None:
            raise HTTPException(
                401, "sign in: POST /api/v1/auth/token", headers={"WWW-Authenticate": "Bearer"}
            )
        try:
            return await act(viewer.person)
        except ACTION_ERRORS as error:
            status, reason = failure_status(error)
            raise HTTPException(status, reason) from None

    @api.get("/incoming", summary="The newest items of my area, per channel", responses=REFUSED)
    async def incoming(request: Request) -> dict[str, list[ItemSummary]]:
        found = await run(request, desk.incoming)
        return {channel: [ItemSummary.of(i) for i in items] for channel, items in found.items()}

    @api.post(
        "/calls",
        status_code=202,
        summary="Key in a phone call (intake's POST /v1/intake/calls/manual)",
        responses=REFUSED,
    )
    async def key_call(request: Request, body: CallRequest) -> KeyedCall:
        return await run(
            request,
            lambda p: desk.key_call(
                p,
                caller=body.caller,
                text=body.text,
                name=body.name,
                address=body.address,
                call_id=body.call_id,
            ),
        )

    @api.post(
        "/calls/log",
        summary="Upload a call log (intake's POST /v1/intake/calls): the body is the file",
        openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {}}}},
        responses={**REFUSED, 413: {"description": "larger than 2 MB"}},
    )
    async def call_log(
        request: Request, log_format: Annotated[str, Query(alias="format")] = "asterisk-cdr"
    ) -> CallLogResult:
        content = await request.body()
        if len(content) > MAX_CALL_LOG:
            raise HTTPException(413, f"a call log is at most {MAX_CALL_LOG} bytes")
        return await run(
            request,
            lambda p: desk.upload_call_log(
                p, content, log_format=log_format, content_type=request.headers.get("content-type")
            ),
        )

    @api.post(
        "/cases/{tracking_code}/merge",
        summary="Merge the cases of these items into this item's case (the router's merge)",
        responses=REFUSED,
    )
    async def merge(request: Request, tracking_code: str, body: CasesRequest) -> CaseResult:
        return await run(request, lambda p: desk.merge(p, tracking_code, body.tracking_codes))

    @api.post(
        "/cases/{tracking_code}/split",
        summary="Take these items out of this item's case into a new one",
        responses=REFUSED,
    )
    async def split(request: Request, tracking_code: str, body: CasesRequest) -> CaseResult:
        return await run(request, lambda p: desk.split(p, tracking_code, body.tracking_codes))

    @api.get(
        "/citizen-suggestions",
        summary="Citizen records that may be one person (intake's suggestions)",
        responses=REFUSED,
    )
    async def suggestions(request: Request) -> list[CitizenSuggestion]:
        return await run(request, desk.suggestions)

    @api.get("/dlq", summary="Each <topic>.dlq: size and last letters", responses=REFUSED)
    async def dead_letters(request: Request) -> list[QueueBrief]:
        return await run(request, desk.dead_letters)

    @api.post(
        "/dlq/replay",
        summary="Re-feed one service's letters of one topic (as make replay-dlq)",
        responses=REFUSED,
    )
    async def replay(request: Request, body: ReplayRequest) -> ReplayDone:
        return await run(request, lambda p: desk.replay(p, service=body.service, topic=body.topic))

    @api.get(
        "/delegate/items",
        summary="My constituency's items, overdue first, with what each body answered",
        responses=REFUSED,
    )
    async def constituency(request: Request) -> list[DelegateItem]:
        found = await run(request, desk.constituency)
        return [DelegateItem(**ItemSummary.of(i).model_dump(), answer=i.answer) for i in found]

    @api.get("/front", summary="My level of the Front: flows, channels, notes", responses=REFUSED)
    async def front(request: Request) -> FrontAnswer:
        view = await run(request, desk.front)
        return FrontAnswer(
            level=view.level,
            flows=[FlowView.of(f) for f in view.flows],
            by_channel={
                c: [ItemSummary.of(i) for i in items] for c, items in view.by_channel.items()
            },
            exchanged=[ItemSummary.of(i) for i in view.exchanged],
        )

    @api.post(
        "/items/{tracking_code}/notes",
        status_code=202,
        summary="Forward up, instruct or ask down, or note (the router's notes)",
        responses=REFUSED,
    )
    async def add_note(request: Request, tracking_code: str, body: NoteRequest) -> NoteAccepted:
        item = await run(
            request, lambda p: desk.add_note(p, tracking_code, kind=body.kind.value, text=body.text)
        )
        return NoteAccepted(tracking_code=item.tracking_code)

    @api.get(
        "/dashboard",
        summary="Counts, overdue, on-time rate and satisfaction per body of my scope",
        responses=REFUSED,
    )
    async def dashboard(request: Request) -> DashboardView:
        found = await run(request, desk.dashboard)
        return DashboardView(
            total=found.total,
            open=found.open,
            overdue=found.overdue,
            by_channel=CountView.all(found.by_channel),
            by_category=CountView.all(found.by_category),
            by_body=CountView.all(found.by_body),
            by_status=CountView.all(found.by_status),
            overdue_by_body=CountView.all(found.overdue_by_body),
            on_time=[OnTimeView.of(o) for o in found.on_time],
            satisfaction=[SatisfiedView.of(s) for s in found.satisfaction],
        )

    return api
