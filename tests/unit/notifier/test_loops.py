"""Issue 10, "every loop closed": threading ids, line breaks, links, and what a citizen adds."""

import re
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from typing import Any
from uuid import UUID

import pytest

from fakes import NotifierWorld
from hoiam_notifier.channels.port import Outgoing
from hoiam_notifier.channels.smtp import build_email
from hoiam_notifier.domain.digests import digest_notification
from hoiam_notifier.domain.knowledge import ItemRecord, Links, Policy, Reachability
from hoiam_notifier.domain.notifications import Notification, Target, Way
from hoiam_notifier.domain.plans import plan_routed, plan_status
from hoiam_router.domain import route
from hoiam_router.domain.events import routed_event as router_event
from hoiam_shared.events import (
    BodyContact,
    BodyRef,
    Channel,
    CouncillorRef,
    FeedbackMessageAdded,
    FeedbackRouted,
    FeedbackText,
    Origin,
    OriginKind,
    RecipientKind,
    Status,
    StatusChange,
    StatusChanged,
)
from support.clock import TestClock
from support.router import bundled_directory
from support.samples import make_received

NOON = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)  # 12:00 in Vietnam
WITH_LINKS = Links(console_url="https://console.example", public_url="https://hoiam.example")
NO_LINKS = Links(console_url=None, public_url=None)
BREAKS = ("\r", "\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c")
URL = re.compile(r"https?://|www\.", re.IGNORECASE)


def routed_event() -> FeedbackRouted:
    item = make_received(
        "Khu vực ấp Long Hòa bị mất điện kéo dài 3 ngày, đường dây điện bị đứt sau mưa bão.",
        address="xã Châu Thành, tỉnh Trà Vinh",
    )
    decision = route(item, bundled_directory(), fallback_province=None)
    routed = router_event(item, decision, at=item.received_at)
    assert routed.body is not None
    body = routed.body.model_copy(
        update={"contacts": (BodyContact(channel=Channel.EMAIL, address="cskh@dien.example"),)}
    )
    councillor = CouncillorRef(
        id="hdnd-1",
        name="Trần Văn Bình",
        council="HĐND tỉnh",
        contacts=(BodyContact(channel=Channel.EMAIL, address="binh@hdnd.example"),),
    )
    return routed.model_copy(update={"body": body, "councillors": (councillor,)})


def email_of(notification: Notification, address: str = "x@example.vn") -> bytes:
    message = build_email(
        Outgoing(notification, Target(way=Way.EMAIL, address=address), "d-1"),
        sender="hoiam@example.vn",
        mail_domain="example.vn",
        written_at=NOON,
    )
    return message.as_bytes(policy=policy.SMTP)


# --- point 4: In-Reply-To / References are msg-ids ---------------------------------------------


@pytest.mark.parametrize(
    ("message_id", "references"),
    [
        ("b@mail.example", ("a@mail.example",)),  # as intake stores them: no brackets
        ("<b@mail.example>", ("<a@mail.example>",)),
    ],
)
def test_in_reply_to_and_references_are_bracketed_msg_ids_whatever_was_stored(
    message_id: str, references: tuple[str, ...]
) -> None:
    origin = Origin(kind=OriginKind.EMAIL, message_id=message_id, references=references)
    routed = routed_event().model_copy(update={"origin": origin, "channel": Channel.EMAIL})

    citizen = plan_routed(
        routed, reach=Reachability(), links=WITH_LINKS, now=NOON, policy=Policy()
    )[-1]
    read = message_from_bytes(email_of(citizen), policy=policy.default)

    assert str(read["In-Reply-To"]).strip() == "<b@mail.example>"
    assert str(read["References"]).split() == ["<a@mail.example>", "<b@mail.example>"]


def test_an_id_that_cannot_be_a_msg_id_is_left_out_of_the_thread_headers() -> None:
    origin = Origin(
        kind=OriginKind.EMAIL, message_id="b@mail.example", references=("not an id", "<>")
    )
    routed = routed_event().model_copy(update={"origin": origin, "channel": Channel.EMAIL})

    citizen = plan_routed(
        routed, reach=Reachability(), links=WITH_LINKS, now=NOON, policy=Policy()
    )[-1]

    assert citizen.in_reply_to == "<b@mail.example>"
    assert citizen.references == ("<b@mail.example>",)


# --- point 4: line breaks in names and subjects -------------------------------------------------

DIRTY_NAME = "Nguyễn\r\nVăn\u2028An\nBcc: victim@example.vn"
DIRTY_SUBJECT = "Đường\r\nngập\u2029nặng\x85ở ấp"
DIRTY_BODY = "Công ty\nĐiện lực\r\nVĩnh Long"


def dirty_routed() -> FeedbackRouted:
    routed = routed_event()
    assert routed.body is not None
    citizen = routed.citizen.model_copy(update={"name": DIRTY_NAME})
    body = routed.body.model_copy(update={"name": DIRTY_BODY})
    councillor = routed.councillors[0].model_copy(update={"name": "Trần\nVăn Bình"})
    return routed.model_copy(
        update={
            "citizen": citizen,
            "subject": DIRTY_SUBJECT,
            "body": body,
            "councillors": (councillor,),
        }
    )


def test_line_breaks_in_names_and_subjects_are_flattened_in_every_message() -> None:
    routed = dirty_routed()
    assert routed.body is not None
    record = ItemRecord(
        item_id=routed.item_id,
        tracking_code=routed.tracking_code,
        channel=Channel.WEB,
        citizen=routed.citizen,
        subject=DIRTY_SUBJECT,
        body=routed.body,
    )
    escalated = StatusChanged(
        correlation_id=routed.item_id,
        item_id=routed.item_id,
        tracking_code=routed.tracking_code,
        status=Status.ROUTED,
        change=StatusChange.ESCALATED,
        body=routed.body,
        escalated_to=BodyRef(id="p", name="Ủy ban\nnhân dân tỉnh", level="province_committee"),
    )
    plan = plan_routed(routed, reach=Reachability(), links=WITH_LINKS, now=NOON, policy=Policy())
    plan += plan_status(
        escalated,
        records=[record],
        reaches={},
        links=WITH_LINKS,
        now=NOON,
        policy=Policy(),
    )

    assert len(plan) == 5  # body, councillor, citizen; escalation: body and citizen (+ parent)
    for notification in plan:
        assert not any(b in notification.subject for b in BREAKS), notification.subject
        assert not any(b in v for v in notification.template_data.values() for b in BREAKS)
        lines = notification.text.splitlines()
        assert not any(line.startswith("Bcc:") for line in lines)
        for broken in ("Nguyễn\n", "Văn\n", "Điện lực\n", "Trần\n", "Ủy ban\n", "Đường\n"):
            assert broken not in notification.text
        headers = email_of(notification).split(b"\r\n\r\n", 1)[0]
        assert b"\r\nBcc:" not in headers
    citizen = plan[2]
    assert citizen.text.startswith("Kính gửi Nguyễn Văn An Bcc: victim@example.vn,\n")
    assert "Công ty Điện lực Vĩnh Long" in citizen.subject
    assert "Đường ngập nặng ở ấp" in plan[0].subject


@pytest.mark.parametrize("locale", ["vi", "en"])
async def test_the_answer_to_a_resent_matter_names_the_body_on_one_line(locale: str) -> None:
    world = NotifierWorld(TestClock.frozen(NOON), send_attempts=1)
    routed = dirty_routed()
    routed = routed.model_copy(
        update={"citizen": routed.citizen.model_copy(update={"locale": locale})}
    )
    await world.notifier.notify_routed(routed)
    before = len(world.senders[Way.EMAIL].sent)

    await world.notifier.record_message(citizen_reply(routed, "Mất điện.", kind="resent"))

    [told] = world.senders[Way.EMAIL].sent[before:]
    assert "Công ty Điện lực Vĩnh Long" in told.notification.text
    assert "Điện lực\n" not in told.notification.text


def test_a_digest_flattens_the_subjects_it_lists() -> None:
    routed = dirty_routed()
    body = plan_routed(routed, reach=Reachability(), links=WITH_LINKS, now=NOON, policy=Policy())[0]

    digest = digest_notification([body], day=date(2026, 11, 27), links=WITH_LINKS)

    assert not any(b in digest.subject for b in BREAKS)
    assert "Kính gửi Công ty Điện lực Vĩnh Long," in digest.text


# --- point 5: no link unless its base URL is configured -----------------------------------------


def every_message(links: Links) -> list[Notification]:
    routed = routed_event()
    assert routed.body is not None
    record = ItemRecord(
        item_id=routed.item_id,
        tracking_code=routed.tracking_code,
        channel=Channel.WEB,
        citizen=routed.citizen,
        body=routed.body,
    )
    plan = plan_routed(routed, reach=Reachability(), links=links, now=NOON, policy=Policy())
    for change, status in [
        (StatusChange.TRANSITION, Status.RESOLVED),
        (StatusChange.OVERDUE, Status.ROUTED),
        (StatusChange.ESCALATED, Status.ROUTED),
        (StatusChange.REASSIGNED, Status.ROUTED),
    ]:
        event = StatusChanged(
            correlation_id=routed.item_id,
            item_id=routed.item_id,
            tracking_code=routed.tracking_code,
            status=status,
            change=change,
            answer="Đã nối lại đường dây.",
            body=routed.body,
            escalated_to=BodyRef(id="p", name="UBND tỉnh", level="province_committee"),
        )
        plan += plan_status(
            event, records=[record], reaches={}, links=links, now=NOON, policy=Policy()
        )
    plan.append(digest_notification(plan[:1], day=date(2026, 11, 27), links=links))
    return plan


def texts_of(notification: Notification) -> list[str]:
    return [
        notification.subject,
        notification.text,
        notification.html,
        notification.short_text,
        *notification.template_data.values(),
    ]


def test_no_message_carries_a_link_when_no_base_url_is_configured() -> None:
    plan = every_message(NO_LINKS)

    assert len(plan) > 8
    for notification in plan:
        for text in texts_of(notification):
            assert not URL.search(text), text
        # Instead: the code, and how to ask about it.
        if notification.digest:
            continue
        assert notification.tracking_code in notification.text
    citizen = next(n for n in plan if n.recipient.startswith("citizen:"))
    assert "nêu mã theo dõi" in citizen.text
    assert "nêu mã theo dõi" in citizen.short_text


def test_each_link_is_the_right_page_when_the_base_url_is_configured() -> None:
    plan = every_message(WITH_LINKS)
    routed_body, _councillor, citizen = plan[:3]

    assert f"Tra cứu tình trạng: https://hoiam.example/t/{citizen.tracking_code}" in citizen.text
    assert f"https://hoiam.example/t/{citizen.tracking_code}" in citizen.short_text
    assert (
        f"Xem và trả lời: https://console.example/inbox/{routed_body.item_id}" in routed_body.text
    )
    found = {u for n in plan for t in texts_of(n) for u in re.findall(r"https?://[^\s<>\"]+", t)}
    allowed = {
        f"https://hoiam.example/t/{citizen.tracking_code}",
        f"https://hoiam.example/t/{citizen.tracking_code}#rate",  # the resolution's rating
        f"https://console.example/inbox/{routed_body.item_id}",
        "https://console.example/inbox",
    }
    assert {u.rstrip(".,)") for u in found} <= allowed


def test_the_settings_leave_links_off_by_default_and_take_base_urls() -> None:
    from hoiam_notifier.app import make_links
    from hoiam_notifier.settings import NotifierSettings

    assert make_links(NotifierSettings()) == Links(console_url=None, public_url=None)
    configured = NotifierSettings(
        public_base_url="https://hoiam.example/", console_base_url="https://console.example"
    )
    assert make_links(configured) == Links(
        console_url="https://console.example", public_url="https://hoiam.example"
    )


# --- point 2: the body is told what the citizen added -------------------------------------------


def citizen_reply(
    routed: FeedbackRouted, words: str | None, kind: str = "reply", channel: Channel = Channel.EMAIL
) -> Any:
    return FeedbackMessageAdded.model_validate(
        {
            "correlation_id": routed.item_id,
            "item_id": routed.item_id,
            "tracking_code": routed.tracking_code,
            "channel": channel,
            "source_ref": f"<{kind}-1@mail.vn>",
            "kind": kind,
            "received_at": NOON,
            "citizen": routed.citizen,
            "text": FeedbackText(original=words, normalised=words) if words else None,
        }
    )


# A later Zalo or Messenger message in the same conversation arrives as a reply too.
@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.ZALO, Channel.FACEBOOK])
async def test_the_body_is_told_once_what_the_citizen_added(channel: Channel) -> None:
    world = NotifierWorld(TestClock.frozen(NOON), send_attempts=1)
    routed = routed_event()
    await world.notifier.notify_routed(routed)
    before = len(world.senders[Way.EMAIL].sent)
    added = citizen_reply(routed, "Bổ sung: cột điện ở đầu ấp đã nghiêng hẳn.", channel=channel)

    await world.notifier.record_message(added)
    await world.notifier.record_message(added)  # redelivered: nobody hears it twice

    told = world.senders[Way.EMAIL].sent[before:]
    assert [(o.target.address, o.notification.recipient_kind) for o in told] == [
        ("cskh@dien.example", RecipientKind.BODY)
    ]
    message = told[0].notification
    assert message.subject == f"[Hồi Âm {routed.tracking_code}] Cử tri bổ sung ý kiến"
    assert "Cử tri đã bổ sung" in message.text
    assert "Bổ sung: cột điện ở đầu ấp đã nghiêng hẳn." in message.text
    assert routed.tracking_code in message.text
    assert "Hạn trả lời" not in message.text  # the notifier does not know it any more


async def test_edits_removals_and_unknown_items_tell_no_body() -> None:
    world = NotifierWorld(TestClock.frozen(NOON), send_attempts=1)
    routed = routed_event()
    await world.notifier.notify_routed(routed)
    before = len(world.senders[Way.EMAIL].sent)

    await world.notifier.record_message(citizen_reply(routed, "sửa chữ", kind="edit"))
    await world.notifier.record_message(citizen_reply(routed, None, kind="remove"))
    await world.notifier.record_message(citizen_reply(routed_event(), "chưa định tuyến"))

    assert world.senders[Way.EMAIL].sent[before:] == []


WATER = BodyRef(
    id="86-cap-nuoc",
    name="Công ty Cấp nước",
    level="utility",
    contacts=(BodyContact(channel=Channel.EMAIL, address="cskh@capnuoc.example"),),
)
"""The body a later routing gives the item to."""


async def test_after_a_triage_decision_or_reassignment_the_new_body_hears_it() -> None:
    world = NotifierWorld(TestClock.frozen(NOON), send_attempts=1)
    first = routed_event()
    again = first.model_copy(
        update={
            "event_id": UUID(int=77),
            "occurred_at": first.occurred_at + timedelta(days=1),
            "body": WATER,
        }
    )
    await world.notifier.notify_routed(first)
    await world.notifier.notify_routed(again)  # the router's routing for the new body
    await world.notifier.notify_routed(first)  # an old record redelivered changes nothing
    before = len(world.senders[Way.EMAIL].sent)

    await world.notifier.record_message(citizen_reply(first, "Bổ sung thêm."))

    told = world.senders[Way.EMAIL].sent[before:]
    assert [o.target.address for o in told] == ["cskh@capnuoc.example"]


# --- one truth for where an item stands: the body from routings, the status per item ------------


def status_of(routed: FeedbackRouted, status: Status, **fields: Any) -> StatusChanged:
    return StatusChanged(
        occurred_at=fields.pop("occurred_at", NOON),
        correlation_id=routed.item_id,
        item_id=routed.item_id,
        tracking_code=routed.tracking_code,
        status=status,
        case_item_ids=fields.pop("case_item_ids", (routed.item_id,)),
        **fields,
    )


async def test_an_item_handed_back_to_triage_tells_no_body_what_the_citizen_adds() -> None:
    world = NotifierWorld(TestClock.frozen(NOON), send_attempts=1)
    routed = routed_event()
    await world.notifier.notify_routed(routed)
    await world.notifier.notify_status(
        status_of(routed, Status.TRIAGE, change=StatusChange.REASSIGNED, body=None)
    )
    before = len(world.senders[Way.EMAIL].sent)

    await world.notifier.record_message(citizen_reply(routed, "Bổ sung thêm."))

    assert world.senders[Way.EMAIL].sent[before:] == []


async def test_a_late_status_change_does_not_take_the_item_from_the_body_that_has_it() -> None:
    world = NotifierWorld(TestClock.frozen(NOON), send_attempts=1)
    first = routed_event()
    assert first.body is not None
    await world.notifier.notify_routed(first)
    # The item was given to `WATER` (its routing came first); the status change of an earlier
    # case event, from another partition, arrives after it and names the first body.
    given = first.model_copy(
        update={
            "event_id": UUID(int=78),
            "occurred_at": first.occurred_at + timedelta(hours=2),
            "body": WATER,
        }
    )
    await world.notifier.notify_routed(given)
    await world.notifier.notify_status(
        status_of(
            first,
            Status.IN_PROGRESS,
            body=first.body,
            occurred_at=first.occurred_at + timedelta(hours=1),
        )
    )
    before = len(world.senders[Way.EMAIL].sent)

    await world.notifier.record_message(citizen_reply(first, "Bổ sung thêm."))

    assert [o.target.address for o in world.senders[Way.EMAIL].sent[before:]] == [
        "cskh@capnuoc.example"
    ]


async def test_a_case_escalation_leaves_each_petitioners_own_status() -> None:
    world = NotifierWorld(TestClock.frozen(NOON), send_attempts=1)
    lead, other = routed_event(), routed_event()
    await world.notifier.notify_routed(lead)
    await world.notifier.notify_routed(other)
    await world.notifier.notify_status(status_of(other, Status.IN_PROGRESS))
    await world.notifier.notify_status(
        status_of(
            lead,
            Status.ROUTED,
            change=StatusChange.ESCALATED,
            case_item_ids=(lead.item_id, other.item_id),
        )
    )

    [record] = await world.items.find((other.item_id,))
    assert record.status is Status.IN_PROGRESS


def test_planning_an_acknowledgement_reads_no_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    routed = routed_event()

    class NoClock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> "NoClock":
            raise AssertionError("the domain read the wall clock")

    monkeypatch.setattr("hoiam_shared.events.datetime", NoClock)
    plan = plan_routed(routed, reach=Reachability(), links=NO_LINKS, now=NOON, policy=Policy())

    assert plan
