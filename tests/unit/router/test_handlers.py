"""Handlers on the in-memory store: cases, status changes, reassignment, hand-back, triage
decisions that teach the classifier, and the overdue sweep."""

from datetime import date, datetime, timedelta
from uuid import UUID

import pytest
from aiokafka.errors import KafkaConnectionError

from fakes import ROUTER_MONDAY, RouterWorld, router_world
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.lifecycle import TransitionError
from hoiam_router.operations import NotFoundError
from hoiam_router.outbox import SETTLING
from hoiam_shared.clock import vietnam_date
from hoiam_shared.events import (
    Channel,
    Event,
    FeedbackRouted,
    Status,
    StatusChange,
    StatusChanged,
)
from support.samples import make_received


@pytest.fixture
def world(directory: Directory) -> RouterWorld:
    return router_world(directory)


POTHOLE = "Đường ấp 3 bị sạt lở, nhiều ổ gà nguy hiểm cho học sinh"
PLACE = "ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"


async def test_many_voters_with_the_same_matter_make_one_case(world: RouterWorld) -> None:
    first = await world.route(make_received(POTHOLE, address=PLACE))
    second = await world.route(
        make_received("duong ap 3 sat lo, o ga nguy hiem cho hoc sinh", address=PLACE)
    )
    other = await world.route(make_received("Mất điện ba ngày nay", address=PLACE))

    assert first.case_id == first.item_id
    assert second.case_id == first.case_id
    assert other.case_id == other.item_id
    assert first.location is not None
    assert first.location.commune is not None
    assert first.body is not None
    assert first.body.id == "29341-ubnd-xa"


async def test_a_redelivered_item_keeps_its_case_and_decision(world: RouterWorld) -> None:
    item = make_received(POTHOLE, address=PLACE)
    once = await world.route(item)
    again = await world.route(item)

    assert again == once


async def test_the_status_api_path_tells_every_petitioner_of_the_case(world: RouterWorld) -> None:
    first = await world.route(make_received(POTHOLE, address=PLACE))
    second = await world.route(make_received(POTHOLE + " đã lâu", address=PLACE))

    for status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED):
        event = await world.ops.change_status(first.item_id, status, answer="Đã sửa.")

    assert event.status is Status.RESOLVED
    assert event.previous_status is Status.IN_PROGRESS
    assert set(event.case_item_ids) == {first.item_id, second.item_id}
    assert event.body is not None
    assert event.body.id == "29341-ubnd-xa"
    assert [e.status for e in world.publisher.of(StatusChanged)] == [
        Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED,
    ]  # fmt: skip
    with pytest.raises(TransitionError):
        await world.ops.change_status(first.item_id, Status.RESOLVED)
    with pytest.raises(NotFoundError):
        await world.ops.change_status(UUID(int=1), Status.ACKNOWLEDGED)
    view = await world.ops.view(first.item_id)
    assert view.assignment.status is Status.RESOLVED
    assert len(view.history) == 4  # routed + three changes


async def test_hand_back_routes_to_the_next_competent_body(world: RouterWorld) -> None:
    routed = await world.route(make_received(POTHOLE, address=PLACE))

    event = await world.ops.hand_back(routed.item_id, reason="đường do tỉnh quản lý")

    assert event.change is StatusChange.REASSIGNED
    assert event.reason_code == "not_competent"
    assert event.body is not None
    assert event.body.id == "86-so-xay-dung"
    rerouted = world.publisher.of(FeedbackRouted)[-1]
    assert isinstance(rerouted, FeedbackRouted)
    assert rerouted.body is not None
    assert rerouted.body.id == "86-so-xay-dung"
    assert vietnam_date(world.clock()) == date(2026, 11, 30)  # the world's clock: a Monday
    assert rerouted.due_on == date(2026, 12, 21)  # 15 working days from Monday 30/11


async def test_reassign_to_an_unknown_body_is_refused(world: RouterWorld) -> None:
    routed = await world.route(make_received(POTHOLE, address=PLACE))
    with pytest.raises(NotFoundError):
        await world.ops.reassign(routed.item_id, "99-nowhere", reason="x")
    event = await world.ops.reassign(routed.item_id, "86-so-gtvt", reason="old id")
    assert event.body is not None
    assert event.body.id == "86-so-xay-dung"


async def test_triage_decisions_are_learned_and_change_later_routing(world: RouterWorld) -> None:
    texts = ["Tiệm cầm đồ thu lãi cắt cổ người nghèo", "Cầm đồ lãi cắt cổ, nhiều người mắc bẫy"]
    before = await world.route(
        make_received("Hai tiệm cầm đồ trá hình thu lãi", address="Trà Vinh")
    )
    assert before.status is Status.TRIAGE
    for text in texts:
        item = await world.route(make_received(text, address="tỉnh Trà Vinh"))
        assert item.status is Status.TRIAGE
        decided = await world.ops.decide(item.item_id, category="security", body_id="86-cong-an")
        assert decided.status is Status.ROUTED
        assert decided.body is not None
        assert decided.body.id == "86-cong-an"

    later = await world.route(make_received("Hai tiệm cầm đồ trá hình thu lãi", address="Trà Vinh"))

    assert later.status is Status.ROUTED
    assert later.category.code == "security"
    assert later.body is not None
    assert later.body.id == "86-cong-an"
    assert [t.item_id for t in await world.ops.triage()] == [before.item_id]


async def test_the_sweep_escalates_overdue_items_once_to_the_parent(world: RouterWorld) -> None:
    routed = await world.route(make_received(POTHOLE, address=PLACE))
    assert routed.due_on is not None

    world.clock.set(datetime(2027, 1, 4, 10))
    late = await world.sweep()
    world.clock.set(datetime(2027, 1, 5, 10))
    again = await world.sweep()

    assert len(late) == 1
    assert again == []
    event = late[0]
    assert event.change is StatusChange.ESCALATED
    assert event.escalated_to is not None
    assert event.escalated_to.id == "86-ubnd-tinh"
    assert event.body is not None
    assert event.body.id == "29341-ubnd-xa"
    assert event.case_item_ids == (routed.item_id,)
    world.clock.set(datetime.combine(routed.due_on, ROUTER_MONDAY.time()))
    assert await world.sweep() == []  # not overdue on its due date


async def test_operators_merge_and_split_cases(world: RouterWorld) -> None:
    a = await world.route(make_received(POTHOLE, address=PLACE))
    b = await world.route(make_received("Ổ gà trước cổng trường ấp 3 chưa ai vá", address=PLACE))
    assert a.case_id != b.case_id
    assert a.case_id is not None
    assert b.case_id is not None

    merged = await world.ops.merge_cases(a.case_id, [b.case_id])

    assert merged == sorted([a.item_id, b.item_id])
    event = await world.ops.change_status(b.item_id, Status.ACKNOWLEDGED)
    assert event.case_id == a.case_id
    assert set(event.case_item_ids) == {a.item_id, b.item_id}

    new_case = await world.ops.split_case(a.case_id, [b.item_id])

    assert await world.store.case_items(new_case) == [b.item_id]
    assert await world.store.case_items(a.case_id) == [a.item_id]
    with pytest.raises(NotFoundError):
        await world.ops.split_case(a.case_id, [b.item_id])
    with pytest.raises(NotFoundError):
        await world.ops.merge_cases(UUID(int=5), [a.case_id])


async def test_hand_back_with_no_other_body_goes_to_triage(world: RouterWorld) -> None:
    routed = await world.route(make_received("Mất điện cả ấp", address=PLACE))
    assert routed.body is not None
    assert routed.body.id == "86-dien-luc"

    event = await world.ops.hand_back(routed.item_id, reason="không thuộc thẩm quyền")

    assert event.status is Status.TRIAGE
    assert event.body is None
    assert event.reason_code == "not_competent"
    assert [t.item_id for t in await world.ops.triage()] == [routed.item_id]
    with pytest.raises(TransitionError):
        await world.ops.hand_back(routed.item_id, reason="again")


async def test_a_status_change_survives_a_broker_outage_through_the_outbox(
    world: RouterWorld,
) -> None:
    routed = await world.route(make_received(POTHOLE, address=PLACE))
    world.publisher.fail_with = KafkaConnectionError("broker away")

    event = await world.ops.change_status(routed.item_id, Status.ACKNOWLEDGED)

    assert world.publisher.of(StatusChanged) == []
    assert [e.event for e in await world.store.unpublished(until=world.clock())] == [event]
    world.publisher.fail_with = None
    assert await world.outbox.republish() == 0  # left to the path that wrote it, for now
    world.clock.advance(SETTLING)
    assert await world.outbox.republish() == 1
    assert world.publisher.of(StatusChanged) == [event]
    assert await world.store.unpublished(until=world.clock()) == []


async def test_a_routing_decision_in_a_broker_outage_is_raised_and_its_redelivery_publishes_it(
    world: RouterWorld,
) -> None:
    item = make_received(POTHOLE, address=PLACE)
    world.publisher.fail_with = KafkaConnectionError("broker away")

    # Raised, so the consumer does not commit and Kafka delivers the item again shortly.
    with pytest.raises(KafkaConnectionError):
        await world.route(item)
    assert world.publisher.of(FeedbackRouted) == []

    world.publisher.fail_with = None
    routed = await world.route(item)  # the redelivery

    assert world.publisher.of(FeedbackRouted) == [routed]
    # Recorded as published: nothing is left for the sweep to publish a second time.
    world.clock.advance(SETTLING)
    assert await world.store.unpublished(until=world.clock()) == []
    assert await world.outbox.republish() == 0


async def test_an_outbox_entry_that_still_fails_does_not_hold_up_the_others(
    world: RouterWorld,
) -> None:
    first = await world.route(make_received(POTHOLE, address=PLACE))
    second = await world.route(make_received("Mất điện ba ngày nay", address=PLACE))
    world.publisher.fail_with = KafkaConnectionError("broker away")
    stuck = await world.ops.change_status(first.item_id, Status.ACKNOWLEDGED)
    world.clock.advance(timedelta(seconds=1))
    later = await world.ops.change_status(second.item_id, Status.ACKNOWLEDGED)
    world.publisher.fail_with = None
    world.clock.advance(SETTLING)
    refused = world.publisher.publish

    async def refuse_the_first(topic: str, event: Event, *, key: UUID | str) -> None:
        if event.event_id == stuck.event_id:
            raise KafkaConnectionError("this one is still refused")
        await refused(topic, event, key=key)

    world.publisher.publish = refuse_the_first  # type: ignore[method-assign]

    assert await world.outbox.republish() == 1
    assert world.publisher.of(StatusChanged) == [later]
    assert [e.event for e in await world.store.unpublished(until=world.clock())] == [stuck]


async def test_a_repeated_message_joins_the_case_of_the_first(world: RouterWorld) -> None:
    first = await world.route(make_received(POTHOLE, address=PLACE))
    again = make_received("Tôi gửi lại: đường ấp 3 vẫn chưa sửa", address=PLACE).model_copy(
        update={"duplicate_of": first.item_id}
    )

    routed = await world.route(again)

    assert routed.case_id == first.case_id


async def test_an_item_marked_not_to_route_is_left_alone_and_a_petition_is_routed(
    world: RouterWorld,
) -> None:
    opinion = make_received(
        "Cử tri phấn khởi, nhất trí với kết quả kỳ họp", address=PLACE, channel=Channel.MEETING
    ).model_copy(update={"to_route": False})
    petition = make_received(POTHOLE, address=PLACE, channel=Channel.MEETING)

    left = await world.route.received(opinion)
    routed = await world.route.received(petition)

    assert left is None
    assert await world.store.get(opinion.item_id) is None
    assert routed is not None
    assert routed.item_id == petition.item_id
    assert [e.item_id for e in world.publisher.of(FeedbackRouted)] == [petition.item_id]
