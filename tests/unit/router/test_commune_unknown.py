"""Issue 10, conversations: a commune's matter from an unknown commune waits for the citizen."""

from uuid import UUID

import pytest

from fakes import RouterWorld, router_world
from hoiam_router.domain.directory import Directory
from hoiam_shared.events import (
    Channel,
    FeedbackMessageAdded,
    FeedbackRouted,
    FeedbackText,
    Status,
    StatusChange,
    StatusChanged,
)
from hoiam_shared.kafka import subscription_group
from hoiam_shared.topics import FEEDBACK_MESSAGES
from support.samples import make_received

LANE = "Đường ấp bị ổ gà, mưa xuống xe máy té ngã liên tục"


@pytest.fixture
def world(directory: Directory) -> RouterWorld:
    return router_world(directory)


def reply(item_id: UUID, text: str, *, kind: str = "reply") -> FeedbackMessageAdded:
    return FeedbackMessageAdded.model_validate(
        {
            "correlation_id": item_id,
            "item_id": item_id,
            "tracking_code": "HA-AAAA-BBBB",
            "channel": Channel.ZALO,
            "source_ref": f"z-{text[:5]}",
            "kind": kind,
            "received_at": "2026-11-30T03:00:00Z",
            "text": FeedbackText(original=text, normalised=text),
        }
    )


async def test_a_zalo_matter_without_an_address_waits_in_triage_with_a_reason(
    world: RouterWorld,
) -> None:
    routed = await world.route(make_received(LANE, channel=Channel.ZALO, preferred=Channel.ZALO))

    assert routed.status is Status.TRIAGE
    assert routed.body is None
    assert routed.triage_reason == "commune_unknown"
    assert "86-so-xay-dung" in [c.id for c in routed.candidates]  # not sent there, offered


async def test_the_citizen_naming_the_commune_routes_the_item(world: RouterWorld) -> None:
    routed = await world.route(make_received(LANE, channel=Channel.ZALO, preferred=Channel.ZALO))
    answer = reply(routed.item_id, "Dạ ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh")

    moved = await world.parts.relocate(answer)
    again = await world.parts.relocate(answer)  # redelivered: routed once

    assert moved is not None
    assert again is None
    assert (moved.status, moved.change, moved.previous_status) == (
        Status.ROUTED, StatusChange.REASSIGNED, Status.TRIAGE,
    )  # fmt: skip
    assert moved.body is not None
    assert moved.body.id == "29341-ubnd-xa"
    rerouted = world.publisher.of(FeedbackRouted)[-1]
    assert (rerouted.status, rerouted.triage_reason) == (Status.ROUTED, None)
    assert rerouted.body is not None
    assert rerouted.body.id == "29341-ubnd-xa"  # the commune is told like any routed item
    assert len(world.publisher.of(StatusChanged)) == 1


async def test_a_reply_naming_no_place_leaves_the_item_in_triage(world: RouterWorld) -> None:
    routed = await world.route(make_received(LANE, channel=Channel.ZALO, preferred=Channel.ZALO))

    assert await world.parts.relocate(reply(routed.item_id, "Dạ cảm ơn")) is None
    assert await world.parts.relocate(reply(routed.item_id, "x", kind="edit")) is None
    stored = await world.store.get(routed.item_id)
    assert stored is not None
    assert stored.status is Status.TRIAGE


async def test_a_reply_on_an_item_not_waiting_for_its_commune_changes_nothing(
    world: RouterWorld,
) -> None:
    routed = await world.route(make_received(LANE, address="xã Phú Cần, huyện Tiểu Cần, Trà Vinh"))
    assert routed.status is Status.ROUTED

    assert await world.parts.relocate(reply(routed.item_id, "xã Long Hữu, Trà Vinh")) is None


def test_the_router_reads_replies_in_its_own_consumer_group(world: RouterWorld) -> None:
    # Two subscribers of one topic in one group would each get only some partitions' messages.
    on_messages = {
        subscription_group(group_id="router", title=s.title): s.handle
        for s in world.parts.wiring.subscriptions
        if s.topic.endswith(FEEDBACK_MESSAGES)
    }
    assert on_messages == {
        "router.record_citizen_message": world.parts.record_message,
        "router.relocate_on_reply": world.parts.relocate,
    }


async def test_the_matter_sent_again_with_its_address_routes_the_item(world: RouterWorld) -> None:
    routed = await world.route(make_received(LANE, channel=Channel.ZALO, preferred=Channel.ZALO))
    again = reply(routed.item_id, f"{LANE}, ấp 3 xã Phú Cần, Tiểu Cần, Trà Vinh", kind="resent")

    moved = await world.parts.relocate(again)

    assert moved is not None
    assert moved.body is not None
    assert moved.body.id == "29341-ubnd-xa"
