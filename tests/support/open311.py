"""Open311 GeoReport v2 for tests: the spec's shapes, a client that knows only the spec, and the
console with its Open311 endpoint built on fakes.

The shapes are the element names of the spec's examples (http://wiki.open311.org/GeoReport_v2,
"GET Service List", "GET Service Definition", "POST Service Request", "GET Service Requests",
"Errors"; discovery: http://wiki.open311.org/Service_discovery). The client reads the discovery
document, finds the GeoReport v2 endpoint and its formats, and speaks to it in JSON or XML,
parsing XML by the spec's element names only: it knows nothing of Hồi Âm.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from xml.etree.ElementTree import Element, fromstring

import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from hoiam_console.app import ConsoleParts, build, mount_static
from hoiam_console.domain.open311 import Category, Open311Error
from hoiam_console.limits import InProcessLimiter
from hoiam_console.open311 import Open311Deps
from hoiam_console.public import PublicDeps
from hoiam_console.settings import ConsoleSettings
from support.clock import TestClock
from support.console import (
    FakeUpstream,
    InMemoryAccounts,
    InMemoryFailures,
    InMemoryReadModel,
    InMemorySessions,
    cheap_passwords,
)
from support.public import FakePublicUpstream, InMemoryRatings, RecordingPublisher

SPEC = "http://wiki.open311.org/GeoReport_v2"

SERVICE_FIELDS = (
    "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
)  # fmt: skip
"""`GET services`: `<services><service>` and these children."""

REQUEST_FIELDS = (
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
)  # fmt: skip
"""`GET requests` and `GET requests/{id}`: `<service_requests><request>` and these children."""

CREATED_FIELDS = ("service_request_id", "service_notice", "account_id")
"""`POST requests`: `<service_requests><request>` and these children (realtime services)."""

ERROR_FIELDS = ("code", "description")
"""Errors: `<errors><error>` and these children."""

DISCOVERY_FIELDS = ("changeset", "contact", "key_service", "endpoints")
ENDPOINT_FIELDS = ("specification", "url", "changeset", "type", "formats")

API_KEY = "open311-test-key-0000000000000000"


type Fmt = Literal["json", "xml"]


def parse_xml(body: bytes) -> Element:
    """The server's XML; the server is ours and the test's, not an untrusted party."""
    if not body.startswith(b"<?xml"):
        raise AssertionError("the spec asks for the XML declaration first")
    return fromstring(body)  # noqa: S314  # our own server's answer, in a test


def rows_of(root: Element, *, root_name: str, item: str) -> list[dict[str, str | None]]:
    """`<root><item><a>…</a>…</item>…</root>` → one dict per item, by element name."""
    if root.tag != root_name:
        raise AssertionError(f"root element {root.tag!r}, the spec says {root_name!r}")
    rows = []
    for element in root:
        if element.tag != item:
            raise AssertionError(f"{element.tag!r} inside <{root_name}>, the spec says {item!r}")
        rows.append({child.tag: child.text for child in element})
    return rows


class GeoReportError(Exception):
    def __init__(self, status: int, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{status}: {errors}")
        self.status = status
        self.errors = errors


@dataclass
class GeoReportClient:
    """A GeoReport v2 client: discovers the endpoint, then lists services, posts a request and
    polls it, in JSON or XML (`fmt`). Every answer is checked against the spec's shapes."""

    http: httpx.AsyncClient
    fmt: Fmt = "json"
    endpoint: str = ""

    async def discover(self, discovery_url: str) -> dict[str, Any]:
        response = await self.http.get(discovery_url)
        response.raise_for_status()
        if discovery_url.endswith(".xml"):
            root = parse_xml(response.content)
            assert root.tag == "discovery"
            found: dict[str, Any] = {c.tag: c.text for c in root if c.tag != "endpoints"}
            endpoints = root.find("endpoints")
            assert endpoints is not None
            found["endpoints"] = [
                {
                    **{c.tag: c.text for c in e if c.tag != "formats"},
                    "formats": [f.text for f in e.iterfind("formats/format")],
                }
                for e in endpoints.iterfind("endpoint")
            ]
        else:
            found = response.json()
        assert set(DISCOVERY_FIELDS) <= set(found)
        for entry in found["endpoints"]:
            assert set(ENDPOINT_FIELDS) <= set(entry)
        v2 = next(e for e in found["endpoints"] if e["specification"].rstrip("/") == SPEC)
        wanted = "application/json" if self.fmt == "json" else "text/xml"
        assert wanted in v2["formats"], v2["formats"]
        self.endpoint = v2["url"].rstrip("/")
        return found

    def _url(self, resource: str) -> str:
        return f"{self.endpoint}/{resource}.{self.fmt}"

    def _rows(
        self, response: httpx.Response, *, root: str, item: str, fields: tuple[str, ...]
    ) -> list[dict[str, Any]]:
        if response.status_code >= 400:
            raise GeoReportError(response.status_code, self._errors(response))
        if self.fmt == "xml":
            assert response.headers["content-type"].startswith("text/xml")
            rows: list[dict[str, Any]] = list(
                rows_of(parse_xml(response.content), root_name=root, item=item)
            )
        else:
            assert response.headers["content-type"].startswith("application/json")
            rows = response.json()
            assert isinstance(rows, list)
        for row in rows:
            unknown = set(row) - set(fields)
            assert not unknown, f"not in the spec: {unknown}"
        return rows

    def _errors(self, response: httpx.Response) -> list[dict[str, Any]]:
        if self.fmt == "xml":
            found: list[dict[str, Any]] = list(
                rows_of(parse_xml(response.content), root_name="errors", item="error")
            )
        else:
            found = response.json()
        assert found, "an error answer lists its errors"
        for error in found:
            assert set(error) == set(ERROR_FIELDS), error
            assert int(error["code"]) == response.status_code
            assert error["description"]
        return found

    async def services(self) -> list[dict[str, Any]]:
        response = await self.http.get(self._url("services"))
        return self._rows(response, root="services", item="service", fields=SERVICE_FIELDS)

    async def definition(self, service_code: str) -> dict[str, Any]:
        response = await self.http.get(self._url(f"services/{service_code}"))
        if response.status_code >= 400:
            raise GeoReportError(response.status_code, self._errors(response))
        if self.fmt == "xml":
            root = parse_xml(response.content)
            assert root.tag == "service_definition"
            attributes = root.find("attributes")
            assert attributes is not None
            return {
                "service_code": root.findtext("service_code"),
                "attributes": [{c.tag: c.text for c in a} for a in attributes],
            }
        found: dict[str, Any] = response.json()
        return found

    async def create(self, *, api_key: str | None, **fields: str) -> dict[str, Any]:
        keyed = {"api_key": api_key} if api_key is not None else {}
        response = await self.http.post(self._url("requests"), data=keyed | fields)
        rows = self._rows(response, root="service_requests", item="request", fields=CREATED_FIELDS)
        assert len(rows) == 1
        return rows[0]

    async def request(self, service_request_id: str) -> dict[str, Any]:
        response = await self.http.get(self._url(f"requests/{service_request_id}"))
        rows = self._rows(response, root="service_requests", item="request", fields=REQUEST_FIELDS)
        assert len(rows) == 1
        return rows[0]

    async def requests(self, **params: str) -> list[dict[str, Any]]:
        response = await self.http.get(self._url("requests"), params=params)
        return self._rows(response, root="service_requests", item="request", fields=REQUEST_FIELDS)


# --- the console with Open311, on fakes -------------------------------------------------------

CATEGORIES = (
    Category(code="transport", name="Giao thông", keywords=("ổ gà", "đường")),
    Category(code="water", name="Cấp nước", keywords=("nước sạch",)),
)


@dataclass
class FakeOpen311Upstream:
    """The router's categories and intake's Open311 endpoint, as they answer."""

    posted: list[dict[str, str]] = field(default_factory=list)
    refuse: Open311Error | None = None
    router_down: bool = False

    async def categories(self) -> list[Category]:
        if self.router_down:
            raise Open311Error(503, "the service is unavailable; try again shortly")
        return list(CATEGORIES)

    async def create(self, fields: Mapping[str, str]) -> list[dict[str, Any]]:
        if self.refuse is not None:
            raise self.refuse
        self.posted.append(dict(fields))
        code = f"HA-{len(self.posted):04d}-O311"
        return [
            {
                "service_request_id": code,
                "service_notice": "Đã tiếp nhận. Tra cứu bằng mã này.",
                "account_id": None,
                "id": "0193f2f0-0000-7000-8000-000000000000",
                "tracking_code": code,
            }
        ]


@dataclass
class Open311Console:
    parts: ConsoleParts
    app: FastAPI
    read_model: InMemoryReadModel
    upstream: FakeOpen311Upstream
    clock: TestClock


def make_open311_console(
    *, lookups_allowed: int = 1000, clock: TestClock | None = None
) -> Open311Console:
    clock = clock or TestClock.frozen(datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    read_model = InMemoryReadModel()
    upstream = FakeOpen311Upstream()
    parts = build(
        ConsoleSettings(person_token_secret=None),
        accounts=InMemoryAccounts(),
        sessions=InMemorySessions(),
        failures=InMemoryFailures(),
        read_model=read_model,
        upstream=FakeUpstream(),
        publisher=RecordingPublisher(),
        passwords=cheap_passwords(),
        clock=clock,
        registry=CollectorRegistry(),
        public=PublicDeps(
            lookups=InProcessLimiter(
                allowed=lookups_allowed, window=timedelta(minutes=10), clock=clock
            ),
            ratings=InMemoryRatings(),
            upstream=FakePublicUpstream(),
        ),
        open311=Open311Deps(
            upstream=upstream, api_keys={"test-app": SecretStr(API_KEY)}, contact="test@hoiam"
        ),
    )
    app = FastAPI()
    for router in parts.wiring.routers:
        app.include_router(router)
    mount_static(app)
    return Open311Console(parts, app, read_model, upstream, clock)
