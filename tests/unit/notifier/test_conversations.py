"""Issue 10, conversations: a re-sent matter is answered with where the first item stands."""

from datetime import UTC, datetime, timedelta

from fakes import NotifierWorld
from hoiam_notifier.domain.notifications import Way
from hoiam_shared.events import (
    BodyContact,
    Channel,
    Citizen,
    Contacts,
    FeedbackMessageAdded,
    FeedbackRouted,
    FeedbackText,
    OperatorTaskOpened,
    Origin,
    OriginKind,
    Status,
    StatusChanged,
)
from support.clock import TestClock
from support.notifier_events import UTILITY
from support.notifier_events import routed as routed_event

NOON = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)  # 12:00 in Vietnam
BODY = UTILITY.model_copy(
    update={"contacts": (BodyContact(channel=Channel.EMAIL, address="cskh@dienluc.example"),)}
)
CITIZEN = Citizen(
    name="Lê Thị Cúc",
    contacts=Contacts(zalo_user_id="z-cuc", email="cuc@example.vn"),
    preferred_channel=Channel.ZALO,
    last_inbound_at=NOON - timedelta(hours=2),
)


def resent(item_id: object, code: str, *, at: datetime) -> FeedbackMessageAdded:
    return FeedbackMessageAdded.model_validate(
        {
            "correlation_id": item_id,
            "item_id": item_id,
            "tracking_code": code,
            "channel": Channel.ZALO,
            "source_ref": "zmsg-again",
            "kind": "resent",
            "received_at": at,
            "citizen": CITIZEN.model_copy(update={"last_inbound_at": at}),
            "text": FeedbackText(original="Mất điện ba ngày.", normalised="Mất điện ba ngày."),
            "origin": Origin(kind=OriginKind.ZALO_MESSAGE, message_id="zmsg-again"),
        }
    )


async def test_a_resent_matter_gets_one_message_with_the_first_code_and_its_status() -> None:
    world = NotifierWorld(TestClock.frozen(NOON), send_attempts=3)
    first = routed_event(CITIZEN, origin=None, received_at=NOON - timedelta(days=1), body=BODY)
    await world.notifier.notify_routed(first)
    await world.notifier.notify_status(
        StatusChanged(
            correlation_id=first.item_id,
            item_id=first.item_id,
            tracking_code=first.tracking_code,
            status=Status.IN_PROGRESS,
            case_item_ids=(first.item_id,),
        )
    )
    bodies_before = world.sent(Way.EMAIL)
    zalo_before = len(world.senders[Way.ZALO_CS].sent)

    again = resent(first.item_id, first.tracking_code, at=NOON - timedelta(minutes=5))
    await world.notifier.record_message(again)
    await world.notifier.record_message(again)  # redelivered: still one message

    assert world.sent(Way.EMAIL) == bodies_before  # no "new petition" to the body
    [told] = world.senders[Way.ZALO_CS].sent[zalo_before:]
    text = told.notification.text
    assert first.tracking_code in text
    assert "đã gửi ý kiến này trước đây" in text
    assert "đang giải quyết" in text  # where it stands now
    assert BODY.name in text


async def test_a_resent_matter_of_an_item_never_routed_here_is_still_answered() -> None:
    world = NotifierWorld(TestClock.frozen(NOON), send_attempts=3)
    again = resent("0190a5c8-0000-7000-8000-000000000001", "HA-AAAA-BBBB", at=NOON)
    await world.notifier.record_message(again)
    [told] = world.senders[Way.ZALO_CS].sent
    assert "HA-AAAA-BBBB" in told.notification.text


# --- 3. an unknown commune: the citizen is asked on their own channel ----------------------------


ZALO = Origin(kind=OriginKind.ZALO_MESSAGE, message_id="zmsg-1")


def waiting_for_commune(
    citizen: Citizen,
    *,
    received_at: datetime = NOON - timedelta(hours=1),
    origin: Origin = ZALO,
    **fields: object,
) -> FeedbackRouted:
    return routed_event(
        citizen,
        origin=origin,
        received_at=received_at,
        status=Status.TRIAGE,
        body=None,
        triage_reason="commune_unknown",
        candidates=(BODY,),
        **fields,
    )


async def test_the_citizen_is_asked_for_the_commune_on_zalo_within_its_window() -> None:
    world = NotifierWorld(TestClock.frozen(NOON), send_attempts=3)
    citizen = CITIZEN.model_copy(update={"contacts": Contacts(zalo_user_id="z-cuc")})
    await world.notifier.notify_routed(waiting_for_commune(citizen))

    [asked] = world.senders[Way.ZALO_CS].sent
    assert "xã, phường" in asked.notification.text
    assert world.sent(Way.EMAIL) == []  # no body is told while the item waits
    assert world.published.of(OperatorTaskOpened) == []


async def test_outside_every_window_of_their_own_an_operator_asks() -> None:
    world = NotifierWorld(TestClock.frozen(NOON), send_attempts=3)
    citizen = CITIZEN.model_copy(
        update={
            "contacts": Contacts(zalo_user_id="z-cuc", phone="+84912345678"),
            "last_inbound_at": NOON - timedelta(hours=49),  # Zalo's 48 h have passed
        }
    )
    await world.notifier.notify_routed(
        waiting_for_commune(citizen, received_at=NOON - timedelta(hours=49))
    )

    assert world.sent(Way.ZALO_CS) == []
    # The acknowledgement still goes (a ZNS template), and a person asks for the commune.
    assert world.sent(Way.ZALO_ZNS) == ["+84912345678"]
    [task] = world.published.of(OperatorTaskOpened)
    assert (task.kind, task.reason.split(":")[0]) == ("other", "ask_commune")


async def test_an_email_citizen_is_asked_any_time() -> None:
    world = NotifierWorld(TestClock.frozen(NOON), send_attempts=3)
    citizen = Citizen(
        contacts=Contacts(email="an@example.vn"),
        preferred_channel=Channel.EMAIL,
    )
    await world.notifier.notify_routed(
        waiting_for_commune(citizen, received_at=NOON - timedelta(days=5), channel=Channel.EMAIL)
    )
    [asked] = world.senders[Way.EMAIL].sent
    assert "xã, phường" in asked.notification.text


async def test_a_hotline_caller_gets_one_call_that_acknowledges_and_asks() -> None:
    world = NotifierWorld(TestClock.frozen(NOON), send_attempts=3)
    caller = Citizen(contacts=Contacts(phone="+84912345678"), preferred_channel=Channel.PHONE)
    await world.notifier.notify_routed(
        waiting_for_commune(
            caller, channel=Channel.PHONE, origin=Origin(kind=OriginKind.CALL, message_id="c-1")
        )
    )
    [task] = world.published.of(OperatorTaskOpened)  # one person, one call
    assert (task.kind, task.reason.split(":")[0]) == ("other", "ask_commune")
    assert "+84912345678" in task.reason
