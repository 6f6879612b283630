"""The three services' handlers chained on FastStream's in-memory broker, with in-memory stores."""

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker

from fakes import (
    InMemoryAssignmentRepository,
    InMemoryDeliveryRepository,
    InMemoryItemRepository,
    InMemorySender,
    NotifierWorld,
    intake_world,
    router_world,
)
from hoiam_intake.domain.channels.email import EMAIL_CONTENT_TYPE
from hoiam_intake.domain.channels.web import WEB_CONTENT_TYPE
from hoiam_intake.domain.items import accept_raw
from hoiam_notifier.domain.notifications import Way
from hoiam_router.settings import RouterSettings
from hoiam_shared.events import Channel, DeadLetterRecorded, FeedbackRouted, Status
from hoiam_shared.ids import new_id, new_tracking_code
from hoiam_shared.kafka import KafkaEventPublisher
from hoiam_shared.service import subscribe_all
from hoiam_shared.topics import FEEDBACK_ROUTED, INTAKE_RAW, Topics
from support.clock import TestClock
from support.intake_samples import email
from support.router import bundled_directory

# In memory there is one consumer per subscriber; the prefix keeps names apart as in prod.
COMMON: dict[str, object] = {
    "kafka_topic_prefix": "unit.",
    "kafka_consumers": 1,
    "retry_backoff_seconds": 0.01,
}


@dataclass
class Pipeline:
    broker: KafkaBroker
    topics: Topics
    clock: TestClock
    items: InMemoryItemRepository
    assignments: InMemoryAssignmentRepository
    deliveries: InMemoryDeliveryRepository
    email: InMemorySender
    dead: list[DeadLetterRecorded]


@pytest.fixture
async def pipeline() -> AsyncIterator[Pipeline]:
    """The three services as their own `build` wires them, on one in-memory broker.

    The clock is a weekday morning: the e-mails asserted below go out at once in any case, and
    nothing here is about quiet hours.
    """
    broker = KafkaBroker()
    publisher = KafkaEventPublisher(broker)
    clock = TestClock.daytime()
    intake = intake_world(clock=clock, publisher=publisher, **COMMON)
    router_settings = RouterSettings.model_validate({"fallback_province": "86", **COMMON})
    router = router_world(
        bundled_directory(), clock=clock, settings=router_settings, publisher=publisher
    )
    notifier = NotifierWorld(
        clock, publisher=publisher, ways=(Way.EMAIL,), send_attempts=2, **COMMON
    )
    subscribe_all(broker, intake.parts.wiring, intake.settings)
    subscribe_all(broker, router.parts.wiring, router_settings)
    subscribe_all(broker, notifier.parts.wiring, notifier.settings)
    topics = intake.settings.topics
    dead: list[DeadLetterRecorded] = []

    @broker.subscriber(topics.dlq(INTAKE_RAW))
    async def collect_intake_dlq(body: dict[str, object]) -> None:
        dead.append(DeadLetterRecorded.model_validate(body))

    @broker.subscriber(topics.dlq(FEEDBACK_ROUTED))
    async def collect_routed_dlq(body: dict[str, object]) -> None:
        dead.append(DeadLetterRecorded.model_validate(body))

    async with TestKafkaBroker(broker) as test_broker:
        yield Pipeline(
            test_broker,
            topics,
            clock,
            intake.items,
            router.store,
            notifier.deliveries,
            notifier.senders[Way.EMAIL],
            dead,
        )


async def submit(pipeline: Pipeline, payload: Mapping[str, object]) -> None:
    """A web submission as intake's edge writes it to `intake.raw.v1`."""
    await pipeline.broker.publish(
        web_raw(payload, pipeline.clock), pipeline.topics.name(INTAKE_RAW)
    )


def web_raw(payload: Mapping[str, object], clock: TestClock) -> bytes:
    raw = accept_raw(
        item_id=new_id(),
        tracking_code=new_tracking_code(),
        channel=Channel.WEB,
        payload=json.dumps(payload, ensure_ascii=False).encode(),
        content_type=WEB_CONTENT_TYPE,
        received_at=clock(),
    )
    return raw.to_bytes()


SUBMISSION = {
    "name": "Trần Thị Bích",
    "email": "bich.tran@Example.VN",
    "address": "ấp Long Hòa, xã Châu Thành, tỉnh Trà Vinh",
    "text": "Khu vực ấp Long Hòa bị mất điện kéo dài 3 ngày, đường dây điện bị đứt sau mưa bão.",
    "consent": True,
}


async def test_a_web_item_is_routed_and_both_body_and_citizen_are_emailed(
    pipeline: Pipeline,
) -> None:
    await submit(pipeline, SUBMISSION)

    [routed] = pipeline.assignments.assignments.values()
    assert routed.status is Status.ROUTED
    assert routed.body is not None
    assert routed.body.id == "86-dien-luc"
    recipients = sorted(o.target.address for o in pipeline.email.sent)
    assert recipients == ["bich.tran@example.vn", "cskh@dienluc-vinhlong.example"]
    assert all(routed.tracking_code in o.notification.subject for o in pipeline.email.sent)


async def test_the_same_event_twice_gives_one_route_and_one_email_each(
    pipeline: Pipeline,
) -> None:
    record = web_raw(SUBMISSION, pipeline.clock)
    await pipeline.broker.publish(record, pipeline.topics.name(INTAKE_RAW))
    await pipeline.broker.publish(record, pipeline.topics.name(INTAKE_RAW))

    assert len(pipeline.items.items) == 1
    assert len(pipeline.assignments.assignments) == 1
    assert len(pipeline.email.sent) == 2  # the body and the citizen, once each
    assert {status for _, status, _ in pipeline.deliveries.finished.values()} == {"sent"}


async def test_an_undecodable_record_goes_to_the_dlq_and_the_next_one_still_flows(
    pipeline: Pipeline,
) -> None:
    await pipeline.broker.publish(b"\xff not json", pipeline.topics.name(INTAKE_RAW), key=b"k1")
    await submit(pipeline, SUBMISSION)

    [letter] = pipeline.dead
    assert letter.service == "intake"
    assert letter.source_topic == pipeline.topics.name(INTAKE_RAW)
    assert letter.value == b"\xff not json"  # the original bytes, exactly
    assert letter.key == "k1"
    assert letter.error_type in {"JSONDecodeError", "UnicodeDecodeError"}
    assert len(pipeline.assignments.assignments) == 1


async def test_a_valid_envelope_with_a_bad_payload_is_dead_lettered_with_its_cause(
    pipeline: Pipeline,
) -> None:
    await submit(pipeline, {"text": "ok?"} | {"phone": "12"})

    [letter] = pipeline.dead
    assert letter.error_type == "ValidationError"
    assert "phone" in letter.error
    assert pipeline.assignments.assignments == {}


async def test_a_routed_event_republished_by_a_replay_sends_nothing_new(
    pipeline: Pipeline,
) -> None:
    await submit(pipeline, SUBMISSION)
    [routed] = pipeline.assignments.assignments.values()
    assert isinstance(routed, FeedbackRouted)

    await pipeline.broker.publish(routed.to_bytes(), pipeline.topics.name(FEEDBACK_ROUTED))

    assert len(pipeline.email.sent) == 2


# --- issue 10, conversations: a re-sent matter; an unknown commune asked for ----------------------


async def test_a_resent_matter_is_answered_once_and_not_sent_to_the_body_again(
    pipeline: Pipeline,
) -> None:
    await submit(pipeline, SUBMISSION)
    again = SUBMISSION | {"text": "Xin chào, " + str(SUBMISSION["text"]).lower() + " Cảm ơn!"}
    await submit(pipeline, again)

    [item] = pipeline.items.items.values()
    assert len(pipeline.assignments.assignments) == 1
    to_body = [o for o in pipeline.email.sent if o.target.address.startswith("cskh@")]
    assert len(to_body) == 1  # one "new petition", not two
    told = [o for o in pipeline.email.sent if o.target.address == "bich.tran@example.vn"]
    assert len(told) == 2  # the acknowledgement, then "you already sent it"
    assert item.tracking_code in told[1].notification.text
    assert "đã gửi ý kiến này trước đây" in told[1].notification.text


async def test_an_unknown_commune_is_asked_for_and_the_reply_routes_the_item(
    pipeline: Pipeline,
) -> None:
    lane = {
        "name": "Lê Văn Tư",
        "email": "tu.le@example.vn",
        "text": "Đường ấp bị ổ gà, mưa xuống xe máy té ngã liên tục",
        "consent": True,
    }
    await submit(pipeline, lane)
    [waiting] = pipeline.assignments.assignments.values()
    assert (waiting.status, waiting.triage_reason) == (Status.TRIAGE, "commune_unknown")
    [asked] = pipeline.email.sent
    assert asked.target.address == "tu.le@example.vn"
    assert "xã, phường" in asked.notification.text

    reply = email(
        body="Dạ, ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh.".encode(),
        subject=f"Re: [Hồi Âm {waiting.tracking_code}] Ý kiến đã được tiếp nhận",
        sender="tu.le@example.vn",
        message_id="<reply-1@example.vn>",
    )
    item_id = new_id()
    raw = accept_raw(
        item_id=item_id, tracking_code=new_tracking_code(), channel=Channel.EMAIL,
        payload=reply, content_type=EMAIL_CONTENT_TYPE, received_at=pipeline.clock(),
        source_ref="reply-1@example.vn",
    )  # fmt: skip
    await pipeline.broker.publish(raw.to_bytes(), pipeline.topics.name(INTAKE_RAW))

    stored = await pipeline.assignments.get(waiting.item_id)
    assert stored is not None
    assert stored.status is Status.ROUTED
    assert stored.body is not None
    assert stored.body.id == "29341-ubnd-xa"
    after = {o.target.address for o in pipeline.email.sent[1:]}
    assert "ubnd@xa-tieu-can.vinh-long.hoiam.example" in after  # the commune is told
    assert "tu.le@example.vn" in after  # and the citizen, where it went
