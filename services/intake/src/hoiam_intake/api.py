"""HTTP endpoints of intake: check → accept (raw on Kafka, acks=all) → answer with the ids.

Endpoints parse only as much as they must to answer: webhooks verify their signature and answer
(providers retry slow webhooks and Zalo disables them); uploads are split into calls so the
uploader hears which lines were refused. Everything else happens in the normaliser.
"""

import hmac
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import getaddresses
from typing import Annotated, cast
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from starlette.formparsers import MultiPartException, MultiPartParser

from hoiam_intake.accepting import Acceptor, Receipt, SourceReusedError
from hoiam_intake.attachments import AttachmentStore
from hoiam_intake.domain import keys
from hoiam_intake.domain.channels.calls import (
    CALL_CONTENT_TYPE,
    LogFormat,
    ManualCall,
    Rejected,
    parse_call_log,
)
from hoiam_intake.domain.channels.email import EMAIL_CONTENT_TYPE, message_ids, reply_hints
from hoiam_intake.domain.channels.facebook import facebook_envelope, verify_facebook
from hoiam_intake.domain.channels.open311 import FORM_CONTENT_TYPE, Open311Request, read_open311
from hoiam_intake.domain.channels.web import (
    WEB_CONTENT_TYPE,
    WEB_PHOTOS_CONTENT_TYPE,
    WebSubmission,
    WebWithPhotos,
)
from hoiam_intake.domain.channels.zalo import (
    BadSignatureError,
    verify_zalo,
    zalo_envelope,
)
from hoiam_intake.domain.items import Earlier, feedback_text
from hoiam_intake.domain.keys import email_fingerprint, json_fingerprint
from hoiam_intake.domain.legacy import decode_declared, text_codec
from hoiam_intake.domain.limits import window_at
from hoiam_intake.domain.photos import MAX_PHOTOS, PhotoRefusedError, Upload, accept_photos
from hoiam_intake.domain.rules import Rules
from hoiam_intake.domain.tasks import (
    IllegalTransitionError,
    Task,
    TaskKind,
    TaskState,
    assign,
    finish,
)
from hoiam_intake.metrics import IntakeMetrics
from hoiam_intake.replies import reply_target
from hoiam_intake.repository import ItemRepository
from hoiam_intake.resends import Resends
from hoiam_intake.settings import Endpoint, IntakeSettings
from hoiam_intake.store import IntakeStore, Suggestion
from hoiam_intake.tasks import TaskList
from hoiam_shared.access import actor_guard, forbidden, operators_only
from hoiam_shared.clock import VIETNAM_TIME, Clock
from hoiam_shared.events import (
    Attachment,
    Channel,
    Contacts,
    FeedbackMessageAdded,
    FeedbackReceived,
)
from hoiam_shared.identity import Actor as Who
from hoiam_shared.identity import Machine, Person, verifier
from hoiam_shared.kafka import TRANSIENT_ERRORS, RecordTooLargeError

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
    """The item as published, plus the tracking code of the item it duplicates (if any) and what
    the citizen added later (replies, edits, removals), oldest first."""

    duplicate_of_tracking_code: str | None = None
    messages: list[FeedbackMessageAdded] = Field(default_factory=list)


def _one_person(value: str) -> str:
    if not value.isprintable():  # control characters, line breaks, U+2028...
        raise ValueError("an actor is a name on one line, without control characters")
    return value


Actor = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="Only with the machine operator token: the name a script gives, kept as "
        "service:operator-token/<actor>. Ignored for a person token: the actor is the person.",
    ),
    AfterValidator(_one_person),
]


class _TaskCommand(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AssignTask(_TaskCommand):
    actor: Actor | None = None
    assignee: Actor | None = Field(default=None, description="Who takes it; default the actor.")


class FinishTask(_TaskCommand):
    actor: Actor | None = None
    note: str | None = Field(default=None, max_length=2_000)


def _vietnam(at: datetime | None) -> datetime | None:
    return at.astimezone(VIETNAM_TIME) if at is not None else None


class TaskView(BaseModel):
    """A task as operators see it; every time is in Vietnam time (UTC+7)."""

    task_id: str
    kind: TaskKind
    state: TaskState
    item_id: UUID | None
    tracking_code: str | None
    name: str | None
    phone: str | None
    reason: str
    details: str | None
    opened_at: datetime
    assigned_to: str | None
    assigned_by: str | None
    assigned_at: datetime | None
    done_by: str | None
    done_at: datetime | None
    note: str | None

    @classmethod
    def of(cls, task: Task) -> "TaskView":
        event = task.opened
        return cls(
            task_id=task.task_id,
            kind=task.kind,
            state=task.state,
            item_id=event.item_id,
            tracking_code=event.tracking_code,
            name=event.name,
            phone=event.phone,
            reason=event.reason,
            details=event.details,
            opened_at=event.opened_at.astimezone(VIETNAM_TIME),
            assigned_to=task.assigned_to,
            assigned_by=task.assigned_by,
            assigned_at=_vietnam(task.assigned_at),
            done_by=task.done_by,
            done_at=_vietnam(task.done_at),
            note=task.note,
        )


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
    tasks: TaskList,
    metrics: IntakeMetrics,
    rules: Rules,
    settings: IntakeSettings,
    clock: Clock,
    resends: Resends,
    attachments: AttachmentStore,
) -> APIRouter:
    router = APIRouter()
    zalo_app_id = settings.zalo_app_id
    zalo_oa_secret = settings.zalo_oa_secret
    facebook_app_secret = settings.facebook_app_secret
    facebook_verify_token = settings.facebook_verify_token
    webhook_max_age = timedelta(seconds=settings.webhook_max_age_seconds)

    def refuse(channel: Channel, code: int, reason: str, detail: object) -> HTTPException:
        metrics.rejected.labels(channel.value, reason).inc()
        return HTTPException(status_code=code, detail=detail)

    async def read_body(
        request: Request, channel: Channel, allowed: tuple[str, ...], endpoint: Endpoint
    ) -> bytes:
        declared = _content_type(request)
        if declared not in allowed:
            raise refuse(
                channel, 415, "unsupported_media_type",
                f"send {' or '.join(allowed)}, not {declared or 'no content type'}",
            )  # fmt: skip
        limit = settings.body_limit(endpoint)
        too_large = f"{endpoint} submissions are limited to {limit} bytes; this one is larger"
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            raise refuse(channel, 413, "too_large", too_large)
        # Counted while streaming: a client may send more than its Content-Length says, or none.
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise refuse(channel, 413, "too_large", too_large)
        return bytes(body)

    async def accept(
        channel: Channel,
        payload: bytes,
        content_type: str,
        source_ref: str | None,
        key: str | None = None,
        fingerprint: str | None = None,
        reused: str = "",
    ) -> Receipt:
        try:
            return await acceptor.accept(
                channel, payload, content_type, source_ref, key=key, fingerprint=fingerprint
            )
        except RecordTooLargeError as error:
            # Kafka will never take it: retrying is useless, the caller must send less.
            raise refuse(channel, 413, "too_large", f"too large to store: {error}") from error
        except SourceReusedError as error:
            # Not the first submitter's ids: they would go to whoever reused the reference.
            raise HTTPException(status.HTTP_409_CONFLICT, detail=reused) from error
        except TRANSIENT_ERRORS as error:
            # Not accepted, so nothing is lost: the caller is told to try again.
            log.error("raw record not written; answering 503", extra={"error": str(error)})
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail="intake cannot store submissions right now; retry shortly",
                headers={"Retry-After": "5"},
            ) from error

    def answer(receipt: Receipt, response: Response, *, joined: Earlier | None = None) -> Accepted:
        """The receipt's ids, or those of the item a reply `joined`."""
        # A provider's retry is answered 200 with the first item's ids; a new item 202.
        response.status_code = 200 if receipt.duplicate else 202
        if joined is not None:
            return Accepted(id=joined.item_id, tracking_code=joined.tracking_code)
        return Accepted(id=receipt.id, tracking_code=receipt.tracking_code)

    async def sent_before(receipt: Receipt, *, contacts: Contacts, text: str) -> Earlier | None:
        """The first item, when this citizen sent the same matter before. The raw record is
        written either way; the normaliser, by the same rule, makes it a message on that item,
        so the words are read as the item reads them (old fonts repaired, cut to the limit)."""
        return await resends.earlier(
            contacts=contacts,
            text=feedback_text(text, subject=None, max_chars=rules.max_text_chars).normalised,
            at=clock(),
            item_id=receipt.id,
        )

    def invalid(channel: Channel, error: ValidationError) -> HTTPException:
        return refuse(
            channel, 422, "invalid",
            error.errors(include_url=False, include_context=False, include_input=False),
        )  # fmt: skip

    # Citizens' contacts and the Front's own work: operators and admins (or the machine token).
    signed_in = actor_guard(settings.operator_token, verifier(settings.person_token_secret, clock))
    operator = operators_only(signed_in)
    Operator = Annotated[Who, Depends(operator)]
    # Photos: the body fixing the road needs them too. The console proxies only the photos of
    # an item its viewer may read; the ids are the photos' hashes, not guessable.
    Staff = Annotated[Who, Depends(signed_in)]

    def actor_of(who: Who, given: str | None) -> str:
        """Who a task says acted: the verified person, never a field of the body."""
        return who.named(given) if isinstance(who, Machine) else who.actor

    class TooManyError(Exception):
        def __init__(self, retry_after: int) -> None:
            super().__init__(retry_after)
            self.retry_after = retry_after

    async def within_limits(channel: Channel, request: Request, *contacts: Contacts) -> None:
        """Count this submission against its sender's address and the contacts it names.

        Counted in the store, not in this process: a per-process count would let one victim be
        sent N times the limit by N replicas behind a load balancer, and forget it at a restart.
        Raises `TooManyError` with the seconds until the window ends.
        """
        window = window_at(clock(), seconds=settings.rate_window_seconds)
        ip = request.client.host if request.client else "unknown"
        named = dict.fromkeys(key for c in contacts for key in keys.contact_keys(c))
        checks = [(f"contact:{key}", settings.rate_per_contact) for key in named]
        if ip not in settings.rate_exempt_ips:
            checks.insert(0, (f"ip:{ip}", settings.rate_per_ip))
        for key, cap in checks:
            if not cap:
                continue
            try:
                hits = await store.count_hit(key, window.index)
            except TRANSIENT_ERRORS as error:
                # Refusing every citizen while the store is down would be worse than a burst.
                log.warning("rate limit unavailable", extra={"error": repr(error)})
                return
            if hits > cap:
                metrics.rejected.labels(channel.value, "rate_limited").inc()
                log.warning(
                    "rate limit reached",
                    extra={"channel": channel.value, "limit": key.split(":", 2)[1]},
                )
                raise TooManyError(window.retry_after)

    async def limited(channel: Channel, request: Request, *contacts: Contacts) -> None:
        try:
            await within_limits(channel, request, *contacts)
        except TooManyError as error:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail="too many submissions from this address or for this contact; "
                f"try again in {error.retry_after} s",
                headers={"Retry-After": str(error.retry_after)},
            ) from error

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
        responses={200: {}, 409: {}, 413: {}, 415: {}, 422: {}, 429: {}, 503: {}},
    )
    async def intake_web(
        request: Request,
        response: Response,
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> Accepted:
        body = await read_body(request, Channel.WEB, (WEB_CONTENT_TYPE,), "web")
        try:
            submission = WebSubmission.model_validate_json(body)
        except ValidationError as error:
            raise invalid(Channel.WEB, error) from error
        contacts = Contacts(email=submission.email, phone=submission.phone)
        await limited(Channel.WEB, request, contacts)
        receipt = await accept(
            Channel.WEB, body, WEB_CONTENT_TYPE, idempotency_key,
            fingerprint=json_fingerprint(body),
            reused="this Idempotency-Key was used for another submission: "
            "send a new submission with a new key",
        )  # fmt: skip
        earlier = await sent_before(receipt, contacts=contacts, text=submission.text)
        if earlier is not None:
            response.status_code = 200
            return Accepted(
                id=earlier.item_id, tracking_code=earlier.tracking_code, already_sent=True
            )
        return answer(receipt, response)

    @router.post(
        "/v1/intake/web/photos",
        status_code=202,
        tags=["intake"],
        summary="Accept feedback from the web form with photos (multipart/form-data)",
        description=f"Parts: `submission`, the JSON `POST /v1/intake/web` takes; `photo`, up to "
        f"{MAX_PHOTOS} files (JPEG, PNG, WebP or HEIC by their bytes, each at most 5 MB). The "
        "photos are stored (metadata stripped) before the answer; the event carries their ids.",
        responses={200: {}, 409: {}, 413: {}, 415: {}, 422: {}, 429: {}, 503: {}},
    )
    async def intake_web_photos(
        request: Request,
        response: Response,
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> Accepted:
        body = await read_body(request, Channel.WEB, ("multipart/form-data",), "web_photos")
        submission, uploads = await _web_parts(request, body)
        try:
            photos = accept_photos(uploads)
        except PhotoRefusedError as refused:
            # The reason is a code too, so the console can say it in the citizen's language.
            raise refuse(
                Channel.WEB, 422, refused.reason,
                {"reason": refused.reason, "detail": refused.detail,
                 "filename": refused.filename},
            ) from refused  # fmt: skip
        contacts = Contacts(email=submission.email, phone=submission.phone)
        await limited(Channel.WEB, request, contacts)
        stored = WebWithPhotos(
            submission=submission,
            attachments=tuple(
                Attachment(
                    id=p.content_id,
                    sha256=p.sha256,
                    filename=p.filename,
                    content_type=p.content_type,
                    size=len(p.data),
                )
                for p in photos
            ),
        )
        ids = [p.content_id for p in photos]
        try:
            # The bytes first: once the raw record is on Kafka its item names them.
            for photo in photos:
                await attachments.keep(photo, at=clock())
        except TRANSIENT_ERRORS as error:
            log.error("photos not stored; answering 503", extra={"error": str(error)})
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail="intake cannot store photos right now; retry shortly",
                headers={"Retry-After": "5"},
            ) from error
        raw = stored.model_dump_json(exclude_none=True).encode()
        receipt = await accept(
            Channel.WEB, raw, WEB_PHOTOS_CONTENT_TYPE, idempotency_key,
            fingerprint=json_fingerprint(raw),
            reused="this Idempotency-Key was used for another submission: "
            "send a new submission with a new key",
        )  # fmt: skip
        try:
            await attachments.link(ids, receipt.id)
        except TRANSIENT_ERRORS as error:
            # The item exists; the same key again links its photos and answers its ids.
            log.error("photos not linked; answering 503", extra={"error": str(error)})
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail="intake cannot store photos right now; retry with the same key",
                headers={"Retry-After": "5"},
            ) from error
        earlier = await sent_before(receipt, contacts=contacts, text=submission.text)
        if earlier is not None:
            await attachments.link(ids, earlier.item_id)
            response.status_code = 200
            return Accepted(
                id=earlier.item_id, tracking_code=earlier.tracking_code, already_sent=True
            )
        return answer(receipt, response)

    async def _web_parts(request: Request, body: bytes) -> tuple[WebSubmission, list[Upload]]:
        async def once() -> AsyncGenerator[bytes]:
            yield body

        try:
            parts = await MultiPartParser(
                request.headers, once(), max_files=MAX_PHOTOS * 2, max_fields=10
            ).parse()
        except (MultiPartException, ValueError) as error:
            raise refuse(Channel.WEB, 400, "malformed", f"unreadable form: {error}") from error
        try:
            raw = parts.get("submission")
            if not isinstance(raw, str):
                raise refuse(Channel.WEB, 422, "invalid", "the `submission` part (JSON) is missing")
            try:
                submission = WebSubmission.model_validate_json(raw)
            except ValidationError as error:
                raise invalid(Channel.WEB, error) from error
            uploads = []
            for value in parts.getlist("photo"):
                if isinstance(value, str):
                    raise refuse(Channel.WEB, 422, "invalid", "`photo` parts must be files")
                uploads.append(Upload(filename=value.filename, data=await value.read()))
            return submission, uploads
        finally:
            await parts.close()

    @router.post(
        "/v1/intake/email",
        status_code=202,
        tags=["intake"],
        summary="Accept one raw email (RFC 5322), e.g. from a mail pipe",
        openapi_extra={"requestBody": {"required": True, "content": {EMAIL_CONTENT_TYPE: {}}}},
        responses={200: {}, 400: {}, 409: {}, 413: {}, 415: {}, 429: {}, 503: {}},
    )
    async def intake_email(request: Request, response: Response) -> Accepted:
        body = await read_body(request, Channel.EMAIL, (EMAIL_CONTENT_TYPE,), "email")
        try:
            headers = BytesHeaderParser(policy=default_policy).parsebytes(body)
            sender = headers.get("From")
            ids = message_ids(str(headers.get("Message-ID") or "")) or (None,)
            hints = reply_hints(headers)
        except Exception as error:  # the stdlib raises several types on hostile headers
            raise refuse(Channel.EMAIL, 400, "malformed", f"unreadable headers: {error}") from error
        if not body.strip() or sender is None:
            raise refuse(Channel.EMAIL, 400, "malformed", "not an email: no From header")
        # Acknowledgements go to From (or Reply-To): those are the contacts to count.
        addresses = getaddresses([str(sender), str(headers.get("Reply-To") or "")])
        await limited(Channel.EMAIL, request, *(Contacts(email=a) for _, a in addresses))
        receipt = await accept(
            Channel.EMAIL, body, EMAIL_CONTENT_TYPE, ids[0],
            fingerprint=email_fingerprint(body),
            reused="this Message-ID was already used by another message",
        )  # fmt: skip
        target = await reply_target(
            items=items,
            store=store,
            sender=Contacts(email=hints.sender),
            code=hints.code,
            refs=hints.refs,
        )
        # A reply becomes a message on the item it answers, never an item of its own: the
        # citizen is told the code they already have.
        return answer(receipt, response, joined=target)

    @router.post(
        "/v1/intake/calls",
        tags=["intake"],
        summary="Import a call log: Asterisk Master.csv, Asterisk queue_log, or a mapped CSV",
        openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {}}}},
        responses={401: {}, 413: {}, 415: {}, 422: {}, 503: {}},
        # Operators only: an open import would let anyone fabricate calls, and re-sending a
        # known call id would hand out that citizen's tracking code.
        dependencies=[Depends(operator)],
    )
    async def intake_calls(
        request: Request, log_format: Annotated[str, Query(alias="format")] = "asterisk-cdr"
    ) -> CallLogAnswer:
        if log_format not in CALL_FORMATS:
            raise refuse(Channel.PHONE, 422, "invalid", f"format is one of {CALL_FORMATS}")
        body = await read_body(request, Channel.PHONE, CALL_LOG_TYPES, "calls")
        charset = _charset(request) or "utf-8"
        if text_codec(charset) is None:
            raise refuse(
                Channel.PHONE, 415, "unsupported_charset", f"charset {charset} is no text encoding"
            )
        text, _ = decode_declared(body.removeprefix(b"\xef\xbb\xbf"), charset)
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
        responses={200: {}, 401: {}, 413: {}, 415: {}, 422: {}, 503: {}},
        dependencies=[Depends(operator)],
    )
    async def intake_manual_call(request: Request, response: Response) -> Accepted:
        body = await read_body(request, Channel.PHONE, ("application/json",), "manual_call")
        try:
            call = ManualCall.model_validate_json(body).record(clock())
        except ValidationError as error:
            raise invalid(Channel.PHONE, error) from error
        payload = call.model_dump_json().encode()
        receipt = await accept(Channel.PHONE, payload, CALL_CONTENT_TYPE, call.call_id)
        return answer(receipt, response)

    async def once(
        channel: Channel,
        signature: str,
        sent_at: datetime | None,
        take: Callable[[], Awaitable[Receipt]],
    ) -> None:
        """Take a verified webhook in if it is fresh and was not taken in before.

        Only what the provider signed counts: its own timestamp, held against our clock, stops a
        captured request from being replayed later; within the tolerance, its signature (the
        same body signs the same) marks it as taken. The mark is stored, and written only once
        the raw record is on Kafka: a provider retrying after our 503 is still taken in, and
        two copies racing each other are both published, which the normaliser's insert-first
        makes one item.
        """
        if sent_at is None:
            raise refuse(channel, 400, "malformed", "no provider timestamp in a signed webhook")
        if abs(clock() - sent_at) > webhook_max_age:
            raise refuse(
                channel, 403, "stale",
                f"timestamp {sent_at.isoformat()} is more than "
                f"{webhook_max_age.total_seconds():.0f} s from now: refused as a replay",
            )  # fmt: skip
        replay = keys.webhook_key(channel, signature)
        try:
            seen = await store.claimed(replay)
        except TRANSIENT_ERRORS as error:
            # A defence, not the door: while the store is down the fresh webhook is taken in.
            log.warning("replay check unavailable", extra={"error": repr(error)})
            seen = False
        if seen:
            # Acknowledged, as providers require, but not taken in a second time.
            metrics.duplicates.labels(channel.value).inc()
            log.info("webhook replayed; acknowledged", extra={"channel": channel.value})
            return
        await take()
        try:
            await store.claim(replay)
        except TRANSIENT_ERRORS as error:
            log.warning("replay mark not stored", extra={"error": repr(error)})

    async def verified(channel: Channel, header: str | None, check: Callable[[], None]) -> None:
        try:
            check()
        except BadSignatureError as error:
            code = 401 if not header else 403
            raise refuse(channel, code, "bad_signature", str(error)) from error
        except ValueError as error:
            raise refuse(channel, 400, "malformed", f"not JSON: {error}") from error

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
        body = await read_body(request, Channel.ZALO, ("application/json",), "zalo")
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
        envelope = zalo_envelope(body)  # JSON, as the signature check found
        await once(
            Channel.ZALO,
            (x_zevent_signature or "").strip().lower(),
            envelope.sent_at,
            lambda: accept(Channel.ZALO, body, "application/json", None, key=envelope.key),
        )
        return Received()

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
        body = await read_body(request, Channel.FACEBOOK, ("application/json",), "facebook")
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
            envelope = facebook_envelope(body)
        except ValueError as error:
            raise refuse(Channel.FACEBOOK, 400, "malformed", f"not JSON: {error}") from error
        await once(
            Channel.FACEBOOK,
            (x_hub_signature_256 or "").strip().lower(),
            envelope.sent_at,
            lambda: accept(Channel.FACEBOOK, body, "application/json", None, key=envelope.key),
        )
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
        responses={400: {}, 413: {}, 415: {}, 429: {}, 503: {}},
    )
    async def open311_create(request: Request) -> JSONResponse | list[Open311Receipt]:
        allowed = (FORM_CONTENT_TYPE, "application/json")
        content_type = _content_type(request)
        body = await read_body(request, Channel.OPEN311, allowed, "open311")
        try:
            filed = Open311Request.model_validate(read_open311(body, content_type))
        except (ValueError, UnicodeDecodeError) as error:
            metrics.rejected.labels(Channel.OPEN311.value, "invalid").inc()
            # GeoReport v2 errors are a list of {code, description}.
            return JSONResponse([{"code": 400, "description": str(error)[:1000]}], 400)
        contacts = Contacts(email=filed.email, phone=filed.phone)
        try:
            await within_limits(Channel.OPEN311, request, contacts)
        except TooManyError as error:
            description = f"too many requests; try again in {error.retry_after} s"
            return JSONResponse(
                [{"code": 429, "description": description}],
                429,
                headers={"Retry-After": str(error.retry_after)},
            )
        receipt = await accept(Channel.OPEN311, body, content_type, None)
        earlier = await sent_before(receipt, contacts=contacts, text=filed.description)
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
        "/v1/attachments/{attachment_id}",
        tags=["operator"],
        summary="A photo a citizen attached, for staff (never public)",
        response_class=Response,
        responses={200: {"content": {"image/*": {}}}, 403: {}, 404: {}},
        dependencies=[Depends(signed_in)],
    )
    async def get_attachment(attachment_id: str, who: Staff) -> Response:
        found = await attachments.get(attachment_id[:100])
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such attachment")
        if isinstance(who, Person) and who.province_code:
            # The province rule of the items it came with, as for the item itself.
            linked = [await items.get(UUID(i)) for i in found.item_ids]
            provinces = {i.location.province_hint for i in linked if i is not None}
            if provinces and not provinces & {None, who.province_code}:
                raise forbidden(
                    f"this photo came with an item outside your Front's province "
                    f"{who.province_code}"
                )
        return Response(
            found.data,
            media_type=found.content_type,
            headers={
                # Staff only: no shared cache may keep a citizen's photo.
                "Cache-Control": "private, max-age=3600",
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'",
                "ETag": f'"{found.sha256}"',
            },
        )

    @router.get(
        "/v1/feedback/{item_id}",
        tags=["operator"],
        summary="The normalised item, as published",
        dependencies=[Depends(operator)],
    )
    async def get_feedback(item_id: UUID, who: Operator) -> StoredItem:
        item = await items.get(item_id)
        if item is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such item (yet)")
        # Intake knows an item's province (its channel's), not its commune: a commune's Front
        # is held to its province here, and to its commune by the router.
        province = item.location.province_hint
        if (
            isinstance(who, Person)
            and who.province_code
            and province not in (None, who.province_code)
        ):
            raise forbidden(
                f"this item came in for province {province}, outside your Front's "
                f"province {who.province_code}"
            )
        first = await items.get(item.duplicate_of) if item.duplicate_of else None
        added = await store.events_of_item("messages", FeedbackMessageAdded, item.item_id)
        return StoredItem.model_validate(
            {
                **item.model_dump(),
                "duplicate_of_tracking_code": first.tracking_code if first else None,
                "messages": added,
            }
        )

    @router.get(
        "/v1/feedback/by-source/{channel}/{source_ref:path}",
        tags=["operator"],
        summary="The item a provider message became (Zalo msg_id, Messenger mid, Message-ID...)",
        dependencies=[Depends(operator)],
    )
    async def get_feedback_by_source(
        channel: Channel, source_ref: str, who: Operator
    ) -> StoredItem:
        item_id, _ = acceptor.identity(channel, source_ref)
        return await get_feedback(item_id, who)

    @router.get(
        "/v1/operator/tasks",
        tags=["operator"],
        summary="Every operator task (missed calls, call-backs, unreachable citizens, unknown "
        "deliveries), newest first",
        dependencies=[Depends(operator)],
    )
    async def list_tasks(
        state: TaskState | None = None,
        kind: TaskKind | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[TaskView]:
        found = await tasks.find(state=state, kind=kind, limit=limit)
        return [TaskView.of(task) for task in found]

    async def change_task(task_id: str, change: Callable[[Task], Task]) -> TaskView:
        task = await tasks.get(task_id)
        if task is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no task {task_id}")
        try:
            changed = change(task)
        except IllegalTransitionError as error:
            raise HTTPException(status.HTTP_409_CONFLICT, detail=str(error)) from error
        if not await tasks.save(changed):
            raise HTTPException(
                status.HTTP_409_CONFLICT, detail=f"task {task_id} changed meanwhile; reload it"
            )
        return TaskView.of(changed)

    @router.post(
        "/v1/operator/tasks/{task_id}/assign",
        tags=["operator"],
        summary="Take a task (or hand it to a colleague)",
        responses={404: {}, 409: {}},
        dependencies=[Depends(operator)],
    )
    async def assign_task(task_id: str, command: AssignTask, who: Operator) -> TaskView:
        actor = actor_of(who, command.actor)
        return await change_task(
            task_id,
            lambda task: assign(task, actor=actor, assignee=command.assignee or actor, at=clock()),
        )

    @router.post(
        "/v1/operator/tasks/{task_id}/done",
        tags=["operator"],
        summary="Close a task, with an optional note of what was done",
        responses={404: {}, 409: {}},
        dependencies=[Depends(operator)],
    )
    async def finish_task(task_id: str, command: FinishTask, who: Operator) -> TaskView:
        actor = actor_of(who, command.actor)
        return await change_task(
            task_id, lambda task: finish(task, actor=actor, at=clock(), note=command.note)
        )

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
