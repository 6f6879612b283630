"""Call logs: Asterisk Master.csv, queue_log, a mapped CSV, keyed calls; missed calls → tasks."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from hoiam_intake.domain.channels.calls import (
    CALL_CONTENT_TYPE,
    CallRecord,
    ManualCall,
    call_outcome,
    parse_cdr,
    parse_mapped_csv,
    parse_queue_log,
)
from hoiam_intake.domain.items import accept_raw
from hoiam_intake.domain.outcomes import CallBack, NewItem
from hoiam_intake.domain.rules import Rules
from hoiam_shared.events import Channel, OriginKind
from hoiam_shared.ids import new_id
from support.intake_samples import CDR_LINES, QUEUE_LOG

RULES = Rules(secret="test", account_provinces={"1900": "86"})
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def outcome_of(call: CallRecord) -> NewItem | CallBack:
    raw = accept_raw(
        item_id=new_id(),
        tracking_code="HA-0000-0001",
        channel=Channel.PHONE,
        payload=call.model_dump_json().encode(),
        content_type=CALL_CONTENT_TYPE,
        received_at=datetime(2026, 11, 27, 3, 0, tzinfo=UTC),
        source_ref=call.call_id,
    )
    result = call_outcome(raw, RULES)
    assert isinstance(result, NewItem | CallBack)
    return result


def test_master_csv_in_the_standard_column_order() -> None:
    calls, rejected = parse_cdr(CDR_LINES, timezone=TZ)
    answered, missed = calls
    assert answered.call_id == "1732674600.1"
    assert answered.caller == "+84912345678"
    assert answered.caller_name == "Nguyễn Văn An"
    assert answered.hotline == "1900"
    assert answered.started_at == datetime(2026, 11, 27, 2, 30, tzinfo=UTC)  # 09:30 at +07
    assert (answered.answered, answered.duration_seconds) == (True, 240)
    assert answered.text == "Đường hỏng"  # userfield
    assert missed.caller == "+84383456789"  # 0168 → 038
    assert (missed.answered, missed.disposition) == (False, "NO ANSWER")
    assert [(r.line, r.reason.split(":")[0]) for r in rejected] == [
        (3, "bad time or billsec"),
        (4, "3 columns, cdr_csv has 16+"),
    ]


def test_an_answered_call_is_an_item_and_a_missed_one_a_call_back_task() -> None:
    calls, _ = parse_cdr(CDR_LINES, timezone=TZ)
    item = outcome_of(calls[0])
    assert isinstance(item, NewItem)
    assert item.item.channel is Channel.PHONE
    assert item.item.citizen.contacts.phone == "+84912345678"
    assert item.item.citizen.preferred_channel is Channel.PHONE
    assert item.item.location.province_hint == "86"
    assert item.item.origin is not None
    assert item.item.origin.kind is OriginKind.CALL
    task = outcome_of(calls[1])
    assert isinstance(task, CallBack)
    assert task.task.task_id == "call_back:1732676400.2"
    assert task.task.kind == "call_back"
    assert task.task.phone == "+84383456789"
    assert task.task.reason == "no_answer"
    # Deterministic: the same call seen twice opens the same task with the same event id.
    again = outcome_of(calls[1])
    assert isinstance(again, CallBack)
    assert again.task.event_id == task.task.event_id


def test_queue_log_groups_events_per_call() -> None:
    calls, rejected = parse_queue_log(QUEUE_LOG)
    by_id = {c.call_id: c for c in calls}
    assert by_id["1732674600.11"].answered
    assert by_id["1732674600.11"].caller == "+84912000111"
    assert (by_id["1732676400.21"].answered, by_id["1732676400.21"].disposition) == (
        False,
        "ABANDON",
    )
    assert by_id["1732676500.31"].disposition == "EXITWITHTIMEOUT"
    assert len(calls) == 3
    assert [(r.line, r.reason) for r in rejected] == [(9, "fewer than 5 fields")]


def test_generic_csv_with_a_column_mapping() -> None:
    text = (
        "Mã,Số gọi,Họ tên,Thời điểm,Trạng thái,Nội dung\n"
        "c1,0912 345 678,Phạm Văn Bình,27/11/2026 08:15,ANSWERED,Hỏi về trợ cấp\n"
        "c2,0912 000 111,,27/11/2026 08:20,nhỡ,\n"
        "c3,,,27/11/2026 08:25,BUSY,\n"
    )
    columns = {"call_id": "Mã", "caller": "Số gọi", "name": "Họ tên",
               "started_at": "Thời điểm", "status": "Trạng thái", "text": "Nội dung"}  # fmt: skip
    calls, rejected = parse_mapped_csv(text, timezone=TZ, columns=columns)
    assert [(c.call_id, c.answered, c.text) for c in calls] == [
        ("c1", True, "Hỏi về trợ cấp"),
        ("c2", False, None),
    ]
    assert calls[0].started_at == datetime(2026, 11, 27, 1, 15, tzinfo=UTC)
    assert [(r.line, r.reason) for r in rejected] == [(4, "missed call without a caller number")]


def test_a_csv_without_the_mapped_columns_is_refused_whole() -> None:
    calls, rejected = parse_mapped_csv("a,b\n1,2\n", timezone=TZ, columns={})
    assert calls == []
    assert "header lacks columns" in rejected[0].reason


def test_a_keyed_in_call_is_an_operator_item() -> None:
    call = ManualCall(
        call_id="op-77", caller="0294 3855 123", name="Võ Văn Tài",
        address="ấp 3, xã Long Hữu", text="Nước máy yếu và đục",
    ).record(datetime(2026, 11, 27, 3, 0, tzinfo=UTC))  # fmt: skip
    item = outcome_of(call)
    assert isinstance(item, NewItem)
    assert item.item.text.normalised == "Nước máy yếu và đục"
    assert item.item.location.raw_address == "ấp 3, xã Long Hữu"
    assert item.item.origin is not None
    assert item.item.origin.kind is OriginKind.OPERATOR


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500))
def test_call_log_parsers_never_crash(text: str) -> None:
    for parse in (
        lambda t: parse_cdr(t, timezone=TZ),
        parse_queue_log,
        lambda t: parse_mapped_csv(t, timezone=TZ, columns={}),
    ):
        calls, rejected = parse(text)
        assert all(r.line >= 1 for r in rejected)
        assert all(c.call_id for c in calls)
