"""The notifier's handlers on in-memory stores and senders: once, fallbacks, tasks, queues."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from fakes import NotifierWorld
from hoiam_notifier.channels.errors import ErrorKind, Verdict
from hoiam_notifier.channels.port import SendError
from hoiam_notifier.domain.deliveries import DeliveryStatus
from hoiam_notifier.domain.knowledge import Links, Policy, Reachability
from hoiam_notifier.domain.notifications import Way
from hoiam_notifier.domain.plans import plan_routed
from hoiam_shared.events import (
    BodyContact,
    BodyRef,
    Channel,
    Citizen,
    ContactReachabilityChanged,
    Contacts,
    Delivery,
    FeedbackMessageAdded,
    FeedbackRouted,
    NotificationFailed,
    NotificationSent,
    OperatorTaskOpened,
    Origin,
    OriginKind,
    StatusChanged,
)
from support.clock import TestClock
from support.notifier_events import UTILITY
from support.notifier_events import resolved as resolved_event
from support.notifier_events import routed as routed_event

NOON = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)  # 12:00 in Vietnam


def world_at(moment: datetime = NOON) -> NotifierWorld:
    """The notifier built as production builds it, on fakes, its clock frozen at `moment`."""
    return NotifierWorld(TestClock.frozen(moment), send_attempts=3)


BODY = UTILITY.model_copy(
    update={"contacts": (BodyContact(channel=Channel.EMAIL, address="cskh@dienluc.example"),)}
)


def routed(citizen: Citizen, *, origin: Origin | None = None, **extra: Any) -> FeedbackRouted:
    """Routed an hour before noon to a utility with an email contact."""
    fields: dict[str, Any] = {"body": BODY, "received_at": NOON - timedelta(hours=1)}
    return routed_event(citizen, origin=origin, **(fields | extra))


def resolved(*items: FeedbackRouted) -> StatusChanged:
    return resolved_event(*items, answer="Đã nối lại đường dây.", case_id=UUID(int=5))


ZALO_CITIZEN = Citizen(
    name="Lê Thị Cúc",
    contacts=Contacts(zalo_user_id="z-cuc", phone="+84912345678", email="cuc@example.vn"),
    preferred_channel=Channel.ZALO,
    last_inbound_at=NOON - timedelta(hours=1),
)
ZALO_ORIGIN = Origin(kind=OriginKind.ZALO_MESSAGE, message_id="zmsg-1")


async def test_routed_tells_body_and_citizen_once_even_when_redelivered() -> None:
    world = world_at()
    event = routed(ZALO_CITIZEN, origin=ZALO_ORIGIN)

    await world.notifier.notify_routed(event)
    await world.notifier.notify_routed(event)

    assert world.sent(Way.EMAIL) == ["cskh@dienluc.example"]
    assert world.sent(Way.ZALO_CS) == ["z-cuc"]
    sent = world.published.of(NotificationSent)
    assert len(sent) == 4  # two deliveries, each outcome published again on the redelivery
    assert len({e.event_id for e in sent}) == 2
    assert (
        world.metric("notifier_notifications_total", channel="zalo", outcome="duplicate_skipped")
        == 1
    )


async def test_a_status_change_reaches_every_petitioner_of_the_case() -> None:
    world = world_at()
    by_email = Citizen(contacts=Contacts(email="an@example.vn"), preferred_channel=Channel.EMAIL)
    first, second = routed(ZALO_CITIZEN, origin=ZALO_ORIGIN), routed(by_email)
    await world.notifier.notify_routed(first)
    await world.notifier.notify_routed(second)

    await world.notifier.notify_status(resolved(first, second))

    assert world.sent(Way.ZALO_CS) == ["z-cuc", "z-cuc"]
    assert world.sent(Way.EMAIL).count("an@example.vn") == 2
    last_zalo = world.senders[Way.ZALO_CS].sent[-1].notification
    assert "Đã nối lại đường dây." in last_zalo.text
    assert first.tracking_code in last_zalo.text


async def test_window_closed_at_the_provider_falls_back_to_zns_and_says_so() -> None:
    world = world_at()
    world.senders[Way.ZALO_CS].script["z-cuc"] = [
        SendError(Verdict(ErrorKind.FALLBACK, "user has not interacted"), answer="-230")
    ]

    await world.notifier.notify_routed(routed(ZALO_CITIZEN, origin=ZALO_ORIGIN))

    assert world.sent(Way.ZALO_ZNS) == ["+84912345678"]
    [citizen] = [e for e in world.published.of(NotificationSent) if e.channel is Channel.ZALO]
    assert citizen.fallback_from is Channel.ZALO
    assert world.metric("notifier_fallbacks_total", way="zalo_cs") == 1


async def test_an_unfollow_event_makes_the_next_message_skip_zalo() -> None:
    world = world_at()
    event = routed(ZALO_CITIZEN, origin=ZALO_ORIGIN)
    await world.notifier.notify_routed(event)
    await world.notifier.record_reachability(
        ContactReachabilityChanged(
            correlation_id=event.item_id,
            channel=Channel.ZALO,
            address="z-cuc",
            reachable=False,
            reason="unfollowed",
            changed_at=NOON,
        )
    )

    await world.notifier.notify_status(resolved(event))

    assert world.sent(Way.ZALO_CS) == ["z-cuc"]  # only the acknowledgement, before the unfollow
    assert world.sent(Way.ZALO_ZNS) == ["+84912345678"]


async def test_a_later_message_reopens_the_window() -> None:
    world = world_at()
    old = ZALO_CITIZEN.model_copy(update={"last_inbound_at": NOON - timedelta(days=4)})
    event = routed(
        old, origin=ZALO_ORIGIN, received_at=NOON - timedelta(days=4), channel=Channel.ZALO
    )
    await world.notifier.notify_routed(event)
    assert world.sent(Way.ZALO_CS) == []
    await world.notifier.record_message(
        FeedbackMessageAdded(
            correlation_id=event.item_id,
            item_id=event.item_id,
            tracking_code=event.tracking_code,
            channel=Channel.ZALO,
            kind="reply",
            received_at=NOON - timedelta(minutes=5),
        )
    )

    await world.notifier.notify_status(resolved(event))

    assert world.sent(Way.ZALO_CS) == ["z-cuc"]


async def test_an_edited_comment_does_not_reopen_a_window() -> None:
    world = world_at()
    old = ZALO_CITIZEN.model_copy(update={"last_inbound_at": NOON - timedelta(days=4)})
    event = routed(old, origin=ZALO_ORIGIN, received_at=NOON - timedelta(days=4))
    await world.notifier.notify_routed(event)
    await world.notifier.record_message(
        FeedbackMessageAdded(
            correlation_id=event.item_id,
            item_id=event.item_id,
            tracking_code=event.tracking_code,
            channel=Channel.ZALO,
            kind="edit",
            received_at=NOON - timedelta(minutes=5),
        )
    )

    await world.notifier.notify_status(resolved(event))

    assert world.sent(Way.ZALO_CS) == []
    assert world.sent(Way.ZALO_ZNS) == ["+84912345678", "+84912345678"]


async def test_transient_errors_are_retried_then_sent() -> None:
    world = world_at()
    world.senders[Way.EMAIL].script["cskh@dienluc.example"] = [
        SendError(Verdict(ErrorKind.RETRY, "HTTP 503")),
        SendError(Verdict(ErrorKind.RETRY, "HTTP 429"), retry_after=0.01),
    ]

    await world.notifier.notify_routed(routed(ZALO_CITIZEN, origin=ZALO_ORIGIN))

    [body] = [e for e in world.published.of(NotificationSent) if e.channel is Channel.EMAIL]
    assert body.attempts == 3
    assert world.metric("notifier_retries_total", channel="email") == 2


async def test_a_bad_address_fails_with_the_answer_marks_the_bounce_and_falls_back() -> None:
    world = world_at()
    citizen = Citizen(
        contacts=Contacts(email="nobody@example.vn", phone="+84912345678"),
        preferred_channel=Channel.EMAIL,
    )
    world.senders[Way.EMAIL].script["nobody@example.vn"] = [
        SendError(Verdict(ErrorKind.FAIL, "mailbox refused"), answer="550 5.1.1 no such user")
    ]

    await world.notifier.notify_routed(routed(citizen))

    [failed] = world.published.of(NotificationFailed)
    assert failed.provider_answer == "550 5.1.1 no such user"
    [bounce] = world.published.of(ContactReachabilityChanged)
    assert (bounce.address, bounce.reachable, bounce.reason) == (
        "nobody@example.vn",
        False,
        "bounced",
    )
    assert world.sent(Way.ZALO_ZNS) == ["+84912345678"]


async def test_a_mail_server_down_past_the_retries_fails_without_marking_a_bounce() -> None:
    world = world_at()
    citizen = Citizen(contacts=Contacts(email="an@example.vn"), preferred_channel=Channel.EMAIL)
    world.senders[Way.EMAIL].script["an@example.vn"] = [
        SendError(Verdict(ErrorKind.RETRY, "mail server unreachable"), answer="refused")
        for _ in range(3)
    ]

    await world.notifier.notify_routed(routed(citizen))

    [failed] = world.published.of(NotificationFailed)
    assert failed.error.startswith("gave up after 3 tries")
    assert failed.attempts == 3
    assert world.published.of(ContactReachabilityChanged) == []
    [task] = world.published.of(OperatorTaskOpened)
    assert task.kind == "unreachable_citizen"


async def test_a_phone_only_caller_gets_a_call_back_task_once() -> None:
    world = world_at()
    caller = Citizen(contacts=Contacts(phone="+84912345678"), preferred_channel=Channel.PHONE)
    event = routed(caller, origin=Origin(kind=OriginKind.CALL), channel=Channel.PHONE)

    await world.notifier.notify_routed(event)
    await world.notifier.notify_routed(event)

    tasks = world.published.of(OperatorTaskOpened)
    assert {t.kind for t in tasks} == {"call_back"}
    assert len({t.task_id for t in tasks}) == 1
    assert tasks[0].phone == "+84912345678"
    assert world.sent(Way.SMS) == []


async def test_when_every_way_fails_an_operator_task_is_opened() -> None:
    world = world_at()
    citizen = Citizen(contacts=Contacts(facebook_psid="p1"), preferred_channel=Channel.FACEBOOK)
    world.senders[Way.MESSENGER].script["p1"] = [
        SendError(Verdict(ErrorKind.FALLBACK, "this person isn't available right now"))
    ]
    event = routed(citizen, origin=Origin(kind=OriginKind.MESSENGER), channel=Channel.FACEBOOK)

    await world.notifier.notify_routed(event)

    [task] = world.published.of(OperatorTaskOpened)
    assert task.kind == "unreachable_citizen"
    assert task.tracking_code == event.tracking_code


async def test_an_interrupted_zalo_send_is_not_resent_but_handed_to_a_person() -> None:
    world = world_at()
    event = routed(ZALO_CITIZEN, origin=ZALO_ORIGIN)
    [_, citizen_plan] = plan_routed(
        event,
        reach=Reachability(),
        links=Links("http://console", "http://public"),
        now=NOON,
        policy=Policy(),
    )
    # As if a previous process recorded the intent and died before recording the outcome.
    target = citizen_plan.targets[0]
    await world.deliveries.claim(citizen_plan)
    await world.deliveries.begin(citizen_plan.delivery_id(target), citizen_plan, target)

    await world.notifier.notify_routed(event)

    assert world.sent(Way.ZALO_CS) == []
    [task] = world.published.of(OperatorTaskOpened)
    assert task.kind == "delivery_outcome_unknown"  # its own kind, no longer "other"
    assert task.reason == "delivery_outcome_unknown"
    statuses = dict(await world.deliveries.outcomes(event.item_id))
    assert statuses[citizen_plan.delivery_id(target)] is DeliveryStatus.UNKNOWN


async def test_quiet_hours_hold_zalo_until_seven_then_the_flush_sends_it_once() -> None:
    world = world_at(datetime(2026, 11, 27, 15, 30, tzinfo=UTC))  # 22:30 in Vietnam
    await world.notifier.notify_routed(routed(ZALO_CITIZEN, origin=ZALO_ORIGIN, received_at=None))

    assert world.sent(Way.EMAIL) == ["cskh@dienluc.example"]  # email goes at night
    assert world.sent(Way.ZALO_CS) == []
    assert await world.notifier.flush() == 0  # still night

    world.clock.set(datetime(2026, 11, 28, 0, 1, tzinfo=UTC))  # 07:01
    assert await world.notifier.flush() == 1
    assert await world.notifier.flush() == 0
    # The window is counted from the citizen's last message, ~9.5 h before: still open.
    assert world.sent(Way.ZALO_CS) == ["z-cuc"]


async def test_digest_recipients_get_one_message_a_day_at_the_digest_hour() -> None:
    world = world_at()  # noon; digests at 17:00 local
    body = BodyRef(
        id="dl",
        name="Công ty Điện lực Vĩnh Long",
        level="utility",
        contacts=(
            BodyContact(
                channel=Channel.EMAIL, address="lanhdao@dienluc.example", delivery=Delivery.DIGEST
            ),
        ),
    )
    events = [routed(ZALO_CITIZEN, origin=ZALO_ORIGIN, body=body) for _ in range(3)]
    for event in events:
        await world.notifier.notify_routed(event)
    await world.notifier.notify_routed(events[0])  # a redelivery queues nothing new

    assert world.sent(Way.EMAIL) == []
    world.clock.set(datetime(2026, 11, 27, 10, 1, tzinfo=UTC))  # 17:01
    await world.notifier.flush()
    await world.notifier.flush()

    [digest] = world.senders[Way.EMAIL].sent
    assert digest.target.address == "lanhdao@dienluc.example"
    assert all(e.tracking_code in digest.notification.text for e in events)


@pytest.mark.parametrize("status", [DeliveryStatus.SENT, DeliveryStatus.FALLBACK])
async def test_a_finished_delivery_is_never_tried_again(status: DeliveryStatus) -> None:
    world = world_at()
    event = routed(ZALO_CITIZEN, origin=ZALO_ORIGIN)
    if status is DeliveryStatus.FALLBACK:
        world.senders[Way.ZALO_CS].script["z-cuc"] = [
            SendError(Verdict(ErrorKind.FALLBACK, "window closed"))
        ]
    await world.notifier.notify_routed(event)
    attempts = world.senders[Way.ZALO_CS].attempts

    await world.notifier.notify_routed(event)

    assert world.senders[Way.ZALO_CS].attempts == attempts
    assert len(world.senders[Way.ZALO_CS].sent) + len(world.senders[Way.ZALO_ZNS].sent) == 1


async def test_a_body_contact_no_way_can_reach_is_reported_as_failed() -> None:
    world = world_at()
    body = BodyRef(
        id="dl",
        name="Công ty Điện lực Vĩnh Long",
        level="utility",
        contacts=(BodyContact(channel=Channel.ZALO, address="officer-unfollowed"),),
    )
    world.senders[Way.ZALO_CS].script["officer-unfollowed"] = [
        SendError(Verdict(ErrorKind.FALLBACK, "user has not followed the OA"), answer="-213")
    ]

    await world.notifier.notify_routed(routed(ZALO_CITIZEN, origin=ZALO_ORIGIN, body=body))

    [failed] = world.published.of(NotificationFailed)
    assert failed.recipient_kind.value == "body"
    assert failed.provider_answer == "-213"
    assert world.published.of(OperatorTaskOpened) == []
