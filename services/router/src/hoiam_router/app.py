"""The only wiring of the router: settings → directory → clients → broker → handlers → ASGI app."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry

from hoiam_router.api import router_api
from hoiam_router.directory import load_directory
from hoiam_router.handlers import (
    LearnedCorrections,
    Operations,
    RouteFeedback,
    SweepOverdue,
    register_handlers,
    vietnam_today,
)
from hoiam_router.metrics import RouterMetrics
from hoiam_router.repository import MongoAssignmentRepository
from hoiam_router.settings import RouterSettings
from hoiam_shared.http import service_app
from hoiam_shared.kafka import TRANSIENT_ERRORS, DeadLetters, KafkaEventPublisher, make_broker
from hoiam_shared.logs import configure_logging
from hoiam_shared.mongo import make_mongo

SERVICE = "router"
log = logging.getLogger(__name__)


async def _every(
    interval: float,
    sweep: SweepOverdue,
    corrections: LearnedCorrections,
    store: MongoAssignmentRepository,
) -> None:
    """The periodic sweep; also picks up corrections other router processes stored."""
    while True:
        try:
            await corrections.refresh(store)
            await sweep(vietnam_today())
        except TRANSIENT_ERRORS as error:  # an outage: the next round tries again
            log.warning("sweep failed, retrying next round", extra={"error": str(error)})
        await asyncio.sleep(interval)


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
    corrections = LearnedCorrections()
    register_handlers(
        broker,
        route=RouteFeedback(
            directory=directory,
            assignments=assignments,
            publisher=publisher,
            topics=topics,
            metrics=metrics,
            fallback_province=settings.fallback_province,
            corrections=corrections,
        ),
        dead_letters=DeadLetters(publisher, service=SERVICE),
        settings=settings,
        metrics=metrics,
    )
    operations = Operations(
        directory=directory,
        assignments=assignments,
        publisher=publisher,
        topics=topics,
        corrections=corrections,
        fallback_province=settings.fallback_province,
    )
    sweep = SweepOverdue(
        directory=directory,
        assignments=assignments,
        publisher=publisher,
        topics=topics,
        metrics=metrics,
    )
    app = service_app(
        name=SERVICE,
        settings=settings,
        broker=broker,
        mongo=mongo,
        registry=registry,
        prepare_store=assignments.prepare,
        routers=[
            router_api(
                directory=directory,
                operations=operations,
                corrections=corrections,
                metrics=metrics,
                operator_token=settings.operator_token,
            )
        ],
        description="Assigns every item to the responsible body, or to triage.",
    )

    async def unavailable(_: Request, error: Exception) -> JSONResponse:
        # The store or broker is away: nothing was half-done that the outbox does not cover.
        return JSONResponse(
            {"detail": f"temporarily unavailable, retry: {type(error).__name__}"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    for error_type in TRANSIENT_ERRORS:
        if issubclass(error_type, Exception):
            app.add_exception_handler(error_type, unavailable)
    shell = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        async with shell(application):
            task = asyncio.create_task(
                _every(settings.sweep_interval_seconds, sweep, corrections, assignments)
            )
            try:
                yield
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app.router.lifespan_context = lifespan
    return app
