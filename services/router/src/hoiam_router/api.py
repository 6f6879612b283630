"""HTTP endpoints of the router, thin: parse → operation → typed answer. Operators need a bearer
token; an outage of the store or broker answers 503 with `Retry-After`."""

from collections.abc import Callable, Coroutine
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from hoiam_router import domain
from hoiam_router.corrections import LearnedCorrections
from hoiam_router.domain.access import (
    AccessDeniedError,
    NoCommuneError,
    check_front,
    check_read,
    check_work,
    covers,
    note_levels,
)
from hoiam_router.domain.assignment import Assignment
from hoiam_router.domain.classify import CorrectionsModel
from hoiam_router.domain.directory import Body, Councillor, Directory
from hoiam_router.domain.lifecycle import TransitionError
from hoiam_router.metrics import RouterMetrics
from hoiam_router.operations import CaseConflictError, ItemView, NotFoundError, Operations
from hoiam_shared.access import Verify, actor_guard
from hoiam_shared.events import (
    AreaRef,
    BodyRef,
    FeedbackMessageAdded,
    FeedbackRouted,
    NoteAdded,
    NoteKind,
    Status,
    StatusChange,
    StatusChanged,
)
from hoiam_shared.identity import Actor, Machine
from hoiam_shared.kafka import TRANSIENT_ERRORS

# --- requests -----------------------------------------------------------------------------------


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


ACTOR = Field(
    default=None,
    max_length=200,
    description="Only with the machine operator token, kept beside it as "
    "service:operator-token/<actor>; ignored for a person token (the actor is the person).",
)


def actor_of(who: Actor, given: str | None) -> str:
    """Who a history entry names: the verified person, never a field of the body; the machine
    keeps the name a script gave beside its own."""
    return who.named(given) if isinstance(who, Machine) else who.actor


class PreviewRequest(_Request):
    text: str = Field(min_length=1, max_length=20_000)
    address: str | None = Field(default=None, max_length=1_000)
    channel: str | None = None
    province_hint: str | None = Field(default=None, max_length=8)


class StatusRequest(_Request):
    status: Literal["acknowledged", "in_progress", "resolved", "rejected", "reopened", "closed"]
    answer: str | None = Field(default=None, max_length=20_000)
    reason: str | None = Field(default=None, max_length=2_000)
    reason_code: str | None = None
    actor: str | None = ACTOR


class ReassignRequest(_Request):
    body_id: str = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=2_000)
    actor: str | None = ACTOR


class HandBackRequest(_Request):
    reason: str = Field(min_length=1, max_length=2_000)
    actor: str | None = ACTOR


class DecideRequest(_Request):
    category: str = Field(min_length=1)
    body_id: str = Field(min_length=1)
    actor: str | None = ACTOR


class NoteRequest(_Request):
    kind: NoteKind = Field(
        description="forward (a commune's Front, up to the province's), instruction or question "
        "(the province's Front, down to the item's commune), note (any level, for the history)."
    )
    text: str = Field(min_length=1, max_length=5_000)


class SendBackRequest(_Request):
    note: str = Field(
        min_length=1, max_length=2_000, description="The evaluation: why the answer falls short."
    )


class QuestionRequest(_Request):
    note: str = Field(min_length=1, max_length=2_000, description="What is to be questioned.")
    session_id: str = Field(
        min_length=1, max_length=100, description="The council session (kỳ họp) that questions it."
    )


class MergeRequest(_Request):
    case_ids: list[UUID] = Field(min_length=1)


class SplitRequest(_Request):
    item_ids: list[UUID] = Field(min_length=1)


# --- answers ------------------------------------------------------------------------------------


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class Place(_Answer):
    code: str
    name: str

    @classmethod
    def of(cls, area: AreaRef | None) -> "Place | None":
        return cls(code=area.code, name=area.name) if area else None


class BodyBrief(_Answer):
    id: str
    name: str
    level: str

    @classmethod
    def of(cls, body: Body) -> "BodyBrief":
        return cls(id=body.id, name=body.name, level=body.level)


class CouncillorBrief(_Answer):
    id: str
    name: str
    council: str
    constituency: str

    @classmethod
    def of(cls, councillor: Councillor) -> "CouncillorBrief":
        return cls(
            id=councillor.id,
            name=councillor.name,
            council=councillor.council,
            constituency=councillor.constituency,
        )


class Preview(_Answer):
    """The routing decision, as the issue's preview contract says; nothing is stored."""

    province: Place | None
    commune: Place | None
    commune_candidates: list[AreaRef]
    legacy: str | None
    category: str
    scope: str
    level: str | None
    body: BodyBrief | None
    councillors: list[CouncillorBrief]
    candidates: list[BodyBrief]
    confidence: float
    reasons: list[str]
    triage: bool


class CaseAnswer(_Answer):
    id: UUID | None
    item_ids: list[UUID]


class CitizenMessage(FeedbackMessageAdded):
    """What the citizen added, as it is in the item's history, with a line saying so."""

    summary: str

    @classmethod
    def of(cls, message: FeedbackMessageAdded) -> "CitizenMessage":
        words = message.text.normalised if message.text else ""
        if len(words) > 500:
            words = words[:500] + "…"
        summary = {
            "reply": f"Cử tri bổ sung: {words}",
            "edit": f"Cử tri sửa nội dung: {words}",
            "remove": "Cử tri gỡ nội dung đã gửi.",
            "resent": f"Cử tri gửi lại: {words}",
        }[message.kind]
        return cls.model_validate({**message.model_dump(), "summary": summary})


class ItemAnswer(_Answer):
    """An item for operators: assignment, case and history (`GET /v1/items/{id}`)."""

    item_id: UUID
    tracking_code: str
    status: Status
    category: str
    body: BodyRef | None
    due_on: date | None
    routing: FeedbackRouted
    case: CaseAnswer
    questioned_at: list[str] = Field(
        default=[], description="Sessions whose questioning (chất vấn) takes up its answer."
    )
    history: list[
        Annotated[
            FeedbackRouted | StatusChanged | CitizenMessage | NoteAdded,
            Field(discriminator="type"),
        ]
    ]

    @classmethod
    def of(cls, view: ItemView) -> "ItemAnswer":
        a = view.assignment
        return cls(
            item_id=a.item_id,
            tracking_code=a.routed.tracking_code,
            status=a.status,
            category=a.category,
            body=a.body,
            due_on=a.due_on,
            routing=a.routed,
            case=CaseAnswer(id=a.case_id, item_ids=list(view.case_item_ids)),
            questioned_at=list(
                dict.fromkeys(
                    e.session_id
                    for e in view.history
                    if isinstance(e, StatusChanged)
                    and e.change is StatusChange.QUESTIONED
                    and e.session_id
                )
            ),
            history=[
                CitizenMessage.of(entry) if isinstance(entry, FeedbackMessageAdded) else entry
                for entry in view.history
            ],
        )


class TriageEntry(_Answer):
    """An item waiting for a human decision, with what the router thought of it."""

    item_id: UUID
    tracking_code: str
    category: str
    confidence: float
    text: str
    candidates: list[BodyRef]
    reasons: list[str]

    @classmethod
    def of(cls, a: Assignment) -> "TriageEntry":
        return cls(
            item_id=a.item_id,
            tracking_code=a.routed.tracking_code,
            category=a.category,
            confidence=a.routed.confidence,
            text=a.routed.text,
            candidates=list(a.routed.candidates),
            reasons=list(a.routed.reasons),
        )


class DirectoryCouncillor(CouncillorBrief):
    """A delegate and the current communes of their constituency (the console binds accounts)."""

    communes: list[str]


class CaseMembers(_Answer):
    case_id: UUID
    item_ids: list[UUID]


def preview(
    directory: Directory,
    request: PreviewRequest,
    corrections: CorrectionsModel | None,
    learned: LearnedCorrections | None = None,
) -> Preview:
    """The routing decision for a text, without storing anything."""
    routing = domain.route_text(
        directory,
        text=request.text,
        address=request.address,
        province_hint=request.province_hint,
        corrections=corrections,
        model=learned.predictor if learned else None,
        memory=learned.memory if learned else None,
        threshold=learned.threshold if learned else None,
    )
    location = routing.location
    body = routing.body
    return Preview(
        province=Place.of(location.province),
        commune=Place.of(location.commune),
        commune_candidates=list(location.commune_candidates),
        legacy=location.legacy,
        category=routing.category.code,
        scope=routing.scope,
        level=routing.level if not routing.triage else None,
        body=BodyBrief.of(body) if body and not routing.triage else None,
        councillors=[CouncillorBrief.of(c) for c in routing.councillors],
        candidates=[BodyBrief.of(b) for b in routing.candidates],
        confidence=routing.confidence,
        reasons=list(routing.reasons),
        triage=routing.triage,
    )


# --- endpoints ----------------------------------------------------------------------------------


class _AnswersOutages(APIRoute):
    """A route that answers 503 when the store or broker is away: nothing was half-done that
    the outbox does not cover, so the caller may simply retry."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handle(request)
            except TRANSIENT_ERRORS as error:
                return JSONResponse(
                    {"detail": f"temporarily unavailable, retry: {type(error).__name__}"},
                    status_code=503,
                    headers={"Retry-After": "5"},
                )

        return answer


def router_api(
    *,
    directory: Directory,
    operations: Operations,
    corrections: LearnedCorrections,
    metrics: RouterMetrics,
    operator_token: SecretStr | None,
    verify: Verify,
) -> APIRouter:
    guard = actor_guard(operator_token, verify)
    api = APIRouter(
        prefix="/v1",
        dependencies=[Depends(guard)],
        route_class=_AnswersOutages,
    )

    Who = Annotated[Actor, Depends(guard)]

    def fail(error: Exception) -> HTTPException:
        if isinstance(error, NotFoundError):
            return HTTPException(status_code=404, detail=str(error))
        if isinstance(error, AccessDeniedError):
            return HTTPException(status_code=403, detail=str(error))
        return HTTPException(status_code=409, detail=str(error))

    async def load(item_id: UUID) -> Assignment:
        try:
            return await operations.get(item_id)
        except NotFoundError as error:
            raise fail(error) from None

    def allowed(check: Callable[[], None]) -> None:
        try:
            check()
        except AccessDeniedError as error:
            raise fail(error) from None

    @api.post("/route/preview", tags=["routing"], summary="Routing decision, nothing stored")
    async def route_preview(request: PreviewRequest) -> Preview:
        return preview(directory, request, corrections.model, corrections)

    forbidden: dict[int | str, dict[str, Any]] = {403: {"description": "outside your scope"}}

    @api.post("/items/{item_id}/status", status_code=202, tags=["operators"], responses=forbidden)
    async def change_status(item_id: UUID, request: StatusRequest, who: Who) -> StatusChanged:
        assignment = await load(item_id)
        allowed(lambda: check_work(who, assignment))
        try:
            event = await operations.change_status(
                item_id,
                Status(request.status),
                answer=request.answer,
                reason=request.reason,
                reason_code=request.reason_code,
                actor=actor_of(who, request.actor),
            )
        except (NotFoundError, TransitionError) as error:
            raise fail(error) from None
        metrics.status_changes.labels(event.status.value).inc()
        return event

    @api.post(
        "/items/{item_id}/reassign",
        status_code=202,
        tags=["operators"],
        summary="Give the item to another body (body staff: only an item their body holds)",
        responses=forbidden,
    )
    async def reassign(item_id: UUID, request: ReassignRequest, who: Who) -> StatusChanged:
        assignment = await load(item_id)
        allowed(lambda: check_work(who, assignment))
        try:
            return await operations.reassign(
                item_id, request.body_id, reason=request.reason, actor=actor_of(who, request.actor)
            )
        except (NotFoundError, TransitionError) as error:
            raise fail(error) from None

    @api.post(
        "/items/{item_id}/hand-back", status_code=202, tags=["operators"], responses=forbidden
    )
    async def hand_back(item_id: UUID, request: HandBackRequest, who: Who) -> StatusChanged:
        assignment = await load(item_id)
        allowed(lambda: check_work(who, assignment))
        try:
            return await operations.hand_back(
                item_id, reason=request.reason, actor=actor_of(who, request.actor)
            )
        except (NotFoundError, TransitionError) as error:
            raise fail(error) from None

    evaluating: dict[int | str, dict[str, Any]] = {
        **forbidden,
        404: {"description": "no item with that tracking code"},
        409: {"description": "the item has no answer yet (or moved meanwhile)"},
    }

    async def answered_item(tracking_code: str, who: Actor) -> Assignment:
        try:
            assignment = await operations.by_tracking_code(tracking_code)
        except NotFoundError as error:
            raise fail(error) from None
        allowed(lambda: check_front(who, assignment, what="evaluating an answer"))
        return assignment

    @api.post(
        "/items/{tracking_code}/send-back",
        status_code=202,
        tags=["operators"],
        summary="An unsatisfactory answer back to its body: reopened, the note as the reason, "
        "a new due date, the body told again",
        responses=evaluating,
    )
    async def send_back(tracking_code: str, request: SendBackRequest, who: Who) -> StatusChanged:
        assignment = await answered_item(tracking_code, who)
        try:
            event = await operations.send_back(
                assignment.item_id, note=request.note, actor=actor_of(who, None)
            )
        except (NotFoundError, TransitionError) as error:
            raise fail(error) from None
        metrics.status_changes.labels(event.status.value).inc()
        return event

    @api.post(
        "/items/{tracking_code}/question",
        status_code=202,
        tags=["operators"],
        summary="Mark an unsatisfactory answer for questioning (chất vấn) at a session; its "
        "status stays (the same session twice: the same mark)",
        responses=evaluating,
    )
    async def question(tracking_code: str, request: QuestionRequest, who: Who) -> StatusChanged:
        assignment = await answered_item(tracking_code, who)
        try:
            return await operations.mark_for_questioning(
                assignment.item_id,
                note=request.note,
                session_id=request.session_id,
                actor=actor_of(who, None),
            )
        except (NotFoundError, TransitionError) as error:
            raise fail(error) from None

    @api.post("/triage/{item_id}/decide", status_code=202, tags=["operators"], responses=forbidden)
    async def decide(item_id: UUID, request: DecideRequest, who: Who) -> FeedbackRouted:
        assignment = await load(item_id)
        allowed(lambda: check_front(who, assignment, what="a triage decision"))
        try:
            return await operations.decide(
                item_id,
                category=request.category,
                body_id=request.body_id,
                actor=actor_of(who, request.actor),
            )
        except (NotFoundError, TransitionError) as error:
            raise fail(error) from None

    @api.post(
        "/items/{item_id}/notes",
        status_code=201,
        tags=["operators"],
        summary="A note between levels of the Front, in the item's history (feedback.notes.v1)",
        responses={**forbidden, 409: {"description": "an instruction to an item in no commune"}},
    )
    async def add_note(item_id: UUID, request: NoteRequest, who: Who) -> NoteAdded:
        assignment = await load(item_id)
        try:
            from_level, to_level = note_levels(who, request.kind, assignment)
        except (AccessDeniedError, NoCommuneError) as error:
            raise fail(error) from None
        return await operations.add_note(
            assignment,
            kind=request.kind,
            text=request.text,
            actor=actor_of(who, None),
            from_level=from_level,
            to_level=to_level,
        )

    @api.get(
        "/items/{item_id}",
        tags=["operators"],
        summary="Assignment, case and history",
        responses=forbidden,
    )
    async def item(item_id: UUID, who: Who) -> ItemAnswer:
        try:
            view = await operations.view(item_id)
        except NotFoundError as error:
            raise fail(error) from None
        allowed(lambda: check_read(who, view.assignment))
        return ItemAnswer.of(view)

    @api.get(
        "/triage",
        tags=["operators"],
        summary="Items waiting for a human decision (a commune's Front: its commune's)",
        responses=forbidden,
    )
    async def triage(who: Who) -> list[TriageEntry]:
        allowed(lambda: check_front(who, what="the triage queue"))
        return [TriageEntry.of(a) for a in await operations.triage() if covers(who, a)]

    @api.get("/directory/bodies", tags=["directory"], summary="Bodies in force, by province")
    async def directory_bodies(province: str | None = None) -> list[BodyBrief]:
        return [
            BodyBrief.of(body)
            for body in directory.bodies
            if body.replaced_by is None and (province is None or province in body.provinces)
        ]

    @api.get("/directory/councillors", tags=["directory"], summary="HĐND delegates, by province")
    async def directory_councillors(province: str | None = None) -> list[DirectoryCouncillor]:
        return [
            DirectoryCouncillor(**CouncillorBrief.of(c).model_dump(), communes=list(c.communes))
            for c in directory.councillors
            if province is None or c.province == province
        ]

    async def all_in_scope(who: Who, case_ids: list[UUID], what: str) -> None:
        for case_id in case_ids:
            try:
                members = await operations.case_members(case_id)
            except NotFoundError as error:
                raise fail(error) from None
            for member in members:
                allowed(lambda: check_front(who, member, what=what))  # noqa: B023

    @api.post("/cases/{case_id}/merge", tags=["operators"], responses=forbidden)
    async def merge(case_id: UUID, request: MergeRequest, who: Who) -> CaseMembers:
        allowed(lambda: check_front(who, what="a merge of cases"))
        await all_in_scope(who, [case_id, *request.case_ids], "a merge of cases")
        try:
            items = await operations.merge_cases(
                case_id, request.case_ids, actor=actor_of(who, None)
            )
        except (NotFoundError, CaseConflictError, TransitionError) as error:
            raise fail(error) from None
        return CaseMembers(case_id=case_id, item_ids=items)

    @api.post("/cases/{case_id}/split", tags=["operators"], responses=forbidden)
    async def split(case_id: UUID, request: SplitRequest, who: Who) -> CaseMembers:
        allowed(lambda: check_front(who, what="a split of a case"))
        await all_in_scope(who, [case_id], "a split of a case")
        try:
            new_case = await operations.split_case(
                case_id, request.item_ids, actor=actor_of(who, None)
            )
        except (NotFoundError, CaseConflictError, TransitionError) as error:
            raise fail(error) from None
        return CaseMembers(case_id=new_case, item_ids=request.item_ids)

    return api
