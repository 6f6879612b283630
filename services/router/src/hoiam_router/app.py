"""The only wiring of the router: settings → directory → clients → broker → handlers → ASGI app."""

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from hoiam_router.directory import load_directory
from hoiam_router.handlers import RouteFeedback, register_handlers
from hoiam_router.metrics import RouterMetrics
from hoiam_router.repository import MongoAssignmentRepository
from hoiam_router.settings import RouterSettings
from hoiam_shared.http import service_app
from hoiam_shared.kafka import DeadLetters, KafkaEventPublisher, make_broker
from hoiam_shared.logs import configure_logging
from hoiam_shared.mongo import make_mongo

SERVICE = "router"


def create_app(settings: RouterSettings | None = None) -> FastAPI:
    settings = settings or RouterSettings()
    configure_logging(SERVICE, settings.log_level)
    directory = load_directory(settings.directory_path)
    registry = CollectorRegistry()
    metrics = RouterMetrics(registry)
    broker = make_broker(settings, service=SERVICE, registry=registry)
    mongo, db = make_mongo(settings)
    assignments = MongoAssignmentRepository(db)
    publisher = KafkaEventPublisher(broker)
    topics = settings.topics
    register_handlers(
        broker,
        route=RouteFeedback(
            directory=directory,
            assignments=assignments,
            publisher=publisher,
            topics=topics,
            metrics=metrics,
            fallback_province=settings.fallback_province,
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
        prepare_store=assignments.prepare,
        description="Assigns every item to the responsible body, or to triage.",
    )
