"""The only wiring of the notifier: settings → clients → senders → broker → handlers → ASGI app."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta

import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from hoiam_notifier.channels import (
    MetaSender,
    Sender,
    SmsSender,
    SmtpSender,
    ZaloSender,
    ZaloToken,
    ZaloTokens,
)
from hoiam_notifier.domain import Links, Policy, Way
from hoiam_notifier.handlers import Clock, Notifier, register_handlers
from hoiam_notifier.metrics import NotifierMetrics
from hoiam_notifier.repository import (
    MongoContactRepository,
    MongoDeliveryRepository,
    MongoItemRepository,
    MongoQueueRepository,
    MongoTokenStore,
)
from hoiam_notifier.settings import NotifierSettings
from hoiam_shared.http import service_app
from hoiam_shared.kafka import DeadLetters, KafkaEventPublisher, make_broker
from hoiam_shared.logs import configure_logging
from hoiam_shared.mongo import make_mongo

SERVICE = "notifier"
log = logging.getLogger(__name__)


def _secret(value: object) -> str:
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if getter else ""


def make_policy(settings: NotifierSettings) -> Policy:
    return Policy(
        zalo_window=timedelta(hours=settings.zalo_window_hours),
        messenger_window=timedelta(hours=settings.messenger_window_hours),
        human_agent_window=timedelta(days=settings.human_agent_days),
        zns_enabled=bool(settings.zalo_app_id and settings.zalo_zns_template_id),
        sms_enabled=bool(settings.sms_api_url),
        quiet_start=time(settings.quiet_start_hour),
        quiet_end=time(settings.quiet_end_hour),
        digest_hour=settings.digest_hour,
    )


def make_senders(
    settings: NotifierSettings, client: httpx.AsyncClient, tokens: MongoTokenStore
) -> dict[Way, Sender]:
    """Every configured channel; one left unconfigured is skipped (the next contact is tried)."""
    senders: dict[Way, Sender] = {
        Way.EMAIL: SmtpSender(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=_secret(settings.smtp_password) or None,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
            mail_from=settings.mail_from,
            mail_domain=settings.mail_domain,
        )
    }
    if settings.zalo_app_id and settings.zalo_refresh_token:
        expires = (
            datetime.fromisoformat(settings.zalo_access_token_expires_at)
            if settings.zalo_access_token_expires_at
            else datetime.now(UTC) + timedelta(hours=1)
        )
        zalo = ZaloSender(
            client=client,
            api_base=settings.zalo_api_base,
            zns_base=settings.zns_api_base,
            tokens=ZaloTokens(
                client=client,
                oauth_base=settings.zalo_oauth_base,
                app_id=settings.zalo_app_id,
                secret_key=_secret(settings.zalo_secret_key),
                initial=ZaloToken(
                    access_token=_secret(settings.zalo_access_token),
                    refresh_token=_secret(settings.zalo_refresh_token),
                    expires_at=expires,
                ),
                store=tokens,
            ),
            zns_template_id=settings.zalo_zns_template_id or "",
        )
        senders[Way.ZALO_CS] = zalo
        if settings.zalo_zns_template_id:
            senders[Way.ZALO_ZNS] = zalo
    if settings.facebook_page_token:
        meta = MetaSender(
            client=client,
            graph_base=settings.graph_api_base,
            page_id=settings.facebook_page_id,
            page_token=_secret(settings.facebook_page_token),
        )
        senders[Way.MESSENGER] = meta
        senders[Way.FB_COMMENT] = meta
    if settings.sms_api_url:
        senders[Way.SMS] = SmsSender(
            client=client, url=settings.sms_api_url, token=_secret(settings.sms_api_token)
        )
    return senders


def create_app(
    settings: NotifierSettings | None = None,
    *,
    senders: dict[Way, Sender] | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    settings = settings or NotifierSettings()
    configure_logging(SERVICE, settings.log_level)
    registry = CollectorRegistry()
    metrics = NotifierMetrics(registry)
    broker = make_broker(settings, service=SERVICE, registry=registry)
    mongo, db = make_mongo(settings)
    deliveries, items = MongoDeliveryRepository(db), MongoItemRepository(db)
    contacts, queue, tokens = (
        MongoContactRepository(db),
        MongoQueueRepository(db),
        MongoTokenStore(db),
    )
    client = httpx.AsyncClient(timeout=settings.http_timeout_seconds)
    offset = timedelta(seconds=settings.clock_offset_seconds)
    notifier = Notifier(
        deliveries=deliveries,
        items=items,
        contacts=contacts,
        queue=queue,
        senders=senders if senders is not None else make_senders(settings, client, tokens),
        publisher=KafkaEventPublisher(broker),
        topics=settings.topics,
        metrics=metrics,
        links=Links(console_url=settings.console_url, public_url=settings.public_url),
        policy=make_policy(settings),
        clock=clock or (lambda: datetime.now(UTC) + offset),
        send_attempts=settings.send_attempts,
        retry_backoff_seconds=settings.retry_backoff_seconds,
        max_retry_wait_seconds=settings.max_retry_wait_seconds,
        crash_after=settings.test_crash_after,
    )
    register_handlers(
        broker,
        notifier=notifier,
        dead_letters=DeadLetters(KafkaEventPublisher(broker), service=SERVICE),
        settings=settings,
        metrics=metrics,
    )

    async def prepare_store() -> None:
        for store in (deliveries, items, contacts, queue, tokens):
            await store.prepare()

    app = service_app(
        name=SERVICE,
        settings=settings,
        broker=broker,
        mongo=mongo,
        registry=registry,
        prepare_store=prepare_store,
        description="Tells bodies what they received and citizens what became of their feedback.",
    )

    async def flush_forever() -> None:
        while True:
            await asyncio.sleep(settings.flush_interval_seconds)
            try:
                await notifier.flush()
            except Exception:  # the loop must outlive an outage; the next round retries
                log.exception("flush failed; retrying next round")

    shell = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        async with shell(application):
            task = asyncio.create_task(flush_forever()) if settings.flush_enabled else None
            try:
                yield
            finally:
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                await client.aclose()

    app.router.lifespan_context = lifespan
    app.state.notifier = notifier
    return app
