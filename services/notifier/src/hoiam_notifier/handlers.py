"""Subscribers and the periodic flush: load what is known → plan (pure) → record → send → record.

Exactly once, as far as a recipient can tell: the plan for (event, recipient) is stored first,
each target's delivery is recorded `pending` before the send and finished after, and a redelivered
event walks the stored plan, skipping what has an outcome. See docs/notifier.md.
"""

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from hoiam_notifier.channels.errors import ErrorKind, Verdict, retry_delay
from hoiam_notifier.channels.port import Outgoing, Sender, SendError
from hoiam_notifier.domain.deliveries import DeliveryStatus, Held, Queued
from hoiam_notifier.domain.digests import digest_notification
from hoiam_notifier.domain.knowledge import (
    ContactFact,
    ItemRecord,
    Links,
    Policy,
    Reachability,
    fold,
    item_record,
    status_after,
)
from hoiam_notifier.domain.notifications import Notification, Target, Way
from hoiam_notifier.domain.plans import (
    case_items,
    plan_added,
    plan_resent,
    plan_routed,
    plan_status,
    resent_record,
)
from hoiam_notifier.domain.quiet_hours import digest_due, quiet_until
from hoiam_notifier.metrics import NotifierMetrics
from hoiam_notifier.repository import (
    ContactRepository,
    DeliveryRepository,
    ItemRepository,
    QueueRepository,
)
from hoiam_shared.clock import Clock, vietnam_date
from hoiam_shared.events import (
    Channel,
    ContactReachabilityChanged,
    Event,
    FeedbackMessageAdded,
    FeedbackRouted,
    NotificationFailed,
    NotificationSent,
    OperatorTaskOpened,
    RecipientKind,
    StatusChanged,
)
from hoiam_shared.kafka import EventPublisher
from hoiam_shared.topics import (
    CITIZEN_CONTACTS,
    NOTIFICATION_FAILED,
    NOTIFICATION_SENT,
    OPERATOR_TASKS,
    Topics,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Attempted:
    """How one target went: sent (with the provider's id), or refused with a verdict."""

    attempts: int
    provider_id: str | None = None
    verdict: Verdict | None = None
    answer: str | None = None
    gave_up: bool = False  # retries ran out: the address may be fine, the provider was not


def _contacts(record: ItemRecord) -> list[tuple[Channel, str]]:
    c = record.citizen.contacts
    pairs = [
        (Channel.EMAIL, c.email),
        (Channel.ZALO, c.zalo_user_id),
        (Channel.FACEBOOK, c.facebook_psid),
        (Channel.PHONE, c.phone),
    ]
    return [(channel, address) for channel, address in pairs if address]


def _task_id(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]


class Notifier:
    """Tells everyone an event concerns, once per recipient, on the first way that works."""

    def __init__(
        self,
        *,
        deliveries: DeliveryRepository,
        items: ItemRepository,
        contacts: ContactRepository,
        queue: QueueRepository,
        senders: Mapping[Way, Sender],
        publisher: EventPublisher,
        topics: Topics,
        metrics: NotifierMetrics,
        links: Links,
        policy: Policy,
        clock: Clock,
        send_attempts: int = 3,
        retry_backoff_seconds: float = 1.0,
        max_retry_wait_seconds: float = 30.0,
    ) -> None:
        self._deliveries = deliveries
        self._items = items
        self._contacts = contacts
        self._queue = queue
        self._senders = senders
        self._publisher = publisher
        self._topics = topics
        self._metrics = metrics
        self._links = links
        self._policy = policy
        self._clock = clock
        self._attempts = send_attempts
        self._backoff = retry_backoff_seconds
        self._max_wait = max_retry_wait_seconds

    # --- subscribers ----------------------------------------------------------------------------

    async def notify_routed(self, routed: FeedbackRouted) -> None:
        record = item_record(routed)
        stored = await self._items.remember(record)
        if stored.routed_again(record):
            # Decided from triage or reassigned: what the citizen adds goes to the new body.
            await self._items.rerouted(record)
        reaches = await self._reaches([record])
        plan = plan_routed(
            routed,
            reach=reaches[record.item_id],
            links=self._links,
            now=self._clock(),
            policy=self._policy,
        )
        await self._deliver_all(plan)

    async def notify_status(self, event: StatusChanged) -> None:
        wanted = case_items(event)
        records = await self._items.find(wanted)
        if len(records) < len(wanted):
            # Items the notifier never saw routed have no contact to answer on; say so loudly.
            self._metrics.unknown_items.inc(len(wanted) - len(records))
            log.warning(
                "status change for items never routed here",
                extra={"missing": len(wanted) - len(records), "item_id": str(event.item_id)},
            )
        # Only what changed is written: an escalation of a case moves nobody's status.
        after = [(r.item_id, status_after(event, r), r.status) for r in records]
        await self._items.moved({i: s for i, s, was in after if s is not None and s is not was})
        plan = plan_status(
            event,
            records=records,
            reaches=await self._reaches(records),
            links=self._links,
            now=self._clock(),
            policy=self._policy,
        )
        await self._deliver_all(plan)

    async def record_message(self, added: FeedbackMessageAdded) -> None:
        """A citizen wrote again: their Zalo/Messenger window reopens from that moment, and the
        body that has the item is told what they added.

        Only a reply (or the same matter sent again) counts: editing or removing a comment is not
        a message to us, and the providers do not count it as one either. The same matter sent
        again is answered with the item the citizen already has (`_tell_resent`), and the body,
        which has that matter already, is not told.
        """
        if added.kind not in ("reply", "resent"):
            return
        found = await self._items.find((added.item_id,))
        known = found[0] if found else None
        await self._remember_inbound(added, known)
        if added.kind == "resent":
            await self._tell_resent(added, first=known)
        elif known is not None:
            await self._deliver_all(plan_added(added, record=known, links=self._links))
        else:
            self._metrics.unknown_items.inc()

    async def _remember_inbound(
        self, added: FeedbackMessageAdded, known: ItemRecord | None
    ) -> None:
        """The inbound message as a fact about the contact it came from (its window reopens)."""
        people = [c for c in (added.citizen, known.citizen if known else None) if c]
        for citizen in people:
            address = {
                Channel.ZALO: citizen.contacts.zalo_user_id,
                Channel.FACEBOOK: citizen.contacts.facebook_psid,
                Channel.EMAIL: citizen.contacts.email,
                Channel.PHONE: citizen.contacts.phone,
            }.get(added.channel)
            if address:
                await self._contacts.record(
                    ContactFact(
                        key=str(added.event_id),
                        channel=added.channel,
                        address=address,
                        at=added.received_at,
                    )
                )
                return

    async def _tell_resent(self, added: FeedbackMessageAdded, *, first: ItemRecord | None) -> None:
        """ "You already sent HA-…, here is where it stands", once, on the way they wrote."""
        if (record := resent_record(added, first=first)) is None:
            return
        reaches = await self._reaches([record])
        plan = plan_resent(
            added,
            record=record,
            reach=reaches[record.item_id],
            links=self._links,
            now=self._clock(),
            policy=self._policy,
        )
        await self._deliver_all(plan)

    async def record_reachability(self, changed: ContactReachabilityChanged) -> None:
        await self._contacts.record(
            ContactFact(
                key=str(changed.event_id),
                channel=changed.channel,
                address=changed.address,
                at=changed.changed_at,
                reachable=changed.reachable,
                reason=changed.reason,
            )
        )

    # --- the periodic flush (quiet hours, digests) ----------------------------------------------

    async def flush(self) -> int:
        """Send what is due: quiet-hour messages after 07:00, each recipient's daily digest."""
        now = self._clock()
        due = await self._queue.due(now)
        digests: dict[tuple[str, date], list[Queued]] = {}
        sent = 0
        for queued in due:
            if queued.kind is Held.DIGEST:
                day = queued.day or vietnam_date(queued.due_at)
                digests.setdefault((queued.notification.recipient, day), []).append(queued)
                continue
            await self._deliver(queued.notification, now=now, from_queue=True)
            await self._queue.remove(queued.key)
            sent += 1
        for (_, day), entries in digests.items():
            digest = digest_notification(
                [q.notification for q in entries],
                day=day,
                links=self._links,
            )
            # The digest's identity is (recipient, day): a crash after sending and before the
            # entries are removed sends nothing twice on the next flush.
            await self._deliver(digest, now=now, from_queue=True)
            for queued in entries:
                await self._queue.remove(queued.key)
            sent += 1
        return sent

    # --- delivering -----------------------------------------------------------------------------

    async def _reaches(self, records: list[ItemRecord]) -> dict[UUID, Reachability]:
        pairs = [pair for record in records for pair in _contacts(record)]
        facts = await self._contacts.facts(pairs)
        found: dict[UUID, Reachability] = {}
        for record in records:
            mine = set(_contacts(record))
            found[record.item_id] = fold([f for f in facts if (f.channel, f.address) in mine])
        return found

    async def _deliver_all(self, plan: list[Notification]) -> None:
        # Recipients are independent: a slow provider must not hold up the others. Every delivery
        # finishes before an error is raised, so a retry of the event never overlaps one in flight.
        now = self._clock()
        results = await asyncio.gather(
            *(self._deliver(n, now=now) for n in plan), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _deliver(
        self, planned: Notification, *, now: datetime, from_queue: bool = False
    ) -> None:
        if planned.digest and not from_queue:
            await self._queue_digest(planned, now)
            return
        notification = await self._deliveries.claim(planned)
        first = notification.targets[0] if notification.targets else None
        for index, target in enumerate(notification.targets):
            delivery = notification.delivery_id(target)
            if target.way is Way.CALL_BACK:
                await self._call_back(notification, target, delivery)
                return
            wait = quiet_until(target.way, now, urgent=notification.urgent, policy=self._policy)
            if wait is not None:
                await self._queue.put(
                    Queued(key=delivery, kind=Held.QUIET, due_at=wait, notification=notification)
                )
                self._metrics.queued.labels("quiet_hours").inc()
                return
            stored = await self._deliveries.begin(delivery, notification, target)
            if not stored.fresh:
                if stored.status in (DeliveryStatus.FALLBACK, DeliveryStatus.FAILED):
                    continue  # this target was tried and did not reach them: on to the next
                if stored.status is not DeliveryStatus.PENDING:
                    # Redelivered: it went out (or was handed to a person) already. The outcome is
                    # published again in case the crash came before its publish; same event id.
                    self._metrics.notifications.labels(
                        target.way.channel.value, "duplicate_skipped"
                    ).inc()
                    if stored.outcome is not None:
                        await self._emit(stored.outcome)
                    return
                if target.way is not Way.EMAIL:
                    await self._unknown(notification, target, delivery)
                    return
                # Email interrupted mid-send: sent again with the same Message-ID, which the
                # recipient's mail system treats as the same message (docs/notifier.md).
                self._metrics.resent_after_crash.inc()
            outcome = await self._attempt(Outgoing(notification, target, delivery))
            if outcome.provider_id is not None:
                sent = NotificationSent.model_validate(
                    self._common(notification, target, delivery)
                    | {
                        "provider_message_id": outcome.provider_id[:200] or None,
                        "attempts": outcome.attempts,
                        "fallback_from": first.way.channel if index > 0 and first else None,
                    }
                )
                await self._deliveries.finish(
                    delivery, item_id=notification.item_id, status=DeliveryStatus.SENT, outcome=sent
                )
                await self._emit(sent)
                self._metrics.notifications.labels(target.way.channel.value, "sent").inc()
                return
            assert outcome.verdict is not None  # noqa: S101 - _attempt sets one or the other
            more = index < len(notification.targets) - 1
            citizen = notification.recipient_kind is RecipientKind.CITIZEN
            # A citizen's last resort is a person (the task below); a body contact with no way
            # left is a failure someone must see, so it is reported as one.
            if outcome.verdict.kind is ErrorKind.FALLBACK and (more or citizen):
                await self._deliveries.finish(
                    delivery,
                    item_id=notification.item_id,
                    status=DeliveryStatus.FALLBACK,
                    outcome=None,
                )
                self._metrics.fallbacks.labels(target.way.value).inc()
                log.info(
                    "falling back to the next contact",
                    extra={"way": target.way.value, "reason": outcome.verdict.reason},
                )
                continue
            failed = NotificationFailed.model_validate(
                self._common(notification, target, delivery)
                | {
                    "error": outcome.verdict.reason,
                    "attempts": outcome.attempts,
                    "provider_answer": outcome.answer,
                }
            )
            await self._deliveries.finish(
                delivery, item_id=notification.item_id, status=DeliveryStatus.FAILED, outcome=failed
            )
            await self._emit(failed)
            self._metrics.notifications.labels(target.way.channel.value, "failed").inc()
            if target.way is Way.EMAIL and not outcome.gave_up:
                await self._bounced(notification, target, now)
        if notification.recipient_kind is RecipientKind.CITIZEN:
            # Never a silent drop: nothing reached the petitioner, so a person will.
            await self._open_task(
                notification,
                kind=notification.task_kind,
                reason=notification.unreachable_reason or "every contact failed",
                phone=None,
                task_key="unreachable",
            )

    async def _attempt(self, outgoing: Outgoing) -> Attempted:
        way = outgoing.target.way
        sender = self._senders.get(way)
        if sender is None:
            return Attempted(1, verdict=Verdict(ErrorKind.FALLBACK, f"{way.value} not configured"))
        for attempt in range(1, self._attempts + 1):
            started = time.perf_counter()
            try:
                provider_id = await sender.send(outgoing)
            except SendError as error:
                retry = error.verdict.kind in (ErrorKind.RETRY, ErrorKind.REFRESH)
                if retry and attempt < self._attempts:
                    self._metrics.retries.labels(way.channel.value).inc()
                    await asyncio.sleep(
                        retry_delay(
                            attempt,
                            backoff=self._backoff,
                            retry_after=error.retry_after,
                            cap=self._max_wait,
                        )
                    )
                    continue
                verdict = error.verdict
                if retry:
                    verdict = Verdict(
                        ErrorKind.FAIL, f"gave up after {attempt} tries: {verdict.reason}"
                    )
                return Attempted(attempt, verdict=verdict, answer=error.answer, gave_up=retry)
            self._metrics.send_seconds.labels(way.channel.value).observe(
                time.perf_counter() - started
            )
            return Attempted(attempt, provider_id=provider_id)
        raise AssertionError("unreachable: the loop returns")  # pragma: no cover

    def _common(self, n: Notification, target: Target, delivery: str) -> dict[str, object]:
        return {
            "occurred_at": self._clock(),  # the envelope too reads the notifier's clock
            "correlation_id": n.item_id,
            "causation_id": n.event_id,
            "item_id": n.item_id,
            "tracking_code": n.tracking_code,
            "delivery_id": delivery,
            "recipient_kind": n.recipient_kind,
            "channel": target.way.channel,
        }

    async def _call_back(self, n: Notification, target: Target, delivery: str) -> None:
        stored = await self._deliveries.begin(delivery, n, target)
        if not stored.fresh and stored.outcome is not None:
            await self._emit(stored.outcome)
            return
        task = self._task(
            n, kind="call_back", reason="phone_only", phone=target.address, key=delivery
        )
        await self._deliveries.finish(
            delivery, item_id=n.item_id, status=DeliveryStatus.TASK, outcome=task
        )
        await self._emit(task)
        self._metrics.notifications.labels(Channel.PHONE.value, "call_back").inc()

    async def _unknown(self, n: Notification, target: Target, delivery: str) -> None:
        """Interrupted between recording the intent and the outcome on a provider that cannot
        dedupe: it may have gone out. A person checks the conversation rather than the citizen
        getting the same chat message twice."""
        task = self._task(
            n,
            kind="delivery_outcome_unknown",
            reason="delivery_outcome_unknown",
            phone=None,
            key=delivery,
            details=f"{target.way.value} to {target.address}: interrupted mid-send; check the "
            "conversation and send the update by hand if it is missing.",
        )
        await self._deliveries.finish(
            delivery, item_id=n.item_id, status=DeliveryStatus.UNKNOWN, outcome=task
        )
        await self._emit(task)
        self._metrics.notifications.labels(target.way.channel.value, "unknown").inc()

    def _task(
        self,
        n: Notification,
        *,
        kind: str,
        reason: str,
        phone: str | None,
        key: str,
        details: str | None = None,
    ) -> OperatorTaskOpened:
        at = self._clock()
        return OperatorTaskOpened.model_validate(
            {
                "occurred_at": at,
                "correlation_id": n.item_id,
                "causation_id": n.event_id,
                "task_id": _task_id(kind, key),
                "kind": kind,
                "item_id": n.item_id,
                "tracking_code": n.tracking_code,
                "phone": phone,
                "reason": reason,
                "details": details or n.text[:2000],
                "opened_at": at,
            }
        )

    async def _open_task(
        self, n: Notification, *, kind: str, reason: str, phone: str | None, task_key: str
    ) -> None:
        key = f"{n.event_id}|{n.recipient}|{task_key}"
        marker = Target(way=Way.CALL_BACK, address=f"task:{task_key}")
        delivery = n.delivery_id(marker)
        stored = await self._deliveries.begin(delivery, n, marker)
        if not stored.fresh and stored.outcome is not None:
            await self._emit(stored.outcome)
            return
        task = self._task(n, kind=kind, reason=reason, phone=phone, key=key)
        await self._deliveries.finish(
            delivery, item_id=n.item_id, status=DeliveryStatus.TASK, outcome=task
        )
        await self._emit(task)
        self._metrics.operator_tasks.labels(kind).inc()

    async def _bounced(self, n: Notification, target: Target, now: datetime) -> None:
        changed = ContactReachabilityChanged(
            occurred_at=now,
            correlation_id=n.item_id,
            causation_id=n.event_id,
            channel=Channel.EMAIL,
            address=target.address,
            reachable=False,
            reason="bounced",
            changed_at=now,
        )
        await self.record_reachability(changed)
        # Keyed by the item: record keys are not sealed, an address would stay on Kafka.
        await self._publisher.publish(
            self._topics.name(CITIZEN_CONTACTS), changed, key=changed.correlation_id
        )

    async def _queue_digest(self, n: Notification, now: datetime) -> None:
        day = vietnam_date(now)
        if now >= digest_due(day, self._policy):
            day = day + timedelta(days=1)
        key = f"{n.event_id}|{n.recipient}"
        await self._queue.put(
            Queued(
                key=key,
                kind=Held.DIGEST,
                due_at=digest_due(day, self._policy),
                notification=n,
                day=day,
            )
        )
        self._metrics.queued.labels("digest").inc()

    async def _emit(self, event: Event) -> None:
        if isinstance(event, NotificationSent):
            topic = NOTIFICATION_SENT
        elif isinstance(event, NotificationFailed):
            topic = NOTIFICATION_FAILED
        else:
            topic = OPERATOR_TASKS
        await self._publisher.publish(self._topics.name(topic), event, key=event.correlation_id)


def flush_every(notifier: Notifier, seconds: float) -> Callable[[], Coroutine[Any, Any, None]]:
    """The periodic flush as a background loop: what quiet hours held, and due digests."""

    async def flush_queued() -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await notifier.flush()
            except Exception:  # the loop must outlive an outage; the next round retries
                log.exception("flush failed; retrying next round")

    return flush_queued
