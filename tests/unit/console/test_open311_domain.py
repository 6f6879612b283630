"""Open311's pure mapping: the query of `GET requests` (defaults, limits), the statuses behind
open/closed, the point kept of a raw address, and XML that escapes what it carries."""

from datetime import UTC, datetime, timedelta
from xml.etree.ElementTree import fromstring

import pytest

from hoiam_console.domain.open311 import (
    CLOSED,
    Open311Error,
    open311_status,
    point_of,
    request_query,
    statuses_of,
    w3c,
    w3c_datetime,
    xml_document,
)
from hoiam_shared.events import Status

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def test_without_dates_the_last_90_days_first_page() -> None:
    query = request_query({}, now=NOW)
    assert (query.start, query.end) == (NOW - timedelta(days=90), NOW)
    assert (query.page, query.page_size) == (1, 100)
    only_start = request_query({"start_date": "2026-11-01T00:00:00Z"}, now=NOW)
    assert only_start.end == NOW
    only_end = request_query({"end_date": "2026-11-01T00:00:00+07:00"}, now=NOW)
    assert only_end.end - only_end.start == timedelta(days=90)


def test_dates_with_their_zone_a_plain_day_in_vietnam_time() -> None:
    assert w3c_datetime("2026-11-05T08:15:30-05:00", name="x") == datetime(
        2026, 11, 5, 13, 15, 30, tzinfo=UTC
    )
    assert w3c_datetime("2026-11-05T13:15:30Z", name="x") == datetime(
        2026, 11, 5, 13, 15, 30, tzinfo=UTC
    )
    # "+07:00" in a query string unencoded arrives as " 07:00".
    assert w3c_datetime("2026-11-05T20:15:30 07:00", name="x") == datetime(
        2026, 11, 5, 13, 15, 30, tzinfo=UTC
    )
    assert w3c_datetime("2026-11-05", name="x") == datetime(2026, 11, 4, 17, 0, tzinfo=UTC)
    with pytest.raises(Open311Error, match="time zone"):
        w3c_datetime("2026-11-05T08:15:30", name="x")
    assert w3c(datetime(2026, 11, 5, 13, 15, 30, 999, tzinfo=UTC)) == "2026-11-05T20:15:30+07:00"


def test_open_and_closed_are_the_item_statuses_either_side_of_the_answer() -> None:
    assert {s for s in Status if open311_status(s) == "closed"} == CLOSED
    assert open311_status(Status.REOPENED) == "open"
    assert open311_status(None) == "open"
    assert statuses_of(()) is None
    assert statuses_of(("open", "closed")) is None
    assert set(statuses_of(("closed",)) or ()) == CLOSED
    assert set(statuses_of(("open",)) or ()) == set(Status) - CLOSED


def test_a_point_to_a_hundred_metres_and_nothing_from_a_written_address() -> None:
    assert point_of("9.8123456,106.1987654") == (9.812, 106.199)
    assert point_of(" -33.86 , 151.21 ") == (-33.86, 151.21)
    assert point_of("ấp Phú Thọ, xã Tiểu Cần") is None
    assert point_of("12, 34 đường Lê Lợi") is None
    assert point_of("95.0,10.0") is None
    assert point_of(None) is None


def test_xml_escapes_and_keeps_vietnamese() -> None:
    body = xml_document(
        "service_requests",
        "request",
        [{"service_request_id": "HA-1", "status_notes": "<b>Đã vá</b> & xong", "lat": None}],
    )
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = fromstring(body)  # noqa: S314  # our own output
    assert root.findtext("request/status_notes") == "<b>Đã vá</b> & xong"
    assert root.findtext("request/lat") == ""
    assert b"<b>" not in body
