"""Who hears about a routing decision, on which channel, and the emails that carry it."""

import email
import email.policy
from email.message import EmailMessage

import pytest

from hoiam_notifier.domain import Notification, delivery_id, plan_routed
from hoiam_notifier.mail import build_email
from hoiam_router.directory import load_directory
from hoiam_router.domain import route
from hoiam_router.handlers import to_event
from hoiam_shared.events import (
    BodyContact,
    BodyRef,
    Channel,
    Citizen,
    Contacts,
    FeedbackReceived,
    FeedbackRouted,
    RecipientKind,
    Status,
)
from support.samples import make_received

CONSOLE, PUBLIC = "https://console.example", "https://hoiam.example"
ELECTRICITY = "Khu vực ấp Long Hòa bị mất điện kéo dài 3 ngày, đường dây điện bị đứt sau mưa bão."


def routed_event(item: FeedbackReceived | None = None) -> FeedbackRouted:
    item = item or make_received(ELECTRICITY, address="xã Châu Thành, tỉnh Trà Vinh")
    return to_event(item, route(item, load_directory(), fallback_province=None))


def triaged_event() -> FeedbackRouted:
    item = make_received("Xin chào, tôi có một ý kiến muốn gửi.", address="tỉnh Trà Vinh")
    event = routed_event(item)
    assert event.status is Status.TRIAGE
    return event


def plan(routed: FeedbackRouted) -> list[Notification]:
    return plan_routed(routed, console_url=CONSOLE, public_url=PUBLIC)


def with_body_contacts(routed: FeedbackRouted, *contacts: BodyContact) -> FeedbackRouted:
    assert routed.body is not None
    body = BodyRef(
        id=routed.body.id, name=routed.body.name, level=routed.body.level, contacts=contacts
    )
    return routed.model_copy(update={"body": body})


def with_citizen(routed: FeedbackRouted, citizen: Citizen) -> FeedbackRouted:
    return routed.model_copy(update={"citizen": citizen})


def test_a_routed_item_emails_each_body_address_and_the_citizen() -> None:
    routed = with_body_contacts(
        routed_event(),
        BodyContact(channel=Channel.EMAIL, address="cskh@dienluc-vinhlong.example"),
        BodyContact(channel=Channel.EMAIL, address="giamdoc@dienluc-vinhlong.example"),
        BodyContact(channel=Channel.ZALO, address="oa-123"),  # not sent yet
    )

    notifications = plan(routed)

    bodies = [n for n in notifications if n.recipient_kind is RecipientKind.BODY]
    citizens = [n for n in notifications if n.recipient_kind is RecipientKind.CITIZEN]
    assert [n.address for n in bodies] == [
        "cskh@dienluc-vinhlong.example",
        "giamdoc@dienluc-vinhlong.example",
    ]
    assert all(n.channel is Channel.EMAIL for n in notifications)
    [citizen] = citizens
    assert citizen.address == "cutri.nguyenvana@gmail.com"
    assert citizen.unreachable_reason is None
    assert len({n.delivery_id for n in notifications}) == len(notifications) == 3


def test_the_body_message_carries_what_it_needs_to_act() -> None:
    routed = routed_event()
    assert routed.due_on is not None

    [body, _] = plan(routed)

    assert routed.tracking_code in body.subject
    assert "Công ty Điện lực Vĩnh Long" in body.text
    assert routed.due_on.strftime("%d/%m/%Y") in body.text
    assert ELECTRICITY in body.text
    assert f"{CONSOLE}/inbox/{routed.item_id}" in body.text
    assert "Nguyễn Văn An" in body.text


def test_the_citizen_hears_where_the_item_went_and_how_to_follow_it() -> None:
    routed = routed_event()

    citizen = plan(routed)[-1]

    assert citizen.recipient_kind is RecipientKind.CITIZEN
    assert "Công ty Điện lực Vĩnh Long" in citizen.subject
    assert citizen.text.startswith("Kính gửi Nguyễn Văn An,")
    assert f"{PUBLIC}/tra-cuu/{routed.tracking_code}" in citizen.text


def test_a_triaged_item_only_tells_the_citizen_it_is_being_looked_at() -> None:
    [citizen] = plan(triaged_event())

    assert citizen.recipient_kind is RecipientKind.CITIZEN
    assert "đang xác định" in citizen.text
    assert "đã được tiếp nhận" in citizen.subject
    assert "chuyển đến" not in citizen.subject


def test_citizen_text_is_escaped_in_the_html_part() -> None:
    routed = routed_event().model_copy(update={"text": "Mất điện <script>alert(1)</script> & nước"})

    [body, _] = plan(routed)

    assert "<script>" in body.text
    assert "<script>" not in body.html
    assert "&lt;script&gt;" in body.html
    assert "&amp; nước" in body.html


@pytest.mark.parametrize(
    ("citizen", "channel"),
    [
        (
            Citizen(contacts=Contacts(phone="+84912345678"), preferred_channel=Channel.PHONE),
            Channel.PHONE,
        ),
        (
            Citizen(
                contacts=Contacts(email="an@example.vn", phone="+84912345678"),
                preferred_channel=Channel.PHONE,  # asked for a call, not an email
            ),
            Channel.PHONE,
        ),
        (Citizen(preferred_channel=Channel.WEB), Channel.WEB),  # anonymous
    ],
)
def test_a_citizen_without_a_supported_channel_is_recorded_not_dropped(
    citizen: Citizen, channel: Channel
) -> None:
    notifications = plan(with_citizen(routed_event(), citizen))

    [unreachable] = [n for n in notifications if n.recipient_kind is RecipientKind.CITIZEN]
    assert unreachable.address is None
    assert unreachable.channel is channel
    assert unreachable.unreachable_reason is not None
    assert channel.value in unreachable.unreachable_reason
    assert unreachable.text.startswith("Kính gửi Ông/Bà,")  # no name given


def test_delivery_ids_are_deterministic_per_event_and_recipient() -> None:
    routed = routed_event()
    again = routed_event()  # same item text, but a different event

    first, second = plan(routed), plan(routed)

    assert [n.delivery_id for n in first] == [n.delivery_id for n in second]
    assert not {n.delivery_id for n in first} & {n.delivery_id for n in plan(again)}
    assert all(n.delivery_id.startswith(f"{routed.event_id}.") for n in first)


def test_delivery_id_depends_on_every_part_of_the_recipient() -> None:
    routed = routed_event()
    base = {
        "event_id": routed.event_id,
        "kind": RecipientKind.BODY,
        "channel": Channel.EMAIL,
        "address": "a@example.vn",
    }
    variants = [
        base,
        base | {"event_id": routed_event().event_id},
        base | {"kind": RecipientKind.CITIZEN},
        base | {"channel": Channel.ZALO},
        base | {"address": "b@example.vn"},
    ]

    ids = [delivery_id(**v) for v in variants]  # type: ignore[arg-type]

    assert len(set(ids)) == len(ids)
    assert delivery_id(**base) == ids[0]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("channel", "source_ref", "expected"),
    [
        (Channel.EMAIL, "<CAF=abc123@mail.gmail.com>", "<CAF=abc123@mail.gmail.com>"),
        (Channel.EMAIL, None, None),
        (Channel.WEB, "form-123", None),
    ],
)
def test_the_citizen_answer_threads_under_their_own_email_only(
    channel: Channel, source_ref: str | None, expected: str | None
) -> None:
    routed = routed_event().model_copy(update={"channel": channel, "source_ref": source_ref})

    notifications = plan(routed)

    assert notifications[-1].in_reply_to == expected
    assert all(n.in_reply_to is None for n in notifications[:-1])  # bodies never


def parse(message: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_build_email_round_trips_through_the_wire_format() -> None:
    routed = routed_event().model_copy(
        update={"channel": Channel.EMAIL, "source_ref": "<CAF=abc123@mail.gmail.com>"}
    )
    citizen = plan(routed)[-1]
    message = build_email(
        citizen, sender="Hồi Âm <hoi-am@hoiam.example>", mail_domain="hoiam.example"
    )

    parsed = parse(message)

    # A long msg-id header is folded onto a continuation line (legal CFWS); compare the id itself.
    assert parsed["Message-ID"].strip() == f"<{citizen.delivery_id}@hoiam.example>"
    assert parsed["In-Reply-To"].strip() == "<CAF=abc123@mail.gmail.com>"
    assert parsed["References"].strip() == "<CAF=abc123@mail.gmail.com>"
    assert parsed["To"] == "cutri.nguyenvana@gmail.com"
    assert parsed["From"] == "Hồi Âm <hoi-am@hoiam.example>"
    assert parsed["X-HoiAm-Tracking-Code"] == routed.tracking_code
    assert parsed["Subject"] == citizen.subject  # Vietnamese survives RFC 2047 encoding
    assert parsed["Date"] is not None
    plain, rich = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert plain is not None
    assert rich is not None
    assert plain.get_content().rstrip("\n") == citizen.text.rstrip("\n")
    assert rich.get_content().rstrip("\n") == citizen.html


def test_build_email_without_a_thread_has_no_reply_headers() -> None:
    [body, _] = plan(routed_event())

    parsed = parse(build_email(body, sender="hoi-am@hoiam.example", mail_domain="hoiam.example"))

    assert parsed["In-Reply-To"] is None
    assert parsed["References"] is None
    assert parsed["Message-ID"].strip() == body.message_id("hoiam.example")


def test_the_same_delivery_always_gets_the_same_message_id() -> None:
    [body, _] = plan(routed_event())

    first = build_email(body, sender="hoi-am@hoiam.example", mail_domain="hoiam.example")
    again = build_email(body, sender="hoi-am@hoiam.example", mail_domain="hoiam.example")

    assert first["Message-ID"] == again["Message-ID"]


def test_build_email_refuses_a_notification_without_an_address() -> None:
    citizen = Citizen(contacts=Contacts(phone="+84912345678"), preferred_channel=Channel.PHONE)
    unreachable = plan(with_citizen(routed_event(), citizen))[-1]

    with pytest.raises(ValueError, match="address"):
        build_email(unreachable, sender="hoi-am@hoiam.example", mail_domain="hoiam.example")
