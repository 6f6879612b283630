"""Who hears of a routing decision or a status change, on which way, when; what errors mean."""

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

import pytest

from hoiam_notifier.domain.digests import digest_notification
from hoiam_notifier.domain.knowledge import ItemRecord, Links, Policy, Reachability, item_record
from hoiam_notifier.domain.notifications import HUMAN_AGENT, Notification, Target, Way, delivery_id
from hoiam_notifier.domain.plans import case_items, plan_routed, plan_status
from hoiam_notifier.domain.quiet_hours import digest_due, quiet_until
from hoiam_notifier.domain.ways import citizen_targets
from hoiam_router.domain import route
from hoiam_router.domain.events import routed_event as router_event
from hoiam_shared.events import (
    BodyContact,
    BodyRef,
    Channel,
    Citizen,
    Contacts,
    CouncillorRef,
    Delivery,
    FeedbackReceived,
    FeedbackRouted,
    Origin,
    OriginKind,
    RecipientKind,
    Status,
    StatusChange,
    StatusChanged,
)
from support.router import bundled_directory
from support.samples import make_received

LINKS = Links(console_url="https://console.example", public_url="https://hoiam.example")
POLICY = Policy()
NOON = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)  # 12:00 in Vietnam
ELECTRICITY = "Khu vực ấp Long Hòa bị mất điện kéo dài 3 ngày, đường dây điện bị đứt sau mưa bão."


def routed_event(item: FeedbackReceived | None = None) -> FeedbackRouted:
    item = item or make_received(ELECTRICITY, address="xã Châu Thành, tỉnh Trà Vinh")
    decision = route(item, bundled_directory(), fallback_province=None)
    return router_event(item, decision, at=item.received_at)


def plan(routed: FeedbackRouted, reach: Reachability | None = None) -> list[Notification]:
    return plan_routed(routed, reach=reach or Reachability(), links=LINKS, now=NOON, policy=POLICY)


def record(citizen: Citizen, origin: Origin | None = None, **extra: object) -> ItemRecord:
    return ItemRecord.model_validate(
        {
            "item_id": UUID(int=1),
            "tracking_code": "HA-TEST-0001",
            "channel": Channel.WEB,
            "citizen": citizen,
            "origin": origin,
            "received_at": NOON - timedelta(hours=1),
        }
        | extra
    )


def ways(targets: tuple[Target, ...]) -> list[tuple[Way, str]]:
    return [(t.way, t.address) for t in targets]


# --- routed -------------------------------------------------------------------------------------


def test_a_routed_item_tells_each_body_contact_each_councillor_and_the_citizen() -> None:
    routed = routed_event()
    assert routed.body is not None
    body = routed.body.model_copy(
        update={
            "contacts": (
                BodyContact(channel=Channel.EMAIL, address="cskh@dienluc.example"),
                BodyContact(channel=Channel.ZALO, address="zalo-officer-1"),
                BodyContact(
                    channel=Channel.EMAIL,
                    address="lanhdao@dienluc.example",
                    delivery=Delivery.DIGEST,
                ),
            )
        }
    )
    councillor = CouncillorRef(
        id="hdnd-1",
        name="Trần Văn Bình",
        council="HĐND tỉnh Vĩnh Long",
        contacts=(BodyContact(channel=Channel.EMAIL, address="binh@hdnd.example"),),
    )
    routed = routed.model_copy(update={"body": body, "councillors": (councillor,)})

    notifications = plan(routed)

    by_kind = {k: [n for n in notifications if n.recipient_kind is k] for k in RecipientKind}
    assert [ways(n.targets) for n in by_kind[RecipientKind.BODY]] == [
        [(Way.EMAIL, "cskh@dienluc.example")],
        [(Way.ZALO_CS, "zalo-officer-1")],
        [(Way.EMAIL, "lanhdao@dienluc.example")],
    ]
    assert [n.digest for n in by_kind[RecipientKind.BODY]] == [False, False, True]
    [delegate] = by_kind[RecipientKind.COUNCILLOR]
    assert "Đại biểu Trần Văn Bình" in delegate.text
    assert routed.body is not None
    assert routed.body.name in delegate.text
    [citizen] = by_kind[RecipientKind.CITIZEN]
    assert ways(citizen.targets) == [(Way.EMAIL, "cutri.nguyenvana@gmail.com")]
    assert len({n.recipient for n in notifications}) == len(notifications)


def test_the_body_message_carries_item_case_due_date_and_inbox_link() -> None:
    routed = routed_event().model_copy(update={"case_id": UUID(int=7)})
    assert routed.due_on is not None

    body = plan(routed)[0]

    assert routed.tracking_code in body.subject
    assert body.subject == f"[Hồi Âm {routed.tracking_code}] Ý kiến, kiến nghị mới: Điện"
    assert routed.due_on.strftime("%d/%m/%Y") in body.text
    assert ELECTRICITY in body.text
    assert str(UUID(int=7)) in body.text
    assert f"{LINKS.console_url}/inbox/{routed.item_id}" in body.text


def test_the_citizen_acknowledgement_has_tracking_code_and_status_link() -> None:
    routed = routed_event()

    citizen = plan(routed)[-1]

    assert citizen.text.startswith("Kính gửi Nguyễn Văn An,")
    assert routed.tracking_code in citizen.text
    assert f"https://hoiam.example/t/{routed.tracking_code}" in citizen.text
    assert "Hạn trả lời" in citizen.text
    assert citizen.subject == (
        f"[Hồi Âm {routed.tracking_code}] Ý kiến của Ông/Bà đã được chuyển đến "
        "Công ty Điện lực Vĩnh Long"
    )


def test_html_escapes_what_the_citizen_wrote() -> None:
    routed = routed_event().model_copy(update={"text": "Mất điện <script>x</script> & nước"})

    body = plan(routed)[0]

    assert "<script>" in body.text
    assert "&lt;script&gt;" in body.html
    assert "<script>" not in body.html


def test_an_email_answer_threads_under_the_citizens_message() -> None:
    origin = Origin(
        kind=OriginKind.EMAIL,
        message_id="<b@mail.example>",
        references=("<a@mail.example>",),
    )
    routed = routed_event().model_copy(update={"origin": origin, "channel": Channel.EMAIL})

    citizen = plan(routed)[-1]

    assert citizen.in_reply_to == "<b@mail.example>"
    assert citizen.references == ("<a@mail.example>", "<b@mail.example>")


def test_delivery_ids_are_deterministic_and_differ_per_recipient_and_target() -> None:
    event = UUID(int=3)
    base = Target(way=Way.EMAIL, address="a@example.vn")
    ids = {
        delivery_id(event_id=event, recipient="citizen:1", target=base),
        delivery_id(event_id=UUID(int=4), recipient="citizen:1", target=base),
        delivery_id(event_id=event, recipient="citizen:2", target=base),
        delivery_id(event_id=event, recipient="citizen:1", target=Target(way=Way.SMS, address="a")),
    }
    assert len(ids) == 4
    assert delivery_id(event_id=event, recipient="citizen:1", target=base) in ids


# --- choosing the way ---------------------------------------------------------------------------


def test_zalo_inside_48_hours_gets_a_consultation_message_then_zns_as_fallback() -> None:
    citizen = Citizen(
        contacts=Contacts(zalo_user_id="z1", phone="+84912345678", email="a@example.vn"),
        preferred_channel=Channel.ZALO,
        last_inbound_at=NOON - timedelta(hours=47),
    )
    targets = citizen_targets(
        record(citizen, Origin(kind=OriginKind.ZALO_MESSAGE)),
        Reachability(),
        at=NOON,
        policy=POLICY,
    )
    assert ways(targets) == [
        (Way.ZALO_CS, "z1"),
        (Way.ZALO_ZNS, "+84912345678"),
        (Way.EMAIL, "a@example.vn"),
        (Way.SMS, "+84912345678"),
        (Way.CALL_BACK, "+84912345678"),
    ]


def test_zalo_after_48_hours_goes_by_zns_template_to_the_phone() -> None:
    citizen = Citizen(
        contacts=Contacts(zalo_user_id="z1", phone="+84912345678"),
        preferred_channel=Channel.ZALO,
        last_inbound_at=NOON - timedelta(hours=49),
    )
    rec = record(citizen, received_at=NOON - timedelta(hours=50))

    targets = citizen_targets(rec, Reachability(), at=NOON, policy=POLICY)

    assert targets[0] == Target(way=Way.ZALO_ZNS, address="+84912345678")


def test_voters_of_a_meeting_have_no_way_to_be_reached_automatically() -> None:
    citizen = Citizen(name="Cử tri ấp Thuận Chánh", preferred_channel=Channel.MEETING)
    origin = Origin(kind=OriginKind.MEETING, meeting_id="m1", session_id="s1")

    targets = citizen_targets(record(citizen, origin), Reachability(), at=NOON, policy=POLICY)

    assert targets == ()


def test_a_later_inbound_message_reopens_the_zalo_window() -> None:
    citizen = Citizen(
        contacts=Contacts(zalo_user_id="z1"),
        preferred_channel=Channel.ZALO,
        last_inbound_at=NOON - timedelta(days=5),
    )
    rec = record(citizen, received_at=NOON - timedelta(days=5))
    reach = Reachability(last_inbound={(Channel.ZALO, "z1"): NOON - timedelta(hours=2)})

    assert ways(citizen_targets(rec, reach, at=NOON, policy=POLICY)) == [(Way.ZALO_CS, "z1")]
    assert citizen_targets(rec, Reachability(), at=NOON, policy=POLICY) == ()


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (23, [(Way.MESSENGER, "psid-1", None)]),
        (25, [(Way.MESSENGER, "psid-1", HUMAN_AGENT)]),
        (24 * 7 + 1, []),
    ],
)
def test_messenger_response_within_24h_human_agent_up_to_7_days_then_nothing(
    hours: int, expected: list[tuple[Way, str, str | None]]
) -> None:
    citizen = Citizen(
        contacts=Contacts(facebook_psid="psid-1"),
        preferred_channel=Channel.FACEBOOK,
        last_inbound_at=NOON - timedelta(hours=hours),
    )
    rec = record(citizen, Origin(kind=OriginKind.MESSENGER), received_at=NOON - timedelta(days=9))

    targets = citizen_targets(rec, Reachability(), at=NOON, policy=POLICY)

    assert [(t.way, t.address, t.tag) for t in targets] == expected


def test_a_feed_comment_is_answered_with_a_comment_reply() -> None:
    citizen = Citizen(preferred_channel=Channel.FACEBOOK)
    origin = Origin(kind=OriginKind.FEED_COMMENT, message_id="post1_comment9", thread_id="post1")

    [target] = citizen_targets(record(citizen, origin), Reachability(), at=NOON, policy=POLICY)

    assert (target.way, target.reply_to) == (Way.FB_COMMENT, "post1_comment9")


def test_a_hotline_caller_with_only_a_phone_gets_a_call_back() -> None:
    citizen = Citizen(contacts=Contacts(phone="+84912345678"), preferred_channel=Channel.PHONE)
    origin = Origin(kind=OriginKind.CALL)

    targets = citizen_targets(record(citizen, origin), Reachability(), at=NOON, policy=POLICY)

    assert ways(targets) == [(Way.CALL_BACK, "+84912345678")]


def test_a_chosen_channel_comes_before_the_one_they_wrote_from() -> None:
    citizen = Citizen(
        contacts=Contacts(email="a@example.vn", zalo_user_id="z1"),
        preferred_channel=Channel.EMAIL,
        last_inbound_at=NOON,
    )
    origin = Origin(kind=OriginKind.ZALO_MESSAGE)

    targets = citizen_targets(record(citizen, origin), Reachability(), at=NOON, policy=POLICY)

    assert ways(targets)[:2] == [(Way.EMAIL, "a@example.vn"), (Way.ZALO_CS, "z1")]


def test_unfollowed_bounced_or_opted_out_contacts_are_skipped() -> None:
    citizen = Citizen(
        contacts=Contacts(email="a@example.vn", zalo_user_id="z1", phone="+84912345678"),
        preferred_channel=Channel.ZALO,
        last_inbound_at=NOON,
    )
    reach = Reachability(
        blocked=frozenset(
            {(Channel.ZALO, "z1"), (Channel.EMAIL, "a@example.vn"), (Channel.PHONE, "+84912345678")}
        )
    )

    targets = citizen_targets(record(citizen), reach, at=NOON, policy=POLICY)

    assert ways(targets) == [(Way.ZALO_ZNS, "+84912345678")]


def test_nobody_reachable_gives_no_target_and_a_reason() -> None:
    routed = routed_event().model_copy(
        update={"citizen": Citizen(preferred_channel=Channel.WEB)}  # anonymous web form
    )

    citizen = plan(routed)[-1]

    assert citizen.targets == ()
    assert citizen.unreachable_reason


def test_unconfigured_sms_and_zns_are_not_planned() -> None:
    citizen = Citizen(contacts=Contacts(phone="+84912345678"), preferred_channel=Channel.ZALO)
    off = Policy(zns_enabled=False, sms_enabled=False)

    targets = citizen_targets(record(citizen), Reachability(), at=NOON, policy=off)

    assert ways(targets) == [(Way.CALL_BACK, "+84912345678")]


# --- status changes -----------------------------------------------------------------------------


def status(**fields: object) -> StatusChanged:
    return StatusChanged.model_validate(
        {
            "correlation_id": UUID(int=1),
            "item_id": UUID(int=1),
            "tracking_code": "HA-TEST-0001",
            "status": Status.RESOLVED,
            "answer": "Điện lực đã nối lại đường dây ngày 26/11.",
            "body": BodyRef(id="b", name="Công ty Điện lực Vĩnh Long", level="utility"),
        }
        | fields
    )


def petitioner(n: int, **citizen: object) -> ItemRecord:
    person = Citizen.model_validate(
        {"name": f"Cử tri {n}", "contacts": {"email": f"c{n}@example.vn"}}
        | {"preferred_channel": Channel.EMAIL}
        | citizen
    )
    return record(person, item_id=UUID(int=n), tracking_code=f"HA-TEST-000{n}")


def test_a_resolution_reaches_every_petitioner_of_the_case_with_the_answer() -> None:
    event = status(case_item_ids=(UUID(int=1), UUID(int=2), UUID(int=3)))
    records = [petitioner(1), petitioner(2), petitioner(3)]

    plan_ = plan_status(event, records=records, reaches={}, links=LINKS, now=NOON, policy=POLICY)

    assert case_items(event) == (UUID(int=1), UUID(int=2), UUID(int=3))
    assert [n.targets[0].address for n in plan_] == [
        "c1@example.vn",
        "c2@example.vn",
        "c3@example.vn",
    ]
    for n, code in zip(plan_, ["HA-TEST-0001", "HA-TEST-0002", "HA-TEST-0003"], strict=True):
        assert code in n.text
        assert f"https://hoiam.example/t/{code}" in n.text
        assert "Điện lực đã nối lại đường dây" in n.text
        assert "đã giải quyết" in n.text


def test_a_status_change_without_a_body_names_the_body_the_item_went_to() -> None:
    event = status(body=None)
    body = BodyRef(id="b", name="Công ty Điện lực Vĩnh Long", level="utility")
    kept = petitioner(1).model_copy(update={"body": body})

    [citizen] = plan_status(event, records=[kept], reaches={}, links=LINKS, now=NOON, policy=POLICY)

    assert citizen.subject.endswith("Công ty Điện lực Vĩnh Long đã giải quyết ý kiến của Ông/Bà")


def test_a_rejection_gives_the_reason_in_words_and_english_on_request() -> None:
    event = status(status=Status.REJECTED, answer=None, reason_code="not_competent", reason="x")
    records = [petitioner(1), petitioner(2, locale="en")]

    vi, en = plan_status(event, records=records, reaches={}, links=LINKS, now=NOON, policy=POLICY)

    assert "không thuộc thẩm quyền" in vi.text
    assert "Lý do" in vi.text
    assert "outside the body's competence" in en.text
    assert en.text.startswith("Dear Cử tri 2,")


def test_overdue_tells_the_body_and_its_parent_not_the_citizens() -> None:
    parent = BodyRef(
        id="p",
        name="UBND tỉnh Vĩnh Long",
        level="province_committee",
        contacts=(BodyContact(channel=Channel.EMAIL, address="ubnd@vinhlong.example"),),
    )
    body = BodyRef(
        id="b",
        name="Công ty Điện lực Vĩnh Long",
        level="utility",
        contacts=(BodyContact(channel=Channel.EMAIL, address="cskh@dienluc.example"),),
    )
    event = status(
        status=Status.ROUTED, change=StatusChange.OVERDUE, body=body, escalated_to=parent
    )

    plan_ = plan_status(
        event, records=[petitioner(1)], reaches={}, links=LINKS, now=NOON, policy=POLICY
    )

    assert [n.targets[0].address for n in plan_] == [
        "cskh@dienluc.example",
        "ubnd@vinhlong.example",
    ]
    assert all(n.urgent for n in plan_)
    assert "quá hạn" in plan_[0].text


def test_escalation_also_tells_the_petitioners() -> None:
    parent = BodyRef(id="p", name="UBND tỉnh Vĩnh Long", level="province_committee")
    event = status(status=Status.ROUTED, change=StatusChange.ESCALATED, escalated_to=parent)

    [citizen] = plan_status(
        event, records=[petitioner(1)], reaches={}, links=LINKS, now=NOON, policy=POLICY
    )

    assert "UBND tỉnh Vĩnh Long" in citizen.text


def test_a_record_keeps_what_a_later_status_change_needs() -> None:
    routed = routed_event().model_copy(update={"case_id": UUID(int=9)})

    kept = item_record(routed)

    assert (kept.item_id, kept.case_id, kept.citizen) == (
        routed.item_id,
        UUID(int=9),
        routed.citizen,
    )


# --- quiet hours, digests -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local_hour", "way", "urgent", "held_until_local"),
    [
        (22, Way.SMS, False, (1, 7)),  # 22:00 → next day 07:00
        (3, Way.ZALO_CS, False, (0, 7)),  # 03:00 → same day 07:00
        (6, Way.ZALO_ZNS, False, (0, 7)),
        (7, Way.SMS, False, None),
        (20, Way.SMS, False, None),
        (22, Way.EMAIL, False, None),  # email is not held
        (22, Way.SMS, True, None),  # urgent goes at once
    ],
)
def test_quiet_hours_hold_sms_and_zalo_until_seven(
    local_hour: int, way: Way, urgent: bool, held_until_local: tuple[int, int] | None
) -> None:
    at = datetime(2026, 11, 27, local_hour, 30, tzinfo=UTC) - timedelta(hours=7)

    until = quiet_until(way, at, urgent=urgent, policy=POLICY)

    if held_until_local is None:
        assert until is None
    else:
        days, hour = held_until_local
        expected = datetime(2026, 11, 27 + days, hour, tzinfo=UTC) - timedelta(hours=7)
        assert until == expected


def test_a_digest_lists_every_item_and_is_one_per_recipient_and_day() -> None:
    routed = [routed_event(), routed_event()]
    entries = [plan(r)[0] for r in routed]
    entries = [e.model_copy(update={"recipient": entries[0].recipient}) for e in entries]

    first = digest_notification(entries, day=date(2026, 11, 27), links=LINKS)
    again = digest_notification(entries, day=date(2026, 11, 27), links=LINKS)
    tomorrow = digest_notification(entries, day=date(2026, 11, 28), links=LINKS)

    assert all(r.tracking_code in first.text for r in routed)
    assert "(2)" in first.subject
    assert first.event_id == again.event_id != tomorrow.event_id
    assert digest_due(date(2026, 11, 27), POLICY) == datetime(2026, 11, 27, 10, tzinfo=UTC)


def test_equal_quiet_start_and_end_mean_no_quiet_hours() -> None:
    night = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # 23:00 in Vietnam
    never = Policy(quiet_start=time(0), quiet_end=time(0))

    assert quiet_until(Way.SMS, night, urgent=False, policy=never) is None
    assert quiet_until(Way.SMS, night, urgent=False, policy=POLICY) is not None
