"""The three services' handlers chained on FastStream's in-memory broker, with in-memory stores."""

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from prometheus_client import CollectorRegistry

from hoiam_intake import domain as intake_domain
from hoiam_intake.handlers import NormaliseFeedback
from hoiam_intake.handlers import register_handlers as register_intake
from hoiam_intake.metrics import IntakeMetrics
from hoiam_intake.repository import InMemoryItemRepository
from hoiam_notifier.channels import InMemorySender
from hoiam_notifier.domain import Links, Policy, Way
from hoiam_notifier.handlers import Notifier
from hoiam_notifier.handlers import register_handlers as register_notifier
from hoiam_notifier.metrics import NotifierMetrics
from hoiam_notifier.repository import (
    InMemoryContactRepository,
    InMemoryDeliveryRepository,
    InMemoryQueueRepository,
)
from hoiam_notifier.repository import InMemoryItemRepository as InMemoryNotifierItems
from hoiam_router.directory import load_directory
from hoiam_router.handlers import RouteFeedback
from hoiam_router.handlers import register_handlers as register_router
from hoiam_router.metrics import RouterMetrics
from hoiam_router.repository import InMemoryAssignmentRepository
from hoiam_shared.events import Channel, DeadLetterRecorded, FeedbackRouted, Status
from hoiam_shared.ids import new_id, new_tracking_code
from hoiam_shared.kafka import DeadLetters, KafkaEventPublisher
from hoiam_shared.settings import ServiceSettings
from hoiam_shared.topics import FEEDBACK_ROUTED, INTAKE_RAW, Topics


@dataclass
class Pipeline:
    broker: KafkaBroker
    topics: Topics
    items: InMemoryItemRepository
    assignments: InMemoryAssignmentRepository
    deliveries: InMemoryDeliveryRepository
    email: InMemorySender
    dead: list[DeadLetterRecorded]


@pytest.fixture
async def pipeline() -> AsyncIterator[Pipeline]:
    broker = KafkaBroker()
    # In memory there is one consumer per subscriber; the prefix keeps names apart as in prod.
    settings = ServiceSettings(
        kafka_topic_prefix="unit.", kafka_consumers=1, retry_backoff_seconds=0.01
    )
    topics = settings.topics
    publisher = KafkaEventPublisher(broker)
    registry = CollectorRegistry()
    items, assignments = InMemoryItemRepository(), InMemoryAssignmentRepository()
    deliveries, email = InMemoryDeliveryRepository(), InMemorySender()
    intake_metrics, router_metrics = IntakeMetrics(registry), RouterMetrics(registry)
    notifier_metrics = NotifierMetrics(registry)
    register_intake(
        broker,
        normalise=NormaliseFeedback(
            items=items, publisher=publisher, topics=topics, metrics=intake_metrics
        ),
        dead_letters=DeadLetters(publisher, service="intake"),
        settings=settings,
        metrics=intake_metrics,
    )
    register_router(
        broker,
        route=RouteFeedback(
            directory=load_directory(),
            assignments=assignments,
            publisher=publisher,
            topics=topics,
            metrics=router_metrics,
            fallback_province="86",
        ),
        dead_letters=DeadLetters(publisher, service="router"),
        settings=settings,
        metrics=router_metrics,
    )
    register_notifier(
        broker,
        notifier=Notifier(
            deliveries=deliveries,
            items=InMemoryNotifierItems(),
            contacts=InMemoryContactRepository(),
            queue=InMemoryQueueRepository(),
            senders={Way.EMAIL: email},
            publisher=publisher,
            topics=topics,
            metrics=notifier_metrics,
            links=Links(console_url="http://console", public_url="http://public"),
            policy=Policy(),
            clock=lambda: datetime.now(UTC),
            send_attempts=2,
            retry_backoff_seconds=0.01,
        ),
        dead_letters=DeadLetters(publisher, service="notifier"),
        settings=settings,
        metrics=notifier_metrics,
    )
    dead: list[DeadLetterRecorded] = []

    @broker.subscriber(topics.dlq(INTAKE_RAW))
    async def collect_intake_dlq(body: dict[str, object]) -> None:
        dead.append(DeadLetterRecorded.model_validate(body))

    @broker.subscriber(topics.dlq(FEEDBACK_ROUTED))
    async def collect_routed_dlq(body: dict[str, object]) -> None:
        dead.append(DeadLetterRecorded.model_validate(body))

    async with TestKafkaBroker(broker) as test_broker:
        yield Pipeline(test_broker, topics, items, assignments, deliveries, email, dead)


def web_raw(payload: Mapping[str, object]) -> bytes:
    raw = intake_domain.accept_raw(
        item_id=new_id(),
        tracking_code=new_tracking_code(),
        channel=Channel.WEB,
        payload=json.dumps(payload, ensure_ascii=False).encode(),
        content_type=intake_domain.WEB_CONTENT_TYPE,
        received_at=datetime.now(UTC),
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
    await pipeline.broker.publish(web_raw(SUBMISSION), pipeline.topics.name(INTAKE_RAW))

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
    record = web_raw(SUBMISSION)
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
    await pipeline.broker.publish(web_raw(SUBMISSION), pipeline.topics.name(INTAKE_RAW))

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
    await pipeline.broker.publish(
        web_raw({"text": "ok?"} | {"phone": "12"}), pipeline.topics.name(INTAKE_RAW)
    )

    [letter] = pipeline.dead
    assert letter.error_type == "ValidationError"
    assert "phone" in letter.error
    assert pipeline.assignments.assignments == {}


async def test_a_routed_event_republished_by_a_replay_sends_nothing_new(
    pipeline: Pipeline,
) -> None:
    await pipeline.broker.publish(web_raw(SUBMISSION), pipeline.topics.name(INTAKE_RAW))
    [routed] = pipeline.assignments.assignments.values()
    assert isinstance(routed, FeedbackRouted)

    await pipeline.broker.publish(routed.to_bytes(), pipeline.topics.name(FEEDBACK_ROUTED))

    assert len(pipeline.email.sent) == 2
