"""The read model as the subscribers build it: idempotent, out-of-order safe, cases as one."""

from datetime import UTC, datetime, timedelta

from hoiam_console.domain.readmodel import changes_of
from hoiam_shared.events import (
    Channel,
    FeedbackMessageAdded,
    FeedbackText,
    NotificationFailed,
    NotificationSent,
    OperatorTaskOpened,
    RecipientKind,
    Status,
)
from support.console import (
    SO_XAY_DUNG_BODY,
    TIEU_CAN_BODY,
    InMemoryReadModel,
    received,
    routed,
    status_changed,
)

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


async def project(model: InMemoryReadModel, *events: object) -> None:
    for event in events:
        for change in changes_of(event):  # type: ignore[arg-type]
            await model.apply(change)


async def test_an_item_gathers_its_received_route_statuses_messages_and_deliveries() -> None:
    model = InMemoryReadModel()
    item = received("Đường ấp Chợ có nhiều ổ gà.", address="ấp Chợ, xã Tiểu Cần", at=T0)
    message = FeedbackMessageAdded(
        occurred_at=T0 + timedelta(hours=2),
        correlation_id=item.item_id,
        item_id=item.item_id,
        tracking_code=item.tracking_code,
        channel=Channel.EMAIL,
        kind="reply",
        received_at=T0 + timedelta(hours=2),
        text=FeedbackText(original="Thêm: ổ gà rất sâu", normalised="Thêm: ổ gà rất sâu"),
    )
    sent = NotificationSent(
        occurred_at=T0 + timedelta(hours=4),
        correlation_id=item.item_id,
        item_id=item.item_id,
        tracking_code=item.tracking_code,
        delivery_id="d1",
        recipient_kind=RecipientKind.CITIZEN,
        channel=Channel.EMAIL,
        attempts=1,
    )
    failed = NotificationFailed(
        occurred_at=T0 + timedelta(hours=4),
        correlation_id=item.item_id,
        item_id=item.item_id,
        tracking_code=item.tracking_code,
        delivery_id="d2",
        recipient_kind=RecipientKind.BODY,
        channel=Channel.EMAIL,
        error="550 no such mailbox",
        attempts=3,
    )
    task = OperatorTaskOpened(
        occurred_at=T0 + timedelta(hours=5),
        correlation_id=item.item_id,
        task_id="t1",
        kind="call_back",
        item_id=item.item_id,
        tracking_code=item.tracking_code,
        reason="citizen asked for a call",
        opened_at=T0 + timedelta(hours=5),
    )
    await project(
        model,
        item,
        routed(item, body=TIEU_CAN_BODY, at=T0 + timedelta(hours=1)),
        message,
        status_changed(item, Status.RESOLVED, at=T0 + timedelta(hours=3), answer="Đã sửa."),
        sent,
        failed,
        task,
    )
    record = await model.by_tracking_code(item.tracking_code)
    assert record is not None
    assert (record.status, record.body_id, record.answer) == (
        Status.RESOLVED,
        TIEU_CAN_BODY.id,
        "Đã sửa.",
    )
    assert (record.province_code, record.commune_code, record.category_code) == (
        "86",
        "29341",
        "transport",
    )
    assert [e.kind for e in record.sorted_history()] == [
        "received",
        "routed",
        "message",
        "status",
        "notification",
        "notification",
        "task",
    ]
    deliveries = {e.delivery_id: e.delivered for e in record.history if e.kind == "notification"}
    assert deliveries == {"d1": True, "d2": False}


async def test_a_redelivered_event_changes_nothing() -> None:
    model = InMemoryReadModel()
    item = received("Mất điện cả ấp.", at=T0)
    route = routed(item, body=TIEU_CAN_BODY, at=T0)
    await project(model, item, route)
    before = dict(model.records[item.item_id])
    assert not await model.apply(changes_of(route)[0])
    await project(model, item, route)
    assert model.records[item.item_id] == before


async def test_an_older_status_delivered_late_does_not_overwrite_a_newer_one() -> None:
    model = InMemoryReadModel()
    item = received("Cống bị nghẹt.", at=T0)
    resolved = status_changed(item, Status.RESOLVED, at=T0 + timedelta(hours=3), answer="Xong.")
    acknowledged = status_changed(item, Status.ACKNOWLEDGED, at=T0 + timedelta(hours=2))
    route = routed(item, body=TIEU_CAN_BODY, at=T0 + timedelta(hours=1))
    await project(model, resolved, acknowledged, route, item)
    record = await model.get(item.item_id)
    assert record is not None
    assert record.status is Status.RESOLVED
    assert record.body_id == TIEU_CAN_BODY.id  # routing's body arrived late, but status kept
    assert record.tracking_code == item.tracking_code
    assert len(record.history) == 4


async def test_a_case_status_applies_to_every_listed_item() -> None:
    model = InMemoryReadModel()
    lead, other = received("Đường hư.", at=T0), received("Đường hư nữa.", at=T0)
    await project(
        model,
        lead,
        other,
        routed(lead, body=TIEU_CAN_BODY, at=T0),
        routed(other, body=TIEU_CAN_BODY, at=T0),
    )
    case_status = status_changed(
        lead,
        Status.RESOLVED,
        at=T0 + timedelta(hours=1),
        answer="Đã sửa cả tuyến.",
        case_item_ids=[lead.item_id, other.item_id],
    )
    await project(model, case_status, case_status)
    for item in (lead, other):
        record = await model.get(item.item_id)
        assert record is not None
        assert (record.status, record.answer) == (Status.RESOLVED, "Đã sửa cả tuyến.")
        assert sum(1 for e in record.history if e.kind == "status") == 1
    other_record = await model.get(other.item_id)
    assert other_record is not None
    assert other_record.tracking_code == other.tracking_code


async def test_a_reassignment_moves_the_item_to_the_new_body() -> None:
    model = InMemoryReadModel()
    item = received("Xây dựng trái phép.", at=T0)
    await project(
        model,
        item,
        routed(item, body=TIEU_CAN_BODY, at=T0),
        status_changed(item, Status.ROUTED, at=T0 + timedelta(hours=1), body=SO_XAY_DUNG_BODY),
    )
    assert [r.item_id for r in await model.find(body_id=SO_XAY_DUNG_BODY.id)] == [item.item_id]
    assert await model.find(body_id=TIEU_CAN_BODY.id) == []


async def test_triage_keeps_the_candidates_and_reasons() -> None:
    model = InMemoryReadModel()
    item = received("Không rõ lĩnh vực.", at=T0)
    await project(
        model, routed(item, body=None, at=T0, candidates=[TIEU_CAN_BODY, SO_XAY_DUNG_BODY])
    )
    [record] = await model.find(statuses=[Status.TRIAGE])
    assert [c.id for c in record.candidates] == [TIEU_CAN_BODY.id, SO_XAY_DUNG_BODY.id]
    assert record.reasons
    assert record.body_id is None
