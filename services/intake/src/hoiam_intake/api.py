"""HTTP endpoints of intake: check → accept (raw on Kafka, acks=all) → answer with the ids.

Endpoints parse only as much as they must to answer: webhooks verify their signature and answer
(providers retry slow webhooks and Zalo disables them); uploads are split into calls so the
uploader hears which lines were refused. Everything else happens in the normaliser.
"""

import hmac
import logging
from collections.abc import Callable
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from typing import Annotated, cast
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field, ValidationError

from hoiam_intake.accepting import Acceptor, Receipt
from hoiam_intake.domain.channels.calls import (
    CALL_CONTENT_TYPE,
    LogFormat,
    ManualCall,
    Rejected,
    parse_call_log,
)
from hoiam_intake.domain.channels.email import EMAIL_CONTENT_TYPE, message_ids
from hoiam_intake.domain.channels.facebook import facebook_page, verify_facebook
from hoiam_intake.domain.channels.open311 import FORM_CONTENT_TYPE, Open311Request, read_open311
from hoiam_intake.domain.channels.web import WEB_CONTENT_TYPE, WebSubmission
from hoiam_intake.domain.channels.zalo import BadSignatureError, verify_zalo, zalo_user
from hoiam_intake.domain.items import Earlier, normalise_text
from hoiam_intake.domain.legacy import decode_declared
from hoiam_intake.domain.rules import Rules
from hoiam_intake.metrics import IntakeMetrics
from hoiam_intake.repository import ItemRepository
from hoiam_intake.resends import Resends
from hoiam_intake.settings import IntakeSettings
from hoiam_intake.store import IntakeStore, Suggestion
from hoiam_shared.clock import Clock
from hoiam_shared.events import Channel, Contacts, FeedbackReceived, OperatorTaskOpened
from hoiam_shared.http import operator_guard
from hoiam_shared.kafka import TRANSIENT_ERRORS

log = logging.getLogger(__name__)

CALL_LOG_TYPES = ("text/csv", "text/plain", "application/octet-stream")
CALL_FORMATS = ("asterisk-cdr", "queue-log", "csv")


class Accepted(BaseModel):
    """What every accepted submission answers: the item id and the code a citizen can quote."""

    id: UUID
    tracking_code: str
    already_sent: bool = Field(
        default=False,
        description="The same citizen sent this matter before: the ids are that first item's.",
    )


class CallResult(BaseModel):
    call_id: str
    id: UUID
    tracking_code: str
    kind: str
    duplicate: bool


class CallLogAnswer(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[Rejected]
    calls: list[CallResult]


class Received(BaseModel):
    """What a provider's webhook hears once its events are on `intake.raw`."""

    received: bool = True


RECEIVED_NOTICE = "Đã tiếp nhận. Tra cứu bằng mã này."
ALREADY_SENT_NOTICE = "Ý kiến này đã được gửi trước đây; đây là mã của ý kiến đó."


class Open311Receipt(BaseModel):
    """GeoReport v2's answer to a created request, with intake's own ids beside it."""

    service_request_id: str
    service_notice: str = RECEIVED_NOTICE
    account_id: str | None = None
    id: UUID
    tracking_code: str


class StoredItem(FeedbackReceived):
    """The item as published, plus the tracking code of the item it duplicates (if any)."""

    duplicate_of_tracking_code: str | None = None


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _charset(request: Request) -> str | None:
    for part in request.headers.get("content-type", "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset":
            return value.strip('"')
    return None


def build_router(
    *,
    acceptor: Acceptor,
    items: ItemRepository,
    store: IntakeStore,
    metrics: IntakeMetrics,
    rules: Rules,
    settings: IntakeSettings,
    clock: Clock,
    resends: Resends,
) -> APIRouter:
    router = APIRouter()
    max_body_bytes = settings.max_body_bytes
    zalo_app_id = settings.zalo_app_id
    zalo_oa_secret = settings.zalo_oa_secret
    facebook_app_secret = settings.facebook_app_secret
    facebook_verify_token = settings.facebook_verify_token

    def refuse(channel: Channel, code: int, reason: str, detail: object) -> HTTPException:
        metrics.rejected.labels(channel.value, reason).inc()
        return HTTPException(status_code=code, detail=detail)

    async def read_body(request: Request, channel: Channel, allowed: tuple[str, ...]) -> bytes:
        declared = _content_type(request)
        if declared not in allowed:
            raise refuse(
                channel, 415, "unsupported_media_type",
                f"send {' or '.join(allowed)}, not {declared or 'no content type'}",
            )  # fmt: skip
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > max_body_bytes:
            raise refuse(channel, 413, "too_large", f"body over {max_body_bytes} bytes")
        # Counted while streaming: a client may send more than its Content-Length says, or none.
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_body_bytes:
                raise refuse(channel, 413, "too_large", f"body over {max_body_bytes} bytes")
        return bytes(body)

    async def accept(
        channel: Channel,
        payload: bytes,
        content_type: str,
        source_ref: str | None,
        key: str | None = None,
    ) -> Receipt:
        try:
            return await acceptor.accept(channel, payload, content_type, source_ref, key=key)
        except TRANSIENT_ERRORS as error:
            # Not accepted, so nothing is lost: the caller is told to try again.
            log.error("raw record not written; answering 503", extra={"error": str(error)})
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail="intake cannot store submissions right now; retry shortly",
                headers={"Retry-After": "5"},
            ) from error

    def answer(receipt: Receipt, response: Response) -> Accepted:
        # A provider's retry is answered 200 with the first item's ids; a new item 202.
        response.status_code = 200 if receipt.duplicate else 202
        return Accepted(id=receipt.id, tracking_code=receipt.tracking_code)

    async def sent_before(
        receipt: Receipt, *, email: str | None, phone: str | None, text: str
    ) -> Earlier | None:
        """The first item, when this citizen sent the same matter before. The raw record is
        written either way; the normaliser, by the same rule, makes it a message on that item."""
        return await resends.earlier(
            contacts=Contacts(email=email, phone=phone),
            text=normalise_text(text),
            at=clock(),
            item_id=receipt.id,
        )

    def invalid(channel: Channel, error: ValidationError) -> HTTPException:
        return refuse(
            channel, 422, "invalid",
            error.errors(include_url=False, include_context=False, include_input=False),
        )  # fmt: skip

    operator = operator_guard(settings.operator_token)

    body_doc = {"requestBody": {"required": True, "content": {"application/json": {}}}}

    @router.post(
        "/v1/intake/web",
        status_code=202,
        tags=["intake"],
        summary="Accept feedback from the web form",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": WebSubmission.model_json_schema()}},
            }
        },
        responses={200: {}, 413: {}, 415: {}, 422: {}, 503: {}},
    )
    async def intake_web(
        request: Request,
        response: Response,
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> Accepted:
        body = await read_body(request, Channel.WEB, (WEB_CONTENT_TYPE,))
        try:
            submission = WebSubmission.model_validate_json(body)
        except ValidationError as error:
            raise invalid(Channel.WEB, error) from error
        receipt = await accept(Channel.WEB, body, WEB_CONTENT_TYPE, idempotency_key)
        earlier = await sent_before(receipt, email=submission.email, phone=submission.phone,
                                    text=submission.text)  # fmt: skip
        if earlier is not None:
            response.status_code = 200
            return Accepted(
                id=earlier.item_id, tracking_code=earlier.tracking_code, already_sent=True
            )
        return answer(receipt, response)

    @router.post(
        "/v1/intake/email",
        status_code=202,
        tags=["intake"],
        summary="Accept one raw email (RFC 5322), e.g. from a mail pipe",
        openapi_extra={"requestBody": {"required": True, "content": {EMAIL_CONTENT_TYPE: {}}}},
        responses={200: {}, 400: {}, 413: {}, 415: {}, 503: {}},
    )
    async def intake_email(request: Request, response: Response) -> Accepted:
        body = await read_body(request, Channel.EMAIL, (EMAIL_CONTENT_TYPE,))
        try:
            headers = BytesHeaderParser(policy=default_policy).parsebytes(body)
            sender = headers.get("From")
            ids = message_ids(str(headers.get("Message-ID") or "")) or (None,)
        except Exception as error:  # the stdlib raises several types on hostile headers
            raise refuse(Channel.EMAIL, 400, "malformed", f"unreadable headers: {error}") from error
        if not body.strip() or sender is None:
            raise refuse(Channel.EMAIL, 400, "malformed", "not an email: no From header")
        receipt = await accept(Channel.EMAIL, body, EMAIL_CONTENT_TYPE, ids[0])
        return answer(receipt, response)

    @router.post(
        "/v1/intake/calls",
        tags=["intake"],
        summary="Import a call log: Asterisk Master.csv, Asterisk queue_log, or a mapped CSV",
        openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {}}}},
        responses={413: {}, 415: {}, 422: {}, 503: {}},
    )
    async def intake_calls(
        request: Request, log_format: Annotated[str, Query(alias="format")] = "asterisk-cdr"
    ) -> CallLogAnswer:
        if log_format not in CALL_FORMATS:
            raise refuse(Channel.PHONE, 422, "invalid", f"format is one of {CALL_FORMATS}")
        body = await read_body(request, Channel.PHONE, CALL_LOG_TYPES)
        text, _ = decode_declared(body.removeprefix(b"\xef\xbb\xbf"), _charset(request) or "utf-8")
        calls, rejected = parse_call_log(text, cast(LogFormat, log_format), rules)
        for _ in rejected:
            metrics.rejected.labels(Channel.PHONE.value, "bad_line").inc()
        results = []
        for call in calls:
            payload = call.model_dump_json().encode()
            receipt = await accept(Channel.PHONE, payload, CALL_CONTENT_TYPE, call.call_id)
            results.append(
                CallResult(
                    call_id=call.call_id,
                    id=receipt.id,
                    tracking_code=receipt.tracking_code,
                    kind="item" if call.answered else "call_back",
                    duplicate=receipt.duplicate,
                )
            )
        duplicates = sum(r.duplicate for r in results)
        return CallLogAnswer(
            accepted=len(results) - duplicates,
            duplicates=duplicates,
            rejected=rejected,
            calls=results,
        )

    @router.post(
        "/v1/intake/calls/manual",
        status_code=202,
        tags=["intake"],
        summary="An operator keys in one call",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ManualCall.model_json_schema()}},
            }
        },
        responses={200: {}, 413: {}, 415: {}, 422: {}, 503: {}},
        dependencies=[Depends(operator)],
    )
    async def intake_manual_call(request: Request, response: Response) -> Accepted:
        body = await read_body(request, Channel.PHONE, ("application/json",))
        try:
            call = ManualCall.model_validate_json(body).record(clock())
        except ValidationError as error:
            raise invalid(Channel.PHONE, error) from error
        payload = call.model_dump_json().encode()
        receipt = await accept(Channel.PHONE, payload, CALL_CONTENT_TYPE, call.call_id)
        return answer(receipt, response)

    @router.post(
        "/webhooks/zalo",
        tags=["webhooks"],
        summary="Zalo Official Account events",
        openapi_extra=body_doc,
        responses={400: {}, 401: {}, 403: {}, 413: {}, 415: {}, 503: {}},
    )
    async def zalo_webhook(
        request: Request,
        x_zevent_signature: Annotated[str | None, Header()] = None,
    ) -> Received:
        body = await read_body(request, Channel.ZALO, ("application/json",))
        # An empty secret would let anyone sign: it counts as not configured.
        if zalo_oa_secret is None or not zalo_oa_secret.get_secret_value() or not zalo_app_id:
            raise refuse(Channel.ZALO, 403, "not_configured", "Zalo is not configured here")
        await verified(
            Channel.ZALO,
            x_zevent_signature,
            lambda: verify_zalo(
                body, x_zevent_signature, app_id=zalo_app_id,
                oa_secret=zalo_oa_secret.get_secret_value(),
            ),
        )  # fmt: skip
        await accept(Channel.ZALO, body, "application/json", None, key=zalo_user(body))
        return Received()

    async def verified(channel: Channel, header: str | None, check: Callable[[], None]) -> None:
        try:
            check()
        except BadSignatureError as error:
            code = 401 if not header else 403
            raise refuse(channel, code, "bad_signature", str(error)) from error
        except ValueError as error:
            raise refuse(channel, 400, "malformed", f"not JSON: {error}") from error

    @router.get(
        "/webhooks/facebook",
        tags=["webhooks"],
        summary="Meta's subscription check",
        response_class=PlainTextResponse,
    )
    async def facebook_verify(
        mode: Annotated[str | None, Query(alias="hub.mode")] = None,
        token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
        challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
    ) -> PlainTextResponse:
        expected = facebook_verify_token.get_secret_value() if facebook_verify_token else None
        ok = (
            mode == "subscribe"
            and expected  # an empty configured token verifies nobody
            and token is not None
            and hmac.compare_digest(token.encode(), expected.encode())
        )
        if not ok or challenge is None:
            metrics.rejected.labels(Channel.FACEBOOK.value, "bad_verify_token").inc()
            return PlainTextResponse("verification failed", status_code=403)
        return PlainTextResponse(challenge)

    @router.post(
        "/webhooks/facebook",
        tags=["webhooks"],
        summary="Facebook Page events (Messenger, feed)",
        openapi_extra=body_doc,
        response_class=PlainTextResponse,
        responses={400: {}, 401: {}, 403: {}, 413: {}, 415: {}, 503: {}},
    )
    async def facebook_webhook(
        request: Request,
        x_hub_signature_256: Annotated[str | None, Header()] = None,
    ) -> PlainTextResponse:
        body = await read_body(request, Channel.FACEBOOK, ("application/json",))
        if facebook_app_secret is None or not facebook_app_secret.get_secret_value():
            raise refuse(Channel.FACEBOOK, 403, "not_configured", "Facebook is not configured")
        await verified(
            Channel.FACEBOOK,
            x_hub_signature_256,
            lambda: verify_facebook(
                body, x_hub_signature_256, app_secret=facebook_app_secret.get_secret_value()
            ),
        )
        try:
            page = facebook_page(body)
        except ValueError as error:
            raise refuse(Channel.FACEBOOK, 400, "malformed", f"not JSON: {error}") from error
        await accept(Channel.FACEBOOK, body, "application/json", None, key=page)
        return PlainTextResponse("EVENT_RECEIVED")

    @router.post(
        "/v1/open311/requests",
        tags=["open311"],
        summary="Open311 GeoReport v2: create a service request",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    FORM_CONTENT_TYPE: {"schema": Open311Request.model_json_schema()},
                    "application/json": {"schema": Open311Request.model_json_schema()},
                },
            }
        },
        status_code=201,
        response_model=list[Open311Receipt],
        responses={400: {}, 413: {}, 415: {}, 503: {}},
    )
    async def open311_create(request: Request) -> JSONResponse | list[Open311Receipt]:
        allowed = (FORM_CONTENT_TYPE, "application/json")
        content_type = _content_type(request)
        body = await read_body(request, Channel.OPEN311, allowed)
        try:
            filed = Open311Request.model_validate(read_open311(body, content_type))
        except (ValueError, UnicodeDecodeError) as error:
            metrics.rejected.labels(Channel.OPEN311.value, "invalid").inc()
            # GeoReport v2 errors are a list of {code, description}.
            return JSONResponse([{"code": 400, "description": str(error)[:1000]}], 400)
        receipt = await accept(Channel.OPEN311, body, content_type, None)
        earlier = await sent_before(
            receipt, email=filed.email, phone=filed.phone, text=filed.description
        )
        code, item_id = (earlier.tracking_code, earlier.item_id) if earlier else (
            receipt.tracking_code, receipt.id,
        )  # fmt: skip
        return [
            Open311Receipt(
                service_request_id=code,
                service_notice=ALREADY_SENT_NOTICE if earlier else RECEIVED_NOTICE,
                id=item_id,
                tracking_code=code,
            )
        ]

    @router.get(
        "/v1/feedback/{item_id}",
        tags=["operator"],
        summary="The normalised item, as published",
        dependencies=[Depends(operator)],
    )
    async def get_feedback(item_id: UUID) -> StoredItem:
        item = await items.get(item_id)
        if item is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such item (yet)")
        first = await items.get(item.duplicate_of) if item.duplicate_of else None
        return StoredItem.model_validate(
            {
                **item.model_dump(),
                "duplicate_of_tracking_code": first.tracking_code if first else None,
            }
        )

    @router.get(
        "/v1/feedback/by-source/{channel}/{source_ref:path}",
        tags=["operator"],
        summary="The item a provider message became (Zalo msg_id, Messenger mid, Message-ID...)",
        dependencies=[Depends(operator)],
    )
    async def get_feedback_by_source(channel: Channel, source_ref: str) -> StoredItem:
        item_id, _ = acceptor.identity(channel, source_ref)
        return await get_feedback(item_id)

    @router.get(
        "/v1/operator/tasks",
        tags=["operator"],
        summary="Call-back tasks (missed and abandoned calls), newest first",
        dependencies=[Depends(operator)],
    )
    async def list_tasks(
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[OperatorTaskOpened]:
        return await store.events("tasks", OperatorTaskOpened, limit)

    @router.get(
        "/v1/operator/citizen-suggestions",
        tags=["operator"],
        summary="Citizen records that may be one person (never merged automatically)",
        dependencies=[Depends(operator)],
    )
    async def list_suggestions(
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[Suggestion]:
        return await store.suggestions(limit)

    return router
