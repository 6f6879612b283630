"""What a citizen adds by reply is in the item's history: the router reads `feedback.messages`."""

from datetime import datetime, timedelta
from typing import get_args

import httpx
import pytest
from pydantic import SecretStr

from fakes import RouterWorld, router_world
from hoiam_router.api import CitizenMessage
from hoiam_router.domain.directory import Directory
from hoiam_router.settings import RouterSettings
from hoiam_shared.events import (
    Channel,
    FeedbackMessageAdded,
    FeedbackReceived,
    FeedbackText,
    Status,
)
from hoiam_shared.topics import FEEDBACK_MESSAGES
from support.samples import make_received

TOKEN = "unit-operator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PLACE = "ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"


@pytest.fixture
def world(directory: Directory) -> RouterWorld:
    settings = RouterSettings(
        fallback_province="86", operator_token=SecretStr(TOKEN), kafka_topic_prefix="r."
    )
    return router_world(directory, settings=settings)


def reply_to(item: FeedbackReceived, words: str, at: datetime) -> FeedbackMessageAdded:
    return FeedbackMessageAdded(
        occurred_at=at,
        correlation_id=item.item_id,
        item_id=item.item_id,
        tracking_code=item.tracking_code,
        channel=Channel.EMAIL,
        source_ref=f"reply-{words[:5]}",
        kind="reply",
        received_at=at,
        citizen=item.citizen,
        text=FeedbackText(original=words, normalised=words),
    )


def test_the_router_reads_the_citizens_messages(world: RouterWorld) -> None:
    titles = {s.title: s for s in world.parts.wiring.subscriptions}
    subscription = titles["record_citizen_message"]
    assert subscription.topic == "r." + FEEDBACK_MESSAGES
    assert subscription.event is FeedbackMessageAdded
    assert subscription.handle == world.parts.record_message


async def test_a_reply_is_in_the_items_history_once_after_its_routing(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    item = make_received("Mất điện cả ấp", address=PLACE)
    await world.route(item)
    world.clock.advance(timedelta(hours=1))
    added = reply_to(item, "Đến nay vẫn chưa có điện.", at=world.clock())
    await world.parts.record_message(added)
    await world.parts.record_message(added)  # redelivered
    world.clock.advance(timedelta(hours=1))
    await world.ops.change_status(item.item_id, Status.ACKNOWLEDGED)

    view = (await client.get(f"/v1/items/{item.item_id}", headers=AUTH)).json()

    kinds = [entry["type"] for entry in view["history"]]
    assert kinds == ["FeedbackRouted", "FeedbackMessageAdded", "StatusChanged"]
    message = view["history"][1]
    assert (message["kind"], message["text"]["normalised"]) == (
        "reply",
        "Đến nay vẫn chưa có điện.",
    )
    assert message["summary"] == "Cử tri bổ sung: Đến nay vẫn chưa có điện."
    assert world.publisher.of(FeedbackMessageAdded) == []  # recorded, not published again


async def test_the_matter_sent_again_is_in_the_history_too(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    item = make_received("Mất điện cả ấp", address=PLACE)
    await world.route(item)
    world.clock.advance(timedelta(hours=1))
    again = reply_to(item, "Mất điện cả ấp", at=world.clock()).model_copy(update={"kind": "resent"})
    await world.parts.record_message(again)

    answer = await client.get(f"/v1/items/{item.item_id}", headers=AUTH)

    assert answer.status_code == 200
    message = answer.json()["history"][-1]
    assert (message["kind"], message["summary"]) == ("resent", "Cử tri gửi lại: Mất điện cả ấp")


@pytest.mark.parametrize("kind", get_args(FeedbackMessageAdded.model_fields["kind"].annotation))
def test_every_kind_of_message_has_a_summary(kind: str) -> None:
    item = make_received("Mất điện cả ấp", address=PLACE)
    message = reply_to(item, "Mất điện", at=item.received_at).model_copy(update={"kind": kind})
    assert CitizenMessage.of(message).summary.startswith("Cử tri ")
