"""Subscribers: `feedback.routed` → plan (pure) → record pending → send → record, emit outcome."""

import asyncio
import logging
import time

from faststream.kafka import KafkaBroker

from hoiam_notifier.domain import Notification, plan_routed
from hoiam_notifier.mail import EmailSender, PermanentSendError, TransientSendError, build_email
from hoiam_notifier.metrics import NotifierMetrics
from hoiam_notifier.repository import DeliveryRepository, Outcome
from hoiam_shared.events import FeedbackRouted, NotificationFailed, NotificationSent
from hoiam_shared.kafka import DeadLetters, EventPublisher, subscribe
from hoiam_shared.settings import ServiceSettings
from hoiam_shared.topics import FEEDBACK_ROUTED, NOTIFICATION_FAILED, NOTIFICATION_SENT, Topics

log = logging.getLogger(__name__)


class SendNotifications:
    """Tells everyone a routing decision concerns, once per recipient and channel.

    A redelivered event finds its deliveries recorded and sends nothing. Only a crash between a
    send and its record can repeat that one send, and then with the same Message-ID, which many
    mail clients collapse into one; closing that gap for every channel is the notifier issue's.
    """

    def __init__(
        self,
        *,
        deliveries: DeliveryRepository,
        email: EmailSender,
        publisher: EventPublisher,
        topics: Topics,
        metrics: NotifierMetrics,
        mail_from: str,
        mail_domain: str,
        console_url: str,
        public_url: str,
        send_attempts: int,
        retry_backoff_seconds: float,
    ) -> None:
        self._deliveries = deliveries
        self._email = email
        self._publisher = publisher
        self._topics = topics
        self._metrics = metrics
        self._mail_from = mail_from
        self._mail_domain = mail_domain
        self._console_url = console_url
        self._public_url = public_url
        self._send_attempts = send_attempts
        self._backoff = retry_backoff_seconds

    async def __call__(self, routed: FeedbackRouted) -> list[Outcome]:
        plan = plan_routed(routed, console_url=self._console_url, public_url=self._public_url)
        # Recipients are independent: a slow mailbox must not hold up the others. Every send
        # finishes before an error is raised, so a retry of the event never overlaps a send still
        # in flight; the deliveries that succeeded are skipped then.
        results = await asyncio.gather(
            *(self._deliver(routed, n) for n in plan), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return [r for r in results if not isinstance(r, BaseException)]

    async def _deliver(self, routed: FeedbackRouted, notification: Notification) -> Outcome:
        delivery = await self._deliveries.begin(notification)
        if delivery.outcome is not None:
            # Redelivered event: the message went out (or failed for good) already. The outcome
            # event is published again in case the crash came before its publish; it is the same
            # event (same event_id), so its readers dedupe it.
            self._metrics.notifications.labels(
                notification.channel.value, "duplicate_skipped"
            ).inc()
            await self._emit(delivery.outcome)
            return delivery.outcome
        outcome = await self._attempt(routed, notification)
        await self._deliveries.finish(notification.delivery_id, outcome)
        await self._emit(outcome)
        result = "sent" if isinstance(outcome, NotificationSent) else "failed"
        self._metrics.notifications.labels(notification.channel.value, result).inc()
        return outcome

    async def _attempt(self, routed: FeedbackRouted, notification: Notification) -> Outcome:
        common: dict[str, object] = {
            "correlation_id": routed.item_id,
            "causation_id": routed.event_id,
            "item_id": routed.item_id,
            "tracking_code": routed.tracking_code,
            "delivery_id": notification.delivery_id,
            "recipient_kind": notification.recipient_kind,
            "channel": notification.channel,
        }
        if notification.unreachable_reason is not None:
            return NotificationFailed.model_validate(
                common | {"error": notification.unreachable_reason, "attempts": 1}
            )
        message = build_email(notification, sender=self._mail_from, mail_domain=self._mail_domain)
        for attempt in range(1, self._send_attempts + 1):
            started = time.perf_counter()
            try:
                answer = await self._email.send(message)
            except PermanentSendError as error:
                return NotificationFailed.model_validate(
                    common | {"error": str(error), "attempts": attempt}
                )
            except TransientSendError:
                if attempt == self._send_attempts:
                    # Left pending: the event is retried later and this delivery with it.
                    raise
                self._metrics.retries.labels(notification.channel.value).inc()
                log.warning("send failed, retrying", extra={"attempt": attempt})
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
                continue
            self._metrics.send_seconds.labels(notification.channel.value).observe(
                time.perf_counter() - started
            )
            return NotificationSent.model_validate(
                common | {"provider_message_id": answer[:200] or None, "attempts": attempt}
            )
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    async def _emit(self, outcome: Outcome) -> None:
        topic = NOTIFICATION_SENT if isinstance(outcome, NotificationSent) else NOTIFICATION_FAILED
        await self._publisher.publish(self._topics.name(topic), outcome, key=outcome.item_id)


def register_handlers(
    broker: KafkaBroker,
    *,
    send: SendNotifications,
    dead_letters: DeadLetters,
    settings: ServiceSettings,
    metrics: NotifierMetrics,
) -> None:
    subscribe(
        broker,
        topic=settings.topics.name(FEEDBACK_ROUTED),
        event=FeedbackRouted,
        handle=send,
        title="notify_routed",
        settings=settings,
        dead_letters=dead_letters,
        on_dead_letter=lambda kind: metrics.dead_letters.labels(kind).inc(),
    )
