"""A reassignment is told once: the status change tells the petitioners and the new body (with
the petition), the routings it announces tell only the delegates, once each for the case."""

from collections import Counter
from datetime import UTC, datetime, timedelta

from fakes import NotifierWorld
from hoiam_notifier.domain.notifications import Way
from hoiam_shared.events import (
    BodyContact,
    BodyRef,
    Channel,
    Citizen,
    Contacts,
    CouncillorRef,
    FeedbackRouted,
    Status,
    StatusChange,
    StatusChanged,
)
from support.clock import TestClock
from support.notifier_events import routed as routed_event

NOON = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)  # 12:00 in Vietnam
OLD = BodyRef(
    id="old",
    name="UBND xã Phú Cần",
    level="commune",
    contacts=(BodyContact(channel=Channel.EMAIL, address="xa@example.vn"),),
)
NEW = BodyRef(
    id="new",
    name="Sở Xây dựng",
    level="province_department",
    contacts=(BodyContact(channel=Channel.EMAIL, address="sxd@example.vn"),),
)
DELEGATE = CouncillorRef(
    id="d1",
    name="Trần Văn Bình",
    council="86",
    contacts=(BodyContact(channel=Channel.EMAIL, address="daibieu@example.vn"),),
)


def petitioner(email: str) -> Citizen:
    return Citizen(
        name="Cử tri", contacts=Contacts(email=email), preferred_channel=Channel.EMAIL, consent=True
    )


async def test_a_case_reassignment_tells_each_person_once() -> None:
    world = NotifierWorld(TestClock.frozen(NOON), ways=(Way.EMAIL,))
    first, second = (
        routed_event(
            petitioner(email),
            origin=None,
            received_at=NOON - timedelta(hours=1),
            body=OLD,
            councillors=(DELEGATE,),
            text="Đường ấp 3 sạt lở, nhiều ổ gà.",
        )
        for email in ("an@example.vn", "binh@example.vn")
    )
    for item in (first, second):
        await world.notifier.notify_routed(item)
    before = len(world.sent(Way.EMAIL))
    change = StatusChanged(
        correlation_id=first.item_id,
        item_id=first.item_id,
        tracking_code=first.tracking_code,
        status=Status.ROUTED,
        previous_status=Status.ROUTED,
        change=StatusChange.REASSIGNED,
        reason="đường do tỉnh quản lý",
        case_id=first.item_id,
        case_item_ids=(first.item_id, second.item_id),
        body=NEW,
    )
    reroutes = [
        item.model_copy(update={"body": NEW, "announced_by": change.event_id})
        for item in (first, second)
    ]

    await world.notifier.notify_status(change)
    for reroute in (*reroutes, reroutes[0]):  # the last one redelivered
        await world.notifier.notify_routed(reroute)

    sent = Counter(world.sent(Way.EMAIL)[before:])
    assert sent == Counter(
        ["an@example.vn", "binh@example.vn", "sxd@example.vn", "daibieu@example.vn"]
    )
    to_body = next(o for o in world.senders[Way.EMAIL].sent if o.target.address == "sxd@example.vn")
    assert "Đường ấp 3 sạt lở" in to_body.notification.text
    assert "2 cử tri" in to_body.notification.text


async def test_a_routing_announced_by_nobody_is_told_as_before() -> None:
    world = NotifierWorld(TestClock.frozen(NOON), ways=(Way.EMAIL,))
    item: FeedbackRouted = routed_event(
        petitioner("an@example.vn"), origin=None, received_at=NOON, body=NEW
    )

    await world.notifier.notify_routed(item)

    assert Counter(world.sent(Way.EMAIL)) == Counter(["an@example.vn", "sxd@example.vn"])
