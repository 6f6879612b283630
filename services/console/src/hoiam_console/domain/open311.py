"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) as pure mapping: the read model's items
as service requests, the router's categories as services, the query of `GET requests`, and
the spec's JSON and XML shapes (errors included). No I/O here.

A GeoReport status is `open` or `closed`: an item is closed once it has an answer (resolved,
closed) or was rejected; reopened and every step before the answer are open. The request's
`service_request_id` is the tracking code. Nothing personal is copied: the description only
when the citizen consented to publication (masked as on the status page), the address as the
commune the router placed the item in, a point only to about a hundred metres.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from xml.etree.ElementTree import Element, SubElement, tostring

from pydantic import BaseModel, ConfigDict

from hoiam_console.domain.public import masked
from hoiam_console.domain.readmodel import ItemRecord
from hoiam_shared.clock import VIETNAM_TIME
from hoiam_shared.events import Status

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = {"json": "application/json", "xml": "text/xml"}
"""The formats the spec names (XML required, JSON optional) and their media types."""

CLOSED = frozenset({Status.RESOLVED, Status.CLOSED, Status.REJECTED})
"""The statuses GeoReport calls `closed`: the item has its answer (or was refused)."""

DEFAULT_WINDOW = timedelta(days=90)
"""The spec: without dates, the requests of the last 90 days; a range is at most 90 days."""
MAX_PAGE_SIZE = 1000
"""The spec lets a server cap what one call returns; 1000 is the figure it gives."""
DEFAULT_PAGE_SIZE = 100
MAX_IDS = 50
"""`service_request_id` may list several codes; each one is a rate-limited lookup."""

DUE_AT = time(17, 0)
"""A due day ends with the office day (17:00 Vietnam time): `expected_datetime`."""

type Open311Status = Literal["open", "closed"]


class Open311Error(Exception):
    """A GeoReport error: the HTTP status (also its `code`) and a description."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class _Shape(BaseModel):
    model_config = ConfigDict(frozen=True)


class Service(_Shape):
    """One service of `GET services`: a category of the router's directory."""

    service_code: str
    service_name: str
    description: str
    metadata: bool = False
    type: Literal["realtime", "batch", "blackbox"] = "realtime"
    keywords: str = ""
    group: str = ""


class Category(_Shape):
    """A category as the router's directory gives it."""

    code: str
    name: str
    keywords: tuple[str, ...] = ()


def services_of(categories: Iterable[Category]) -> list[Service]:
    """The categories as GeoReport services. `realtime`: intake answers a POST with the tracking
    code at once; no extra attributes (`metadata` false), the description carries the matter."""
    return [
        Service(
            service_code=c.code,
            service_name=c.name,
            description=f"Kiến nghị, phản ánh về lĩnh vực {c.name}.",
            keywords=", ".join(k.split("*")[0] for k in c.keywords[:8]),
            group=c.code,
        )
        for c in categories
    ]


class ServiceRequest(_Shape):
    """One `<request>` of `GET requests` and `GET requests/{id}`, in the spec's field order."""

    service_request_id: str
    status: Open311Status
    status_notes: str | None = None
    service_name: str | None = None
    service_code: str | None = None
    description: str | None = None
    agency_responsible: str | None = None
    service_notice: str | None = None
    requested_datetime: datetime | None = None
    updated_datetime: datetime | None = None
    expected_datetime: datetime | None = None
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None


POINT = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
"""The raw address intake keeps for a request posted with lat/long only (`lat,long`)."""


def point_of(raw_address: str | None) -> tuple[float, float] | None:
    """The point a request was posted at, rounded to 3 decimals (about 100 m): enough to put it
    on a map, not enough to find the house of whoever sent it."""
    found = POINT.match(raw_address or "")
    if found is None:
        return None
    lat, long = float(found.group(1)), float(found.group(2))
    if not (-90 <= lat <= 90 and -180 <= long <= 180):
        return None
    return round(lat, 3), round(long, 3)


def open311_status(status: Status | None) -> Open311Status:
    return "closed" if status in CLOSED else "open"


def expected_at(due_on: date | None) -> datetime | None:
    return datetime.combine(due_on, DUE_AT, tzinfo=VIETNAM_TIME) if due_on else None


def service_request(record: ItemRecord) -> ServiceRequest:
    """The public GeoReport view of `record`; what is not copied here is never served."""
    changes = [e.at for e in record.history if e.kind in ("received", "routed", "status", "rated")]
    status = open311_status(record.status)
    notes = record.answer if status == "closed" and record.answer else None
    if notes is None and record.status == Status.REJECTED:
        notes = next(
            (e.reason for e in reversed(record.sorted_history()) if e.status == Status.REJECTED),
            None,
        )
    point = point_of(record.raw_address)
    return ServiceRequest(
        service_request_id=record.tracking_code or "",
        status=status,
        status_notes=notes,
        service_name=record.category_name,
        service_code=record.category_code,
        description=masked(record.text, record.citizen_name)
        if record.publication_consent and record.text
        else None,
        agency_responsible=record.body_name,
        requested_datetime=record.received_at,
        updated_datetime=max(changes) if changes else record.received_at,
        expected_datetime=expected_at(record.due_on) if status == "open" else None,
        address=record.commune_name,
        lat=point[0] if point else None,
        long=point[1] if point else None,
    )


# --- GET requests: the query ---------------------------------------------------------------


class RequestQuery(_Shape):
    """`GET requests`, checked. With `ids` the other filters are ignored (the spec says so)."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime
    end: datetime
    statuses: tuple[Open311Status, ...] = ()
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def w3c_datetime(value: str, *, name: str) -> datetime:
    """A W3C (ISO 8601 subset) date-time with its zone, as the spec requires; a plain date is
    taken as that day's start in Vietnam time (what a user here means by a day)."""
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=VIETNAM_TIME)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise Open311Error(400, f"{name} is not a W3C date-time: {text[:40]!r}") from None
    if parsed.tzinfo is None:
        raise Open311Error(400, f"{name} needs a time zone (Z or ±hh:mm): {text[:40]!r}")
    return parsed


def _listed(value: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in (value or "").split(",") if p.strip()))


def _number(value: str | None, *, name: str, default: int, most: int) -> int:
    if value is None or not value.strip():
        return default
    if not value.strip().isdigit() or not 1 <= int(value) <= most:
        raise Open311Error(400, f"{name} must be a whole number from 1 to {most}")
    return int(value)


def request_query(params: Mapping[str, str], *, now: datetime) -> RequestQuery:
    """The query of `GET requests` from its parameters, or Open311Error(400) saying why."""
    ids = _listed(params.get("service_request_id"))
    if len(ids) > MAX_IDS:
        raise Open311Error(400, f"at most {MAX_IDS} service_request_id values at once")
    statuses = tuple(s.lower() for s in _listed(params.get("status")))
    wrong = [s for s in statuses if s not in ("open", "closed")]
    if wrong:
        raise Open311Error(400, f"status is open or closed, not {wrong[0][:20]!r}")
    start_text, end_text = params.get("start_date"), params.get("end_date")
    end = w3c_datetime(end_text, name="end_date") if end_text else None
    start = w3c_datetime(start_text, name="start_date") if start_text else None
    if start is None and end is None:
        end = now
    if start is None:
        start = (end or now) - DEFAULT_WINDOW
    if end is None:
        end = min(start + DEFAULT_WINDOW, now) if start < now else start + DEFAULT_WINDOW
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > DEFAULT_WINDOW:
        raise Open311Error(400, "start_date and end_date may be at most 90 days apart")
    return RequestQuery(
        ids=ids,
        service_codes=_listed(params.get("service_code")),
        start=start,
        end=end,
        statuses=statuses,  # type: ignore[arg-type]  # checked above
        page=_number(params.get("page"), name="page", default=1, most=100_000),
        page_size=_number(
            params.get("page_size"),
            name="page_size",
            default=DEFAULT_PAGE_SIZE,
            most=MAX_PAGE_SIZE,
        ),
    )


def statuses_of(wanted: Sequence[Open311Status]) -> tuple[Status, ...] | None:
    """The item statuses behind GeoReport's `open`/`closed` (None: any)."""
    if not wanted or set(wanted) == {"open", "closed"}:
        return None
    if wanted[0] == "closed":
        return tuple(sorted(CLOSED))
    return tuple(s for s in Status if s not in CLOSED)


# --- the spec's shapes: JSON and XML --------------------------------------------------------


def w3c(at: datetime) -> str:
    """A date-time as the spec's examples write it: seconds, the zone as ±hh:mm (Vietnam's)."""
    return at.astimezone(VIETNAM_TIME).replace(microsecond=0).isoformat()


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return w3c(value)
    return value


def json_rows(rows: Iterable[BaseModel]) -> list[dict[str, object]]:
    return [{k: _plain(v) for k, v in row.model_dump().items()} for row in rows]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return w3c(value)
    return str(value)


def xml_document(root: str, item: str, rows: Iterable[Mapping[str, object]]) -> bytes:
    """`<root><item><field>…</field>…</item>…</root>` with the XML declaration the spec asks
    for (UTF-8). A list value becomes nested elements (`attributes` → `attribute`)."""
    top = Element(root)
    for row in rows:
        _fill(SubElement(top, item), row)
    return _serialised(top)


def xml_single(root: str, row: Mapping[str, object]) -> bytes:
    """One `<root>` with the row's fields as children (a service definition, discovery)."""
    top = Element(root)
    _fill(top, row)
    return _serialised(top)


def _serialised(top: Element) -> bytes:
    document: bytes = tostring(top, encoding="utf-8", xml_declaration=True)
    return document


def _fill(parent: Element, row: Mapping[str, object]) -> None:
    for name, value in row.items():
        child = SubElement(parent, name)
        if isinstance(value, list):
            singular = name[:-1] if name.endswith("s") else name
            for entry in value:
                if isinstance(entry, Mapping):
                    _fill(SubElement(child, singular), entry)
                else:
                    SubElement(child, singular).text = _text(entry)
        elif isinstance(value, Mapping):
            _fill(child, value)
        else:
            child.text = _text(value)


def errors_json(error: Open311Error) -> list[dict[str, object]]:
    return [{"code": error.code, "description": error.description}]


def errors_xml(error: Open311Error) -> bytes:
    return xml_document("errors", "error", [{"code": error.code, "description": error.description}])


def discovery(*, base_url: str, contact: str, changeset: datetime) -> dict[str, object]:
    """The service discovery document (wiki.open311.org/Service_discovery)."""
    return {
        "changeset": w3c(changeset.astimezone(UTC)),
        "contact": contact,
        "key_service": contact,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": w3c(changeset.astimezone(UTC)),
                "type": "production",
                "formats": list(FORMATS.values()),
            }
        ],
    }


def discovery_xml(document: Mapping[str, object]) -> bytes:
    return xml_single("discovery", document)
