"""The only wiring of the notifier: settings → clients → senders → broker → handlers → ASGI app."""

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from hoiam_notifier.handlers import SendNotifications, register_handlers
from hoiam_notifier.mail import EmailSender, SmtpEmailSender
from hoiam_notifier.metrics import NotifierMetrics
from hoiam_notifier.repository import MongoDeliveryRepository
from hoiam_notifier.settings import NotifierSettings
from hoiam_shared.http import service_app
from hoiam_shared.kafka import DeadLetters, KafkaEventPublisher, make_broker
from hoiam_shared.logs import configure_logging
from hoiam_shared.mongo import make_mongo

SERVICE = "notifier"


def create_app(
    settings: NotifierSettings | None = None, *, email: EmailSender | None = None
) -> FastAPI:
    settings = settings or NotifierSettings()
    configure_logging(SERVICE, settings.log_level)
    registry = CollectorRegistry()
    metrics = NotifierMetrics(registry)
    broker = make_broker(settings, service=SERVICE, registry=registry)
    mongo, db = make_mongo(settings)
    deliveries = MongoDeliveryRepository(db)
    publisher = KafkaEventPublisher(broker)
    topics = settings.topics
    email = email or SmtpEmailSender(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        starttls=settings.smtp_starttls,
        timeout=settings.smtp_timeout_seconds,
    )
    register_handlers(
        broker,
        send=SendNotifications(
            deliveries=deliveries,
            email=email,
            publisher=publisher,
            topics=topics,
            metrics=metrics,
            mail_from=settings.mail_from,
            mail_domain=settings.mail_domain,
            console_url=settings.console_url,
            public_url=settings.public_url,
            send_attempts=settings.send_attempts,
            retry_backoff_seconds=settings.retry_backoff_seconds,
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
        prepare_store=deliveries.prepare,
        description="Tells bodies what they received and citizens what became of their feedback.",
    )
