"""The only wiring of intake: settings → clients → broker → handlers → ASGI app."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from hoiam_intake.accepting import Acceptor
from hoiam_intake.api import build_router
from hoiam_intake.domain.rules import Rules
from hoiam_intake.handlers import NormaliseFeedback, register_handlers
from hoiam_intake.imap import ImapPoller, MongoMailboxState
from hoiam_intake.metrics import IntakeMetrics
from hoiam_intake.repository import MongoItemRepository
from hoiam_intake.settings import IntakeSettings
from hoiam_intake.store import MongoIntakeStore
from hoiam_shared.http import service_app
from hoiam_shared.kafka import DeadLetters, KafkaEventPublisher, make_broker
from hoiam_shared.logs import configure_logging
from hoiam_shared.mongo import make_mongo

SERVICE = "intake"
log = logging.getLogger(__name__)


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    configure_logging(SERVICE, settings.log_level)
    registry = CollectorRegistry()
    metrics = IntakeMetrics(registry)
    broker = make_broker(settings, service=SERVICE, registry=registry)
    mongo, db = make_mongo(settings)
    items = MongoItemRepository(db)
    store = MongoIntakeStore(db)
    publisher = KafkaEventPublisher(broker)
    topics = settings.topics
    secret = settings.id_secret.get_secret_value()
    rules = Rules(
        secret=secret,
        account_provinces=settings.account_provinces,
        timezone=settings.timezone,
        csv_columns=settings.calls_csv_columns,
        default_mailbox=settings.imap_user or None,
    )
    register_handlers(
        broker,
        normalise=NormaliseFeedback(
            items=items,
            publisher=publisher,
            topics=topics,
            metrics=metrics,
            store=store,
            rules=rules,
            duplicate_window=timedelta(hours=settings.duplicate_window_hours),
        ),
        dead_letters=DeadLetters(publisher, service=SERVICE),
        settings=settings,
        metrics=metrics,
    )
    acceptor = Acceptor(
        publisher=publisher, store=store, topics=topics, metrics=metrics, secret=secret
    )

    async def prepare_store() -> None:
        await items.prepare()
        await store.prepare()

    if settings.operator_token is None:
        log.warning("HOIAM_INTAKE_OPERATOR_TOKEN is unset: operator endpoints answer 401")
    app = service_app(
        name=SERVICE,
        settings=settings,
        broker=broker,
        mongo=mongo,
        registry=registry,
        prepare_store=prepare_store,
        routers=[
            build_router(
                acceptor=acceptor,
                items=items,
                store=store,
                metrics=metrics,
                rules=rules,
                max_body_bytes=settings.max_body_bytes,
                operator_token=settings.operator_token,
                zalo_app_id=settings.zalo_app_id,
                zalo_oa_secret=settings.zalo_oa_secret,
                facebook_app_secret=settings.facebook_app_secret,
                facebook_verify_token=settings.facebook_verify_token,
            )
        ],
        description="Every channel in, raw first, normalised into one event.",
    )
    if settings.imap_host:
        poller = ImapPoller(
            settings=settings,
            acceptor=acceptor,
            state=MongoMailboxState(db),
            metrics=metrics,
        )
        inner = app.router.lifespan_context

        @asynccontextmanager
        async def with_poller(app_: FastAPI) -> AsyncIterator[None]:
            async with inner(app_):
                task = asyncio.create_task(poller.run_forever(), name="imap-poller")
                try:
                    yield
                finally:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

        app.router.lifespan_context = with_poller
    return app
