"""The public side of the console, no sign-in: a citizen files on `/`, follows on `/t/{code}`
and rates the answer. Every lookup of a code is rate-limited per client address (codes must not
be enumerable), and nothing personal is shown (`domain.public`)."""

import hmac
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from prometheus_client import CollectorRegistry, Counter
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.datastructures import UploadFile

from hoiam_console.domain.public import (
    Rating,
    RatingRefusedError,
    may_rate,
    public_item,
)
from hoiam_console.domain.readmodel import ItemRecord, changes_of
from hoiam_console.i18n import translate
from hoiam_console.limits import Limiter
from hoiam_console.ports import RatingStore, ReadModel
from hoiam_console.public_upstream import (
    PhotoFile,
    PhotoRefusedError,
    PlaceOption,
    PublicUpstream,
)
from hoiam_console.upstream import UpstreamError
from hoiam_console.web import Web, client_address
from hoiam_shared.clock import Clock
from hoiam_shared.events import ItemRated
from hoiam_shared.kafka import EventPublisher
from hoiam_shared.topics import FEEDBACK_RATINGS, Topics

log = logging.getLogger(__name__)

CSRF_COOKIE = "hoiam_public_csrf"

TRACKING_CODE = re.compile(r"^HA-[0-9A-Z]{4}-[0-9A-Z]{4}$")
"""The shape intake gives codes (HA-XXXX-XXXX); anything else is unknown without a lookup."""


class RatingRequest(BaseModel):
    """`POST /api/v1/public/items/{code}/rating`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    score: int = Field(ge=1, le=5)
    reason: str | None = Field(default=None, max_length=2000)


class Unavailable(Exception):
    """The rating could not be published (the broker is down): nothing was kept, try again."""


@dataclass(frozen=True, slots=True)
class PublicDeps:
    """What the public pages need beside what the signed-in pages have."""

    lookups: Limiter
    ratings: RatingStore
    upstream: PublicUpstream


FORM_FIELDS = (
    "text", "name", "email", "phone", "answer_by", "province", "place_q", "commune", "address",
    "consent", "publication_consent", "submission_id",
)  # fmt: skip


class Filing(BaseModel):
    """The form as the console checks it before intake does (intake checks again, and
    normalises the contacts)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    text: str = Field(min_length=3, max_length=20_000)
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=40, pattern=r"^[+0-9 .()-]{6,40}$")
    answer_by: Literal["email", "phone", "zalo"] | None = None
    address: str | None = Field(default=None, max_length=500)
    consent: bool = False
    publication_consent: bool = False

    @model_validator(mode="after")
    def _reachable(self) -> "Filing":
        if self.answer_by == "email" and not self.email:
            raise ValueError("to be answered by email, give an email address")
        if self.answer_by == "phone" and not self.phone:
            raise ValueError("to be answered by phone, give a phone number")
        if self.answer_by == "zalo" and not self.phone:
            raise ValueError("to be answered on Zalo, give the phone number of your Zalo account")
        return self


MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 5 * 1024 * 1024
"""Intake's limits (it decides, by the bytes); checked here first only so that the console
neither holds nor forwards more than intake would take."""


class PhotosRefusedError(Exception):
    def __init__(self, reason: str, name: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.name = name


async def chosen_photos(values: list[UploadFile | str]) -> list[PhotoFile]:
    """The files of the form's `photo` field; an empty field (no photo chosen) is none."""
    files = [v for v in values if not isinstance(v, str) and (v.filename or v.size)]
    if len(files) > MAX_PHOTOS:
        raise PhotosRefusedError("too_many_photos")
    photos = []
    for upload in files:
        data = await upload.read(MAX_PHOTO_BYTES + 1)
        if len(data) > MAX_PHOTO_BYTES:
            raise PhotosRefusedError("photo_too_large", upload.filename)
        photos.append(PhotoFile(upload.filename, data, upload.content_type))
    return photos


def _reasons(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in error.errors()
    )


class Public:
    """The public pages' actions: find an item by its code, rate it."""

    def __init__(
        self,
        *,
        read_model: ReadModel,
        deps: PublicDeps,
        publisher: EventPublisher,
        topics: Topics,
        clock: Clock,
        registry: CollectorRegistry,
    ) -> None:
        self.read_model = read_model
        self.lookups = deps.lookups
        self.ratings = deps.ratings
        self.upstream = deps.upstream
        self.publisher = publisher
        self.topics = topics
        self.clock = clock
        self.ratings_total = Counter(
            "console_ratings_total",
            "Citizens' ratings of answers, by body and score",
            ["body", "score"],
            registry=registry,
        )

    async def find(self, code: str) -> ItemRecord | None:
        wanted = code.strip().upper()
        if not TRACKING_CODE.match(wanted):
            return None
        return await self.read_model.by_tracking_code(wanted)

    async def rate(self, record: ItemRecord, request: RatingRequest) -> Rating:
        """Rate `record` once it was answered, and only once (the store's claim decides
        between two at the same time); the event reopens a low-rated item at the router."""
        why = may_rate(record)
        if why is not None:
            raise RatingRefusedError(why)
        now = self.clock()
        rating = Rating(
            item_id=record.item_id,
            tracking_code=record.tracking_code or "",
            score=request.score,
            reason=request.reason or None,
            body_id=record.body_id,
            body_name=record.body_name,
            rated_at=now,
        )
        if not await self.ratings.claim(rating):
            raise RatingRefusedError("already_rated")
        event = ItemRated(
            occurred_at=now,
            correlation_id=record.item_id,
            item_id=record.item_id,
            tracking_code=rating.tracking_code,
            score=rating.score,
            reason=rating.reason,
            body_id=record.body_id,
            body_name=record.body_name,
            rated_at=now,
        )
        try:
            await self.publisher.publish(
                self.topics.name(FEEDBACK_RATINGS), event, key=record.item_id
            )
        except Exception as error:
            await self.ratings.release(record.item_id)
            log.warning("rating not published", extra={"error": repr(error)})
            raise Unavailable from error
        # The console reads the topic too; applying it now shows the rating on the next page.
        for change in changes_of(event):
            await self.read_model.apply(change)
        self.ratings_total.labels(record.body_id or "none", str(rating.score)).inc()
        return rating


REFUSALS = {
    "not_resolved": "the item has no answer yet: it can be rated once it is resolved",
    "already_rated": "this item was rated already",
}


def public_routes(web: Web, public: Public) -> APIRouter:
    pages = APIRouter()

    def words(request: Request, key: str, **values: object) -> str:
        return translate(key, web.language(request), **values)

    async def limited(request: Request) -> int | None:
        return await public.lookups.hit(f"lookup:{client_address(request)}")

    def too_many(request: Request, wait: int) -> HTMLResponse:
        response = web.render(
            request,
            "public_error.html",
            viewer=None,
            status_code=429,
            status=429,
            reason=words(request, "public.too_many", seconds=wait),
        )
        response.headers["Retry-After"] = str(wait)
        return response

    def status_page(
        request: Request, found: ItemRecord, *, status_code: int = 200, **more: object
    ) -> HTMLResponse:
        token = csrf_token(request)
        response = web.render(
            request,
            "public_status.html",
            viewer=None,
            status_code=status_code,
            item=public_item(found),
            public_csrf=token,
            **more,
        )
        return keep_csrf(response, token, secure=web.cookie_secure)

    async def form_page(
        request: Request,
        form: Mapping[str, str],
        *,
        status_code: int = 200,
        error: str | None = None,
        action: str = "",
    ) -> HTMLResponse:
        kept = {name: form.get(name, "") for name in FORM_FIELDS}
        kept["submission_id"] = kept["submission_id"] or secrets.token_urlsafe(16)
        provinces: list[PlaceOption] = []
        communes: list[PlaceOption] = []
        unavailable = False
        try:
            provinces = await public.upstream.provinces()
            communes = await places_for(kept)
        except UpstreamError:
            unavailable = True  # the address typed in full still files the item
        token = csrf_token(request)
        response = web.render(
            request,
            "public_form.html",
            viewer=None,
            status_code=status_code,
            form=kept,
            provinces=provinces,
            communes=communes,
            places_unavailable=unavailable,
            error=error,
            public_csrf=token,
        )
        return keep_csrf(response, token, secure=web.cookie_secure)

    async def places_for(form: Mapping[str, str]) -> list[PlaceOption]:
        query = form.get("place_q", "").strip()[:200]
        province = form.get("province", "").strip() or None
        if province is not None and not re.fullmatch(r"\d{2}", province):
            province = None
        if len(query) >= 2:
            return await public.upstream.search_places(query, province)
        if province is not None:
            return await public.upstream.communes(province)
        return []

    @pages.get("/", include_in_schema=False, response_class=HTMLResponse)
    async def form(request: Request) -> Response:
        return await form_page(request, {})

    @pages.get("/track", include_in_schema=False)
    async def track(code: str = "") -> Response:
        wanted = code.strip().upper()[:40]
        return RedirectResponse(f"/t/{quote(wanted, safe='-')}" if wanted else "/", 303)

    @pages.post("/", include_in_schema=False, response_class=HTMLResponse)
    async def file(request: Request) -> Response:
        async with request.form(max_files=MAX_PHOTOS + 1, max_fields=40) as posted:
            return await file_posted(
                request,
                {k: v for k, v in posted.items() if isinstance(v, str)},
                posted.getlist("photo"),
            )

    def photo_error(request: Request, reason: str, name: str | None) -> str:
        key = f"public.photo.{reason}"
        if translate(key, "en", name="") == key:  # a reason intake added later: its code
            return words(request, "public.form.bad", why=reason)
        return words(request, key, name=f"«{name}»" if name else "")

    async def file_posted(
        request: Request, fields: dict[str, str], uploads: list[UploadFile | str]
    ) -> Response:
        if not csrf_matches(request, fields.get("csrf_token")):
            return await form_page(
                request, fields, status_code=403, error=words(request, "error.csrf")
            )
        action = fields.get("action", "send")
        if action in ("province", "search"):
            return await form_page(request, fields)
        wait = await public.lookups.hit(f"file:{client_address(request)}")
        if wait is not None:
            return await form_page(
                request,
                fields,
                status_code=429,
                error=words(request, "public.too_many", seconds=wait),
            )
        values = {k: v for k, v in fields.items() if v.strip()}
        try:
            filing = Filing.model_validate(
                values
                | {
                    "consent": fields.get("consent") == "on",
                    "publication_consent": fields.get("publication_consent") == "on",
                }
            )
        except ValidationError as error:
            return await form_page(
                request,
                fields,
                status_code=422,
                error=words(request, "public.form.bad", why=_reasons(error)),
            )
        try:
            photos = await chosen_photos(uploads)
        except PhotosRefusedError as refused:
            return await form_page(
                request,
                fields,
                status_code=413 if refused.reason == "photo_too_large" else 422,
                error=photo_error(request, refused.reason, refused.name),
            )
        try:
            place = await chosen_place(fields)
        except UpstreamError:
            place = None
        address = ", ".join(
            part for part in (filing.address, place.name if place else None,
                              place.province_name if place else None) if part
        )  # fmt: skip
        submission: dict[str, object] = {
            "text": filing.text,
            "name": filing.name,
            "email": filing.email,
            "phone": filing.phone,
            "address": address or None,
            "consent": filing.consent,
            "publication_consent": filing.publication_consent,
            "preferred_channel": filing.answer_by,
        }
        key = f"web-form:{fields.get('submission_id', '')[:64] or secrets.token_urlsafe(16)}"
        try:
            filed = await public.upstream.file(
                {k: v for k, v in submission.items() if v is not None},
                idempotency_key=key,
                photos=photos,
            )
        except PhotoRefusedError as refused:
            return await form_page(
                request,
                fields,
                status_code=422,
                error=photo_error(request, refused.reason, refused.filename),
            )
        except UpstreamError as refused:
            status = refused.status if 400 <= refused.status < 500 else 503
            why = (
                words(request, "public.form.bad", why=refused.detail)
                if status == 422
                else words(request, "public.form.later")
            )
            return await form_page(request, fields, status_code=status, error=why)
        return web.render(
            request,
            "public_filed.html",
            viewer=None,
            status_code=201,
            code=filed.tracking_code,
            already_sent=filed.already_sent,
        )

    async def chosen_place(form: Mapping[str, str]) -> PlaceOption | None:
        code = form.get("commune", "").strip()
        if not code:
            return None
        return next((p for p in await places_for(form) if p.code == code), None)

    @pages.get("/t/{tracking_code}", include_in_schema=False, response_class=HTMLResponse)
    async def status(request: Request, tracking_code: str) -> Response:
        wait = await limited(request)
        if wait is not None:
            return too_many(request, wait)
        found = await public.find(tracking_code)
        if found is None:
            return web.render(
                request,
                "public_error.html",
                viewer=None,
                status_code=404,
                status=404,
                reason=words(request, "public.unknown_code", code=tracking_code[:40]),
            )
        return status_page(request, found, rated=request.query_params.get("rated") == "1")

    @pages.post("/t/{tracking_code}/rating", include_in_schema=False)
    async def rate_form(request: Request, tracking_code: str) -> Response:
        wait = await limited(request)
        if wait is not None:
            return too_many(request, wait)
        fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        if not csrf_matches(request, fields.get("csrf_token")):
            return web.render(
                request,
                "public_error.html",
                viewer=None,
                status_code=403,
                status=403,
                reason=words(request, "error.csrf"),
            )
        found = await public.find(tracking_code)
        if found is None:
            return web.render(
                request,
                "public_error.html",
                viewer=None,
                status_code=404,
                status=404,
                reason=words(request, "public.unknown_code", code=tracking_code[:40]),
            )
        try:
            asked = RatingRequest(
                score=fields.get("score", ""),  # type: ignore[arg-type]
                reason=fields.get("reason") or None,
            )
            await public.rate(found, asked)
        except ValidationError:
            return status_page(
                request, found, status_code=422, rating_error=words(request, "public.rate.bad")
            )
        except RatingRefusedError as refused:
            return status_page(
                request,
                found,
                status_code=409,
                rating_error=words(request, f"public.rate.{refused}"),
            )
        except Unavailable:
            return status_page(
                request, found, status_code=503, rating_error=words(request, "public.rate.later")
            )
        return RedirectResponse(f"/t/{found.tracking_code}?rated=1", status_code=303)

    @pages.get(
        "/api/v1/public/items/{tracking_code}",
        tags=["public"],
        summary="An item's public status (no personal data)",
        responses={404: {}, 429: {}},
    )
    async def status_json(request: Request, tracking_code: str) -> Response:
        wait = await limited(request)
        if wait is not None:
            return _json(429, {"detail": f"too many lookups: retry in {wait} s"}, wait)
        found = await public.find(tracking_code)
        if found is None:
            return _json(404, {"detail": "no item has this tracking code"})
        return JSONResponse(public_item(found).model_dump(mode="json"))

    @pages.post(
        "/api/v1/public/items/{tracking_code}/rating",
        status_code=201,
        tags=["public"],
        summary="Rate a resolved item's answer, once (1 to 5, and why)",
        responses={404: {}, 409: {}, 422: {}, 429: {}, 503: {}},
    )
    async def rate_json(request: Request, tracking_code: str, asked: RatingRequest) -> Response:
        wait = await limited(request)
        if wait is not None:
            return _json(429, {"detail": f"too many requests: retry in {wait} s"}, wait)
        found = await public.find(tracking_code)
        if found is None:
            return _json(404, {"detail": "no item has this tracking code"})
        try:
            rating = await public.rate(found, asked)
        except RatingRefusedError as refused:
            return _json(409, {"detail": REFUSALS[str(refused)], "code": str(refused)})
        except Unavailable:
            return _json(503, {"detail": "the rating could not be recorded now: try again"}, 30)
        return JSONResponse(
            {"tracking_code": rating.tracking_code, "score": rating.score}, status_code=201
        )

    return pages


def csrf_token(request: Request) -> str:
    """The anonymous visitor's CSRF token: the one their cookie holds, else a new one."""
    held = request.cookies.get(CSRF_COOKIE, "")
    return held if len(held) >= 32 else secrets.token_urlsafe(32)


def keep_csrf[R: Response](response: R, token: str, *, secure: bool) -> R:
    response.set_cookie(
        CSRF_COOKIE, token, max_age=24 * 3600, httponly=True, samesite="strict", secure=secure
    )
    return response


def csrf_matches(request: Request, sent: str | None) -> bool:
    """A form of these pages carries the token its visitor's cookie holds (a form posted from
    another site has the cookie, sent by the browser, but cannot read it to fill the field)."""
    held = request.cookies.get(CSRF_COOKIE, "")
    return len(held) >= 32 and sent is not None and hmac.compare_digest(held, sent)


def _json(status: int, body: Mapping[str, object], retry_after: int | None = None) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse(dict(body), status_code=status, headers=headers)
