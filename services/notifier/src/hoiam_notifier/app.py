"""The only wiring of the notifier: `build` puts the parts together, `create_app` runs them.

`build` takes stores, senders, a publisher and a clock and does no I/O, so tests call it with
the fakes of `tests/fakes.py`; `create_app` makes the real clients (Kafka, MongoDB, HTTP, SMTP)
and hands what `build` returns to the shared `serve`.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

import httpx
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from hoiam_notifier.channels.meta import MetaSender
from hoiam_notifier.channels.port import Sender
from hoiam_notifier.channels.sms import SmsSender
from hoiam_notifier.channels.smtp import SmtpSender
from hoiam_notifier.channels.zalo import TokenStore, ZaloSender, ZaloToken, ZaloTokens
from hoiam_notifier.domain.knowledge import Links, Policy
from hoiam_notifier.domain.notifications import Way
from hoiam_notifier.handlers import Notifier, flush_every
from hoiam_notifier.metrics import NotifierMetrics
from hoiam_notifier.repository import (
    ContactRepository,
    DeliveryRepository,
    ItemRepository,
    MongoStores,
    QueueRepository,
)
from hoiam_notifier.settings import NotifierSettings
from hoiam_shared.clock import Clock, system_clock
from hoiam_shared.events import (
    ContactReachabilityChanged,
    FeedbackMessageAdded,
    FeedbackRouted,
    NotificationFailed,
    NotificationSent,
    OperatorTaskOpened,
    StatusChanged,
)
from hoiam_shared.kafka import (
    DeadLetters,
    EventPublisher,
    KafkaEventPublisher,
    Subscription,
    make_broker,
)
from hoiam_shared.logs import configure_logging
from hoiam_shared.mongo import Document, make_mongo
from hoiam_shared.sealing import SealingPublisher
from hoiam_shared.service import Wiring, serve
from hoiam_shared.topics import (
    CITIZEN_CONTACTS,
    FEEDBACK_MESSAGES,
    FEEDBACK_ROUTED,
    FEEDBACK_STATUS,
    NOTIFICATION_FAILED,
    NOTIFICATION_SENT,
    OPERATOR_TASKS,
)
from hoiam_shared.vault import make_vault

SERVICE = "notifier"
DESCRIPTION = "Tells bodies what they received and citizens what became of their feedback."


@dataclass(frozen=True)
class NotifierParts:
    """The built notifier: the handler object tests drive, its metrics, and its wiring."""

    notifier: Notifier
    metrics: NotifierMetrics
    wiring: Wiring


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


def make_links(settings: NotifierSettings) -> Links:
    """Links only to sites that are configured: the console and public pages arrive later."""
    return Links(
        console_url=(settings.console_base_url or "").rstrip("/") or None,
        public_url=(settings.public_base_url or "").rstrip("/") or None,
    )


def build(
    settings: NotifierSettings,
    *,
    deliveries: DeliveryRepository,
    items: ItemRepository,
    contacts: ContactRepository,
    queue: QueueRepository,
    senders: Mapping[Way, Sender],
    publisher: EventPublisher,
    clock: Clock,
    registry: CollectorRegistry,
) -> NotifierParts:
    """The notifier, its four subscriptions and its flush loop, on the stores and senders given.

    No I/O: nothing here connects, so the same call serves production and every test.
    """
    metrics = NotifierMetrics(registry)
    notifier = Notifier(
        deliveries=deliveries,
        items=items,
        contacts=contacts,
        queue=queue,
        senders=senders,
        publisher=publisher,
        topics=settings.topics,
        metrics=metrics,
        links=make_links(settings),
        policy=make_policy(settings),
        clock=clock,
        send_attempts=settings.send_attempts,
        retry_backoff_seconds=settings.retry_backoff_seconds,
        max_retry_wait_seconds=settings.max_retry_wait_seconds,
    )
    topics = settings.topics
    wiring = Wiring(
        name=SERVICE,
        description=DESCRIPTION,
        dead_letters=DeadLetters(publisher, service=SERVICE, clock=clock),
        on_dead_letter=lambda kind: metrics.dead_letters.labels(kind).inc(),
        subscriptions=(
            Subscription(
                topics.name(FEEDBACK_ROUTED),
                FeedbackRouted,
                notifier.notify_routed,
                "notify_routed",
            ),
            Subscription(
                topics.name(FEEDBACK_STATUS), StatusChanged, notifier.notify_status, "notify_status"
            ),
            Subscription(
                topics.name(FEEDBACK_MESSAGES),
                FeedbackMessageAdded,
                notifier.record_message,
                "record_inbound_message",
            ),
            Subscription(
                topics.name(CITIZEN_CONTACTS),
                ContactReachabilityChanged,
                notifier.record_reachability,
                "record_reachability",
            ),
        ),
        # One replica is enough to flush (FLUSH_ENABLED=false on the others): docs/notifier.md.
        background=(
            (flush_every(notifier, settings.flush_interval_seconds),)
            if settings.flush_enabled
            else ()
        ),
        publishes={
            topics.name(NOTIFICATION_SENT): NotificationSent,
            topics.name(NOTIFICATION_FAILED): NotificationFailed,
            topics.name(OPERATOR_TASKS): OperatorTaskOpened,
            topics.name(CITIZEN_CONTACTS): ContactReachabilityChanged,
        },
    )
    return NotifierParts(notifier=notifier, metrics=metrics, wiring=wiring)


# --- the real clients ---------------------------------------------------------------------------


def _secret(value: object) -> str:
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if getter else ""


def make_senders(
    settings: NotifierSettings, *, client: httpx.AsyncClient, tokens: TokenStore, clock: Clock
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
            connections=settings.smtp_connections,
            mail_from=settings.mail_from,
            mail_domain=settings.mail_domain,
            clock=clock,
        )
    }
    if settings.zalo_app_id and settings.zalo_refresh_token:
        expires = (
            datetime.fromisoformat(settings.zalo_access_token_expires_at)
            if settings.zalo_access_token_expires_at
            else clock() + timedelta(hours=1)
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
                clock=clock,
            ),
            zns_template_id=settings.zalo_zns_template_id or "",
            clock=clock,
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
            clock=clock,
        )
        senders[Way.MESSENGER] = meta
        senders[Way.FB_COMMENT] = meta
    if settings.sms_api_url:
        senders[Way.SMS] = SmsSender(
            client=client,
            url=settings.sms_api_url,
            token=_secret(settings.sms_api_token),
            clock=clock,
        )
    return senders


@dataclass(frozen=True)
class Adapters:
    """The real clients and stores of one notifier process, made without connecting anything."""

    registry: CollectorRegistry
    broker: KafkaBroker
    mongo: AsyncMongoClient[Document]
    http: httpx.AsyncClient
    deliveries: DeliveryRepository
    items: ItemRepository
    contacts: ContactRepository
    queue: QueueRepository
    senders: Mapping[Way, Sender]
    prepare_store: Callable[[], Awaitable[None]]


def make_adapters(settings: NotifierSettings, *, clock: Clock) -> Adapters:
    registry = CollectorRegistry()
    mongo, db = make_mongo(settings, registry=registry)
    stores = MongoStores.on(db, clock=clock)
    http = httpx.AsyncClient(timeout=settings.http_timeout_seconds)
    return Adapters(
        registry=registry,
        broker=make_broker(settings, service=SERVICE, registry=registry),
        mongo=mongo,
        http=http,
        deliveries=stores.deliveries,
        items=stores.items,
        contacts=stores.contacts,
        queue=stores.queue,
        senders=make_senders(settings, client=http, tokens=stores.tokens, clock=clock),
        prepare_store=stores.prepare,
    )


def app_for(settings: NotifierSettings, adapters: Adapters, *, clock: Clock) -> FastAPI:
    """`build` on these adapters, served: the shell owns the clients, so it prepares and closes."""
    vault, keys = make_vault(settings, adapters.mongo, clock=clock)
    parts = build(
        settings,
        deliveries=adapters.deliveries,
        items=adapters.items,
        contacts=adapters.contacts,
        queue=adapters.queue,
        senders=adapters.senders,
        publisher=SealingPublisher(KafkaEventPublisher(adapters.broker), vault),
        clock=clock,
        registry=adapters.registry,
    )
    wiring = replace(
        parts.wiring, prepare_store=adapters.prepare_store, on_stop=(adapters.http.aclose,)
    )
    return serve(
        wiring,
        settings=settings,
        broker=adapters.broker,
        mongo=adapters.mongo,
        registry=adapters.registry,
        vault=vault,
        keys=keys,
    )


def create_app(settings: NotifierSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or NotifierSettings()
    clock = clock or system_clock
    configure_logging(SERVICE, settings.log_level)
    return app_for(settings, make_adapters(settings, clock=clock), clock=clock)
