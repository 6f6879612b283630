"""Open311 GeoReport v2 at `/open311/v2/`, no sign-in for reads: the router's categories as
services, the read model's items as service requests, and `POST requests` (with an `api_key`
from the console's settings) forwarded to intake's `POST /v1/open311/requests`.

Every answer is JSON or XML as the path's suffix says; every refusal is the spec's error list
with the matching HTTP status (never a 5xx but 503 when intake or the router is away). The list
of `GET requests` holds only the items whose citizens consented to publication: a tracking code
is what lets its holder follow and rate an item, so the others' codes are not listed, only found
one by one (`requests/{code}`, `service_request_id=`), rate-limited like the status page.
"""

import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import SecretStr

from hoiam_console.domain.open311 import (
    FORMATS,
    Category,
    Open311Error,
    RequestQuery,
    ServiceRequest,
    discovery,
    discovery_xml,
    errors_json,
    errors_xml,
    json_rows,
    request_query,
    service_request,
    services_of,
    statuses_of,
    xml_document,
    xml_single,
)
from hoiam_console.public import Public
from hoiam_console.web import client_address

log = logging.getLogger(__name__)

BASE = "/open311/v2"
CHANGESET = datetime(2026, 12, 2, tzinfo=UTC)
"""When this endpoint's shape last changed (the discovery document's `changeset`)."""
MAX_POST_BYTES = 64 * 1024
FORM = "application/x-www-form-urlencoded"
POSTED_FIELDS = (
    "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id", "email",
    "device_id", "account_id", "first_name", "last_name", "phone", "description", "media_url",
)  # fmt: skip
"""The fields of GeoReport's `POST requests` passed on to intake (never `api_key`)."""


class Open311Upstream(Protocol):
    async def categories(self) -> list[Category]:
        """The router's categories; Open311Error(503) when it cannot be asked."""
        ...

    async def create(self, fields: Mapping[str, str]) -> list[dict[str, Any]]:
        """Intake's answer to a GeoReport POST; Open311Error with its status on a refusal."""
        ...


@dataclass(frozen=True, slots=True)
class Open311Deps:
    upstream: Open311Upstream
    api_keys: Mapping[str, SecretStr]
    """Name of the client application → its key (`HOIAM_CONSOLE_OPEN311_API_KEYS`)."""
    contact: str = ""


def _description(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return str(body[0].get("description", ""))[:1000]
    if isinstance(body, dict):
        return str(body.get("detail", ""))[:1000]
    return str(body)[:300]


class HttpOpen311Upstream:
    """The router's `GET /v1/categories` (kept five minutes) and intake's Open311 endpoint."""

    CACHE_SECONDS = 300.0

    def __init__(
        self,
        *,
        intake_url: str,
        router_url: str,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._intake = intake_url.rstrip("/")
        self._router = router_url.rstrip("/")
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._categories: tuple[float, list[Category]] | None = None

    async def close(self) -> None:
        await self._client.aclose()

    async def _send(self, method: str, url: str, **options: Any) -> httpx.Response:
        try:
            response = await self._client.request(method, url, **options)
        except httpx.HTTPError as error:
            raise Open311Error(503, "the service is unavailable; try again shortly") from error
        if response.status_code >= 500:
            log.warning(
                "open311 upstream failed", extra={"url": url, "status": response.status_code}
            )
            raise Open311Error(503, "the service is unavailable; try again shortly")
        if response.status_code >= 400:
            raise Open311Error(response.status_code, _description(response))
        return response

    async def categories(self) -> list[Category]:
        if self._categories is not None and time.monotonic() - self._categories[0] < (
            self.CACHE_SECONDS
        ):
            return self._categories[1]
        response = await self._send("GET", f"{self._router}/v1/categories")
        found = [Category.model_validate(c) for c in response.json()]
        self._categories = (time.monotonic(), found)
        return found

    async def create(self, fields: Mapping[str, str]) -> list[dict[str, Any]]:
        response = await self._send(
            "POST",
            f"{self._intake}/v1/open311/requests",
            content=urlencode(dict(fields)).encode(),
            headers={"Content-Type": FORM},
        )
        found = response.json()
        if not isinstance(found, list):
            raise Open311Error(503, "the service is unavailable; try again shortly")
        return found


def _split(resource: str) -> tuple[str, str]:
    """`requests.json` → (`requests`, `json`); Open311Error(404) for another format."""
    name, dot, suffix = resource.rpartition(".")
    if not dot or suffix.lower() not in FORMATS:
        raise Open311Error(404, "append .json or .xml to the resource")
    return name, suffix.lower()


def _answer(fmt: str, root: str, item: str, rows: Sequence[Mapping[str, object]]) -> Response:
    if fmt == "xml":
        return Response(xml_document(root, item, rows), media_type=FORMATS["xml"])
    return JSONResponse(list(rows))


def _refusal(error: Open311Error, fmt: str, retry_after: int | None = None) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    if fmt == "xml":
        return Response(
            errors_xml(error), status_code=error.code, media_type=FORMATS["xml"], headers=headers
        )
    return JSONResponse(errors_json(error), status_code=error.code, headers=headers)


def _format_of(path: str) -> str:
    return "xml" if path.lower().endswith(".xml") else "json"


class Open311:
    """What the endpoints do, apart from HTTP."""

    def __init__(self, *, public: Public, deps: Open311Deps) -> None:
        self.public = public
        self.upstream = deps.upstream
        self.api_keys = deps.api_keys
        self.contact = deps.contact

    def client_of(self, api_key: str | None) -> str:
        """The application `api_key` belongs to; Open311Error(403) for none or an unknown one."""
        given = (api_key or "").encode()
        for name, key in self.api_keys.items():
            if given and hmac.compare_digest(given, key.get_secret_value().encode()):
                return name
        raise Open311Error(403, "invalid api_key received -- can't proceed with create_request")

    async def limit(self, key: str) -> None:
        wait = await self.public.lookups.hit(key)
        if wait is not None:
            raise TooManyError(wait)

    async def services(self) -> list[dict[str, object]]:
        return json_rows(services_of(await self.upstream.categories()))

    async def definition(self, code: str) -> dict[str, object]:
        if code not in {c.code for c in await self.upstream.categories()}:
            raise Open311Error(404, f"no service has the code {code[:100]!r}")
        return {"service_code": code, "attributes": []}

    async def one(self, code: str, ip: str) -> ServiceRequest:
        await self.limit(f"lookup:{ip}")
        found = await self.public.find(code)
        if found is None:
            raise Open311Error(404, f"no service request has the id {code[:40]!r}")
        return service_request(found)

    async def search(self, query: RequestQuery, ip: str) -> list[ServiceRequest]:
        if query.ids:
            found = []
            for code in query.ids:
                try:
                    found.append(await self.one(code, ip))
                except Open311Error as error:
                    if error.code != 404:
                        raise
            return found
        await self.limit(f"open311:{ip}")
        records = await self.public.read_model.find_requests(
            received_from=query.start,
            received_to=query.end,
            category_codes=query.service_codes or None,
            statuses=statuses_of(query.statuses),
            published_only=True,
            skip=(query.page - 1) * query.page_size,
            limit=query.page_size,
        )
        return [service_request(r) for r in records]

    async def create(self, fields: Mapping[str, str]) -> list[dict[str, object]]:
        client = self.client_of(fields.get("api_key"))
        code = (fields.get("service_code") or "").strip()
        if not code:
            raise Open311Error(400, "service_code is required")
        try:
            known = {c.code for c in await self.upstream.categories()}
        except Open311Error:
            known = None  # the router is away: intake still takes it, the router classifies
        if known is not None and code not in known:
            raise Open311Error(400, f"service_code {code[:100]!r} is not a service of this API")
        passed = {k: v for k, v in fields.items() if k in POSTED_FIELDS and v.strip()}
        answer = await self.upstream.create(passed)
        log.info("open311 request created", extra={"client": client, "service_code": code})
        return [
            {
                "service_request_id": str(row.get("service_request_id", "")),
                "service_notice": row.get("service_notice"),
                "account_id": row.get("account_id"),
            }
            for row in answer
            if isinstance(row, dict)
        ]


class TooManyError(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry in {retry_after} s")
        self.retry_after = retry_after


async def _form(request: Request) -> dict[str, str]:
    declared = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if declared != FORM:
        raise Open311Error(400, f"post the fields form-encoded ({FORM})")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_POST_BYTES:
            raise Open311Error(413, f"a request is limited to {MAX_POST_BYTES} bytes")
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=False))
    except UnicodeDecodeError:
        raise Open311Error(400, "the form is not UTF-8") from None


def open311_routes(open311: Open311) -> APIRouter:
    api = APIRouter(prefix=BASE, tags=["open311"])

    async def answering(fmt: str, work: Callable[[], Awaitable[Response]]) -> Response:
        """`work`'s answer, or its refusal in the spec's shape and the format asked for."""
        try:
            return await work()
        except Open311Error as error:
            return _refusal(error, fmt)
        except TooManyError as error:
            return _refusal(Open311Error(429, str(error)), fmt, error.retry_after)

    @api.get("/{resource}", summary="GeoReport v2: discovery, services, requests (.json|.xml)")
    async def listing(request: Request, resource: str) -> Response:
        async def work() -> Response:
            name, fmt = _split(resource)
            if name == "discovery":
                document = discovery(
                    base_url=str(request.base_url).rstrip("/") + BASE,
                    contact=open311.contact,
                    changeset=CHANGESET,
                )
                if fmt == "xml":
                    return Response(discovery_xml(document), media_type=FORMATS["xml"])
                return JSONResponse(document)
            if name == "services":
                return _answer(fmt, "services", "service", await open311.services())
            if name == "requests":
                query = request_query(request.query_params, now=open311.public.clock())
                found = await open311.search(query, client_address(request))
                return _answer(fmt, "service_requests", "request", json_rows(found))
            raise Open311Error(404, f"no resource {name[:40]!r} here")

        return await answering(_format_of(resource), work)

    @api.get("/services/{resource}", summary="GeoReport v2: a service's definition")
    async def definition(resource: str) -> Response:
        async def work() -> Response:
            code, fmt = _split(resource)
            found = await open311.definition(code)
            if fmt == "xml":
                return Response(xml_single("service_definition", found), media_type=FORMATS["xml"])
            return JSONResponse(found)

        return await answering(_format_of(resource), work)

    @api.get("/requests/{resource}", summary="GeoReport v2: one service request")
    async def one(request: Request, resource: str) -> Response:
        async def work() -> Response:
            code, fmt = _split(resource)
            found = await open311.one(code, client_address(request))
            return _answer(fmt, "service_requests", "request", json_rows([found]))

        return await answering(_format_of(resource), work)

    @api.post(
        "/{resource}",
        summary="GeoReport v2: create a service request (form-encoded, with api_key)",
        status_code=201,
    )
    async def create(request: Request, resource: str) -> Response:
        async def work() -> Response:
            name, fmt = _split(resource)
            if name != "requests":
                raise Open311Error(404, f"nothing to post to at {name[:40]!r}")
            created = await open311.create(await _form(request))
            answer = _answer(fmt, "service_requests", "request", created)
            answer.status_code = 201
            return answer

        return await answering(_format_of(resource), work)

    return api
