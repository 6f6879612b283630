"""The only wiring of intake: settings → clients → broker → handlers → ASGI app."""

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from hoiam_intake.api import build_router
from hoiam_intake.handlers import NormaliseFeedback, register_handlers
from hoiam_intake.metrics import IntakeMetrics
from hoiam_intake.repository import MongoItemRepository
from hoiam_intake.settings import IntakeSettings
from hoiam_shared.http import service_app
from hoiam_shared.kafka import DeadLetters, KafkaEventPublisher, make_broker
from hoiam_shared.logs import configure_logging
from hoiam_shared.mongo import make_mongo

SERVICE = "intake"


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    configure_logging(SERVICE, settings.log_level)
    registry = CollectorRegistry()
    metrics = IntakeMetrics(registry)
    broker = make_broker(settings, service=SERVICE, registry=registry)
    mongo, db = make_mongo(settings)
    items = MongoItemRepository(db)
    publisher = KafkaEventPublisher(broker)
    topics = settings.topics
    register_handlers(
        broker,
        normalise=NormaliseFeedback(
            items=items, publisher=publisher, topics=topics, metrics=metrics
        ),
        dead_letters=DeadLetters(publisher, service=SERVICE),
        settings=settings,
        metrics=metrics,
    )
    return service_app(
        name=SERVICE,
        settings=settings,
        broker=broker,
        mongo=mongo,
        registry=registry,
        prepare_store=items.prepare,
        routers=[
            build_router(
                publisher=publisher,
                items=items,
                topics=topics,
                metrics=metrics,
                max_body_bytes=settings.max_body_bytes,
            )
        ],
        description="Every channel in, raw first, normalised into one event.",
    )
