"""HTTP endpoints of the router, thin: parse → handler → answer. Operators need a bearer token."""

import hmac
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from hoiam_router import domain
from hoiam_router.domain.classify import CorrectionsModel
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.lifecycle import TransitionError
from hoiam_router.handlers import LearnedCorrections, NotFoundError, Operations
from hoiam_router.metrics import RouterMetrics
from hoiam_shared.events import Status


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    actor: str | None = Field(default=None, max_length=200)


class ReassignRequest(_Request):
    body_id: str = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=2_000)
    actor: str | None = None


class HandBackRequest(_Request):
    reason: str = Field(min_length=1, max_length=2_000)
    actor: str | None = None


class DecideRequest(_Request):
    category: str = Field(min_length=1)
    body_id: str = Field(min_length=1)
    actor: str | None = None


class MergeRequest(_Request):
    case_ids: list[UUID] = Field(min_length=1)


class SplitRequest(_Request):
    item_ids: list[UUID] = Field(min_length=1)


def preview(
    directory: Directory, request: PreviewRequest, corrections: CorrectionsModel | None
) -> dict[str, Any]:
    """The routing decision, as the issue's preview contract says, without storing anything."""
    routing = domain.route_text(
        directory,
        text=request.text,
        address=request.address,
        province_hint=request.province_hint,
        corrections=corrections,
    )
    location = routing.location
    body = routing.body
    return {
        "province": location.province.model_dump(include={"code", "name"})
        if location.province
        else None,
        "commune": location.commune.model_dump(include={"code", "name"})
        if location.commune
        else None,
        "commune_candidates": [c.model_dump() for c in location.commune_candidates],
        "legacy": location.legacy,
        "category": routing.category.code,
        "scope": routing.scope,
        "level": routing.level if not routing.triage else None,
        "body": {"id": body.id, "name": body.name, "level": body.level}
        if body and not routing.triage
        else None,
        "councillors": [
            {"id": c.id, "name": c.name, "council": c.council, "constituency": c.constituency}
            for c in routing.councillors
        ],
        "candidates": [{"id": b.id, "name": b.name, "level": b.level} for b in routing.candidates],
        "confidence": routing.confidence,
        "reasons": list(routing.reasons),
        "triage": routing.triage,
    }


def operator_guard(token: SecretStr | None) -> Any:
    """A dependency that lets through only `Authorization: Bearer <token>`."""

    async def check(authorization: Annotated[str | None, Header()] = None) -> None:
        expected = token.get_secret_value() if token else None
        given = (authorization or "").removeprefix("Bearer ").strip()
        if not expected or not authorization or not hmac.compare_digest(given, expected):
            raise HTTPException(
                status_code=401,
                detail="operator token required (Authorization: Bearer ...)",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return check


def router_api(
    *,
    directory: Directory,
    operations: Operations,
    corrections: LearnedCorrections,
    metrics: RouterMetrics,
    operator_token: SecretStr | None,
) -> APIRouter:
    api = APIRouter(prefix="/v1", dependencies=[Depends(operator_guard(operator_token))])

    def fail(error: Exception) -> HTTPException:
        if isinstance(error, NotFoundError):
            return HTTPException(status_code=404, detail=str(error))
        return HTTPException(status_code=409, detail=str(error))

    @api.post("/route/preview", tags=["routing"], summary="Routing decision, nothing stored")
    async def route_preview(request: PreviewRequest) -> dict[str, Any]:
        return preview(directory, request, corrections.model)

    @api.post("/items/{item_id}/status", status_code=202, tags=["operators"])
    async def change_status(item_id: UUID, request: StatusRequest) -> dict[str, Any]:
        try:
            event = await operations.change_status(
                item_id,
                Status(request.status),
                answer=request.answer,
                reason=request.reason,
                reason_code=request.reason_code,
                actor=request.actor,
            )
        except (NotFoundError, TransitionError) as error:
            raise fail(error) from None
        metrics.status_changes.labels(event.status.value).inc()
        return event.model_dump(mode="json")

    @api.post("/items/{item_id}/reassign", status_code=202, tags=["operators"])
    async def reassign(item_id: UUID, request: ReassignRequest) -> dict[str, Any]:
        try:
            event = await operations.reassign(
                item_id, request.body_id, reason=request.reason, actor=request.actor
            )
        except (NotFoundError, TransitionError) as error:
            raise fail(error) from None
        return event.model_dump(mode="json")

    @api.post("/items/{item_id}/hand-back", status_code=202, tags=["operators"])
    async def hand_back(item_id: UUID, request: HandBackRequest) -> dict[str, Any]:
        try:
            event = await operations.hand_back(item_id, reason=request.reason, actor=request.actor)
        except (NotFoundError, TransitionError) as error:
            raise fail(error) from None
        return event.model_dump(mode="json")

    @api.post("/triage/{item_id}/decide", status_code=202, tags=["operators"])
    async def decide(item_id: UUID, request: DecideRequest) -> dict[str, Any]:
        try:
            event = await operations.decide(
                item_id, category=request.category, body_id=request.body_id, actor=request.actor
            )
        except (NotFoundError, TransitionError) as error:
            raise fail(error) from None
        return event.model_dump(mode="json")

    @api.get("/items/{item_id}", tags=["operators"], summary="Assignment, case and history")
    async def item(item_id: UUID) -> dict[str, Any]:
        try:
            return await operations.view(item_id)
        except NotFoundError as error:
            raise fail(error) from None

    @api.get("/triage", tags=["operators"], summary="Items waiting for a human decision")
    async def triage() -> list[dict[str, Any]]:
        return await operations.triage()

    @api.post("/cases/{case_id}/merge", tags=["operators"])
    async def merge(case_id: UUID, request: MergeRequest) -> dict[str, Any]:
        try:
            items = await operations.merge_cases(case_id, request.case_ids)
        except NotFoundError as error:
            raise fail(error) from None
        return {"case_id": str(case_id), "item_ids": [str(i) for i in items]}

    @api.post("/cases/{case_id}/split", tags=["operators"])
    async def split(case_id: UUID, request: SplitRequest) -> dict[str, Any]:
        try:
            new_case = await operations.split_case(case_id, request.item_ids)
        except NotFoundError as error:
            raise fail(error) from None
        return {"case_id": str(new_case), "item_ids": [str(i) for i in request.item_ids]}

    return api
