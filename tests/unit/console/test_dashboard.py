"""The dashboard's and the Front's figures, pure: counts, overdue, the on-time rate, communes'
flows, the delegate's order, and the SVG chart (escaped, one bar per count)."""

import re
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from hoiam_console.domain.dashboard import (
    Count,
    bar_chart,
    commune_flows,
    dashboard,
    on_time_by_body,
    overdue_first,
    resolved_on,
)
from hoiam_console.domain.readmodel import Entry, ItemRecord
from hoiam_shared.events import Channel, Status

TODAY = date(2026, 12, 2)  # a Wednesday
AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def answered(at: datetime) -> Entry:
    return Entry(event_id=uuid4(), at=at, kind="status", status=Status.RESOLVED)


def item(**fields: Any) -> ItemRecord:
    defaults: dict[str, Any] = {"item_id": uuid4(), "received_at": AT, "channel": Channel.WEB}
    return ItemRecord(**(defaults | fields))


LATE = item(status=Status.ROUTED, body_name="UBND xã Tiểu Cần", due_on=date(2026, 11, 30))
DUE = item(status=Status.ACKNOWLEDGED, body_name="UBND xã Tiểu Cần", due_on=date(2026, 12, 11))
WAITING = item(status=Status.TRIAGE, channel=Channel.PHONE)
KEPT = item(
    status=Status.RESOLVED,
    body_name="Sở Xây dựng",
    due_on=date(2026, 11, 25),
    # 18:00 UTC on the 24th is already the 25th in Việt Nam: still on the due day.
    history=(answered(datetime(2026, 11, 24, 18, 0, tzinfo=UTC)),),
)
MISSED = item(
    status=Status.CLOSED,
    body_name="Sở Xây dựng",
    due_on=date(2026, 11, 25),
    history=(answered(datetime(2026, 11, 26, 3, 0, tzinfo=UTC)),),
)


def test_counts_by_channel_body_status_and_overdue_by_body() -> None:
    found = dashboard([LATE, DUE, WAITING, KEPT, MISSED], today=TODAY)
    assert (found.total, found.open, found.overdue) == (5, 3, 1)
    assert found.by_channel == (Count("web", 4), Count("phone", 1))
    assert found.by_body == (Count("Sở Xây dựng", 2), Count("UBND xã Tiểu Cần", 2), Count("—", 1))
    assert {c.label: c.n for c in found.by_status} == {
        "routed": 1,
        "acknowledged": 1,
        "triage": 1,
        "resolved": 1,
        "closed": 1,
    }
    assert found.overdue_by_body == (Count("UBND xã Tiểu Cần", 1),)


def test_the_on_time_rate_is_answered_by_the_due_date_over_answered() -> None:
    [rate] = on_time_by_body([KEPT, MISSED, LATE, DUE])
    assert (rate.body, rate.resolved, rate.on_time, rate.rate) == ("Sở Xây dựng", 2, 1, 0.5)


def test_a_reopened_item_keeps_the_day_of_its_first_answer() -> None:
    again = KEPT.model_copy(
        update={"history": (*KEPT.history, answered(datetime(2026, 11, 29, 3, 0, tzinfo=UTC)))}
    )
    assert resolved_on(again) == date(2026, 11, 25)
    assert resolved_on(WAITING) is None


def test_communes_most_overdue_first() -> None:
    quiet = item(status=Status.RESOLVED, commune_code="29551", commune_name="Xã A")
    busy = [
        LATE.model_copy(update={"commune_code": "29341", "commune_name": "Xã Tiểu Cần"}),
        DUE.model_copy(update={"commune_code": "29341", "commune_name": "Xã Tiểu Cần"}),
    ]
    flows = commune_flows([quiet, *busy], today=TODAY)
    assert [(f.commune_code, f.total, f.open, f.overdue) for f in flows] == [
        ("29341", 2, 2, 1),
        ("29551", 1, 0, 0),
    ]


def test_the_delegates_list_is_overdue_first_then_open_by_due_date_then_finished() -> None:
    ordered = overdue_first([KEPT, DUE, WAITING, LATE], today=TODAY)
    assert ordered == [LATE, DUE, WAITING, KEPT]


def test_the_chart_has_one_bar_per_count_and_escapes_labels() -> None:
    svg = bar_chart([Count("<script>x</script>", 4), Count("web", 2)], title="Theo kênh & cơ quan")
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "<title>Theo kênh &amp; cơ quan</title>" in svg
    widths = [int(w) for w in re.findall(r'<rect [^>]*width="(\d+)"', svg)]
    assert len(widths) == 2
    assert widths[0] == 2 * widths[1]


def test_an_empty_chart_is_still_a_valid_svg() -> None:
    assert "<rect" not in bar_chart([], title="—")
