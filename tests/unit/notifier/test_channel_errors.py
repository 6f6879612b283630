"""What the providers' answers mean: Zalo, Meta, HTTP and SMTP codes; backoff; Retry-After."""

from datetime import UTC, datetime

import pytest

from hoiam_notifier.channels.errors import (
    ErrorKind,
    classify_http_status,
    classify_meta,
    classify_smtp,
    classify_zalo,
    parse_retry_after,
    retry_delay,
)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (-216, ErrorKind.REFRESH),
        (-124, ErrorKind.REFRESH),
        (-32, ErrorKind.RETRY),
        (-213, ErrorKind.FALLBACK),
        (-230, ErrorKind.FALLBACK),
        (-108, ErrorKind.FAIL),
        (-201, ErrorKind.FAIL),
        (-99999, ErrorKind.FAIL),
    ],
)
def test_zalo_error_codes(code: int, kind: ErrorKind) -> None:
    assert classify_zalo(code).kind is kind


@pytest.mark.parametrize(
    ("code", "subcode", "kind"),
    [
        (10, 2018278, ErrorKind.FALLBACK),
        (551, 1545041, ErrorKind.FALLBACK),
        (613, None, ErrorKind.RETRY),
        (4, None, ErrorKind.RETRY),
        (190, None, ErrorKind.FAIL),
        (100, 2018001, ErrorKind.FAIL),
    ],
)
def test_meta_error_codes(code: int, subcode: int | None, kind: ErrorKind) -> None:
    assert classify_meta(code, subcode).kind is kind


@pytest.mark.parametrize(
    ("status", "kind"),
    [(200, None), (429, ErrorKind.RETRY), (503, ErrorKind.RETRY), (400, ErrorKind.FAIL)],
)
def test_http_status(status: int, kind: ErrorKind | None) -> None:
    assert classify_http_status(status) is kind


def test_smtp_codes() -> None:
    assert classify_smtp(550).kind is ErrorKind.FAIL
    assert classify_smtp(451).kind is ErrorKind.RETRY


def test_backoff_doubles_honours_retry_after_and_is_capped() -> None:
    assert [retry_delay(a, backoff=1, retry_after=None, cap=30) for a in (1, 2, 3)] == [1, 2, 4]
    assert retry_delay(1, backoff=1, retry_after=7, cap=30) == 7
    assert retry_delay(1, backoff=1, retry_after=300, cap=30) == 30


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)
    assert parse_retry_after("12", now=now) == 12
    assert parse_retry_after("Fri, 27 Nov 2026 05:00:30 GMT", now=now) == 30
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None, now=now) is None
