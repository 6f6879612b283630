"""Voters at a meeting left no contact: their Front committee and delegates are told instead."""

from datetime import UTC, datetime

from hoiam_notifier.domain.knowledge import ItemRecord, Links, Policy, Reachability, item_record
from hoiam_notifier.domain.notifications import Notification, Way
from hoiam_notifier.domain.plans import plan_routed, plan_status
from hoiam_router.domain import route
from hoiam_router.domain.events import routed_event
from hoiam_shared.events import (
    Channel,
    Citizen,
    FeedbackRouted,
    MeetingPetition,
    Origin,
    OriginKind,
    RecipientKind,
    Status,
    StatusChanged,
)
from support.router import bundled_directory
from support.samples import make_received

LINKS = Links(console_url="https://console.example", public_url="https://hoiam.example")
NOON = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)  # 12:00 in Vietnam
ROAD = "Đề nghị nâng cấp tuyến đường liên tổ dân phố bị xuống cấp, đi lại khó khăn."


def meeting_routed(*, delegates: tuple[str, ...] = ("Trần Kiêm Hảo",)) -> FeedbackRouted:
    item = make_received(ROAD, address="Phường Phong Phú, thành phố Huế", email=None)
    item = item.model_copy(
        update={
            "channel": Channel.MEETING,
            "citizen": Citizen(name="Cử tri tổ dân phố 3", preferred_channel=Channel.MEETING),
            "origin": Origin(kind=OriginKind.MEETING, meeting_id="m1", session_id="s1"),
            "meeting": MeetingPetition(kind="petition", delegates=delegates),
        }
    )
    decision = route(item, bundled_directory(), fallback_province=None)
    return routed_event(item, decision, at=item.received_at)


def kinds(plan: list[Notification]) -> dict[RecipientKind, list[Notification]]:
    return {k: [n for n in plan if n.recipient_kind is k] for k in RecipientKind}


def test_a_meeting_items_routing_tells_the_body_the_front_and_the_delegates_not_a_person() -> None:
    routed = meeting_routed()
    assert routed.status is Status.ROUTED
    assert routed.body is not None
    assert routed.front is not None

    plan = plan_routed(routed, reach=Reachability(), links=LINKS, now=NOON, policy=Policy())

    by = kinds(plan)
    assert by[RecipientKind.CITIZEN] == []  # no task "unreachable citizen" for every petition
    addresses = [n.targets[0].address for n in by[RecipientKind.BODY]]
    assert addresses == [routed.body.contacts[0].address, routed.front.contacts[0].address]
    front = by[RecipientKind.BODY][1]
    assert "Ủy ban Mặt trận Tổ quốc Việt Nam phường Phong Phú" in front.text
    assert "hội nghị tiếp xúc cử tri" in front.text
    assert "Đại biểu Trần Kiêm Hảo" in [n.body_name for n in by[RecipientKind.COUNCILLOR]]
    assert all(n.targets[0].way is Way.EMAIL for n in plan)
    assert len({n.recipient for n in plan}) == len(plan)


def answer(routed: FeedbackRouted, **fields: object) -> StatusChanged:
    return StatusChanged.model_validate(
        {
            "correlation_id": routed.item_id,
            "item_id": routed.item_id,
            "tracking_code": routed.tracking_code,
            "status": Status.RESOLVED,
            "answer": "Tuyến đường đã được đưa vào kế hoạch đầu tư công năm 2027.",
            "body": routed.body,
        }
        | fields
    )


def told(event: StatusChanged, records: list[ItemRecord]) -> list[Notification]:
    return plan_status(event, records=records, reaches={}, links=LINKS, now=NOON, policy=Policy())


def test_the_answer_reaches_the_front_and_every_delegate_with_the_voters_named() -> None:
    routed = meeting_routed()
    record = item_record(routed)

    plan = told(answer(routed), [record])

    by = kinds(plan)
    assert by[RecipientKind.CITIZEN] == []
    assert routed.front is not None
    [front] = by[RecipientKind.BODY]
    assert front.targets[0].address == routed.front.contacts[0].address
    assert {n.body_name for n in by[RecipientKind.COUNCILLOR]} == {
        f"Đại biểu {c.name}" for c in routed.councillors
    }
    for n in plan:
        assert "kế hoạch đầu tư công năm 2027" in n.text
        assert "Cử tri tổ dân phố 3" in n.text
        assert "của cử tri" in n.text
        assert "Ông/Bà" not in n.text
        assert n.subject.startswith(f"[Hồi Âm {routed.tracking_code}] Kết quả giải quyết")


def test_two_petitions_of_one_case_tell_the_same_front_twice_once_each() -> None:
    first, second = meeting_routed(), meeting_routed()
    records = [item_record(first), item_record(second).model_copy(update={"case_id": None})]
    event = answer(first, case_item_ids=(first.item_id, second.item_id))

    plan = told(event, records)

    fronts = [n for n in plan if n.recipient_kind is RecipientKind.BODY]
    assert [n.item_id for n in fronts] == [first.item_id, second.item_id]
    assert len({n.delivery_id(n.targets[0]) for n in plan}) == len(plan)


def test_a_voter_of_a_meeting_with_a_contact_is_told_themselves() -> None:
    routed = meeting_routed()
    with_email = routed.citizen.model_copy(
        update={"contacts": routed.citizen.contacts.model_copy(update={"email": "a@example.vn"})}
    )
    record = item_record(routed).model_copy(update={"citizen": with_email})

    plan = told(answer(routed), [record])

    [citizen] = [n for n in plan if n.recipient_kind is RecipientKind.CITIZEN]
    assert citizen.targets[0].address == "a@example.vn"
    assert all(n.recipient_kind is RecipientKind.CITIZEN for n in plan)


def test_a_record_stored_before_keeps_the_old_behaviour() -> None:
    """A record from before the Front was named (no front, no delegates) is a citizen's."""
    routed = meeting_routed().model_copy(update={"front": None, "councillors": ()})
    record = item_record(routed)
    assert not record.spoken_for

    plan = told(answer(routed), [record])

    [citizen] = plan
    assert citizen.recipient_kind is RecipientKind.CITIZEN
    assert citizen.targets == ()
