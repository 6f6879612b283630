"""HTTP endpoints of intake: parse → accept (raw on Kafka, acks=all) → answer with the ids."""

import logging
import time
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, HTTPException, Request, status
from pydantic import BaseModel, ValidationError

from hoiam_intake import domain
from hoiam_intake.metrics import IntakeMetrics
from hoiam_intake.repository import ItemRepository
from hoiam_shared.events import Channel, FeedbackReceived
from hoiam_shared.ids import new_id, new_tracking_code
from hoiam_shared.kafka import TRANSIENT_ERRORS, EventPublisher
from hoiam_shared.logs import correlation
from hoiam_shared.topics import INTAKE_RAW, Topics

log = logging.getLogger(__name__)


class Accepted(BaseModel):
    """What every accepted submission answers: the item id and the code a citizen can quote."""

    id: UUID
    tracking_code: str


def build_router(
    *,
    publisher: EventPublisher,
    items: ItemRepository,
    topics: Topics,
    metrics: IntakeMetrics,
    max_body_bytes: int,
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["intake"])

    def reject(channel: Channel, code: int, reason: str, detail: object) -> HTTPException:
        metrics.rejected.labels(channel.value, reason).inc()
        return HTTPException(status_code=code, detail=detail)

    async def read_body(request: Request, channel: Channel, content_type: str) -> bytes:
        declared = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if declared != content_type:
            raise reject(
                channel,
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                f"send {content_type}, not {declared or 'no content type'}",
            )
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > max_body_bytes:
            raise reject(channel, 413, "too_large", f"body over {max_body_bytes} bytes")
        # Counted while streaming: a client may send more than its Content-Length says, or none.
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_body_bytes:
                raise reject(channel, 413, "too_large", f"body over {max_body_bytes} bytes")
        return bytes(body)

    async def accept(
        channel: Channel, payload: bytes, content_type: str, source_ref: str | None
    ) -> Accepted:
        started = time.perf_counter()
        raw = domain.accept_raw(
            item_id=new_id(),
            tracking_code=new_tracking_code(),
            channel=channel,
            payload=payload,
            content_type=content_type,
            received_at=datetime.now(UTC),
            source_ref=source_ref,
        )
        with correlation(raw.item_id):
            try:
                await publisher.publish(topics.name(INTAKE_RAW), raw, key=raw.item_id)
            except TRANSIENT_ERRORS as error:
                # Not accepted, so nothing is lost: the caller is told to try again.
                log.error("raw record not written; answering 503", extra={"error": str(error)})
                raise HTTPException(
                    status.HTTP_503_SERVICE_UNAVAILABLE,
                    detail="intake cannot store submissions right now; retry shortly",
                    headers={"Retry-After": "5"},
                ) from error
            log.info("submission accepted", extra={"channel": channel.value})
        metrics.items_received.labels(channel.value).inc()
        metrics.accept_seconds.labels(channel.value).observe(time.perf_counter() - started)
        return Accepted(id=raw.item_id, tracking_code=raw.tracking_code)

    @router.post(
        "/intake/web",
        status_code=status.HTTP_202_ACCEPTED,
        summary="Accept feedback from the web form",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": domain.WebSubmission.model_json_schema()}
                },
            }
        },
        responses={413: {}, 415: {}, 422: {}, 503: {}},
    )
    async def intake_web(
        request: Request,
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> Accepted:
        body = await read_body(request, Channel.WEB, domain.WEB_CONTENT_TYPE)
        try:
            domain.WebSubmission.model_validate_json(body)
        except ValidationError as error:
            raise reject(
                Channel.WEB,
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                "invalid",
                error.errors(include_url=False, include_context=False, include_input=False),
            ) from error
        return await accept(Channel.WEB, body, domain.WEB_CONTENT_TYPE, idempotency_key)

    @router.get("/feedback/{item_id}", summary="The normalised item, as published")
    async def get_feedback(item_id: UUID) -> FeedbackReceived:
        # Operator authentication arrives with the console; until then this is for local use.
        item = await items.get(item_id)
        if item is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such item (yet)")
        return item

    return router
