"""Every in-memory stand-in the tests use, in one place, and the worlds built from them.

A world is a service's real `build(...)` called with these fakes: the same wiring production
uses, with nothing wired again by hand in a test. The contract suites under
`tests/integration/` run the same checks against each fake and its Mongo adapter, so a fake
cannot drift from the real thing.
"""

from uuid import UUID

from hoiam_shared.events import Event


class RecordingPublisher:
    """Keeps what was published, in order; can be told to fail like a broker that is down."""

    def __init__(self, fail_with: BaseException | None = None) -> None:
        self.published: list[tuple[str, Event]] = []
        self.fail_with = fail_with

    async def publish(self, topic: str, event: Event, *, key: UUID | str) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.published.append((topic, event))

    def of[E: Event](self, kind: type[E]) -> list[E]:
        return [e for _, e in self.published if isinstance(e, kind)]


# =================================================================================================
# intake
# =================================================================================================


# (intake's fakes and world go here)


# =================================================================================================
# router
# =================================================================================================


# (router's fakes and world go here)


# =================================================================================================
# notifier
# =================================================================================================


# The notifier's in-memory stores (contract: tests/integration/test_notifier_store_contracts.py),
# its fake sender and token store (contract: tests/integration/test_notifier_channels.py), and
# `NotifierWorld`: the real `hoiam_notifier.app.build` on them.
# Its imports stay here (E402), so the sections of the three services never touch each other.

from collections.abc import Iterable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import datetime  # noqa: E402

from prometheus_client import CollectorRegistry  # noqa: E402

from hoiam_notifier.app import build  # noqa: E402
from hoiam_notifier.channels.port import Outgoing, SendError  # noqa: E402
from hoiam_notifier.channels.zalo import ZaloToken  # noqa: E402
from hoiam_notifier.domain.deliveries import DeliveryStatus, Queued  # noqa: E402
from hoiam_notifier.domain.knowledge import ContactFact, ItemRecord  # noqa: E402
from hoiam_notifier.domain.notifications import Notification, Target, Way  # noqa: E402
from hoiam_notifier.repository import Delivery as StoredDelivery  # noqa: E402
from hoiam_notifier.repository import plan_key  # noqa: E402
from hoiam_notifier.settings import NotifierSettings  # noqa: E402
from hoiam_shared.events import Channel  # noqa: E402
from hoiam_shared.kafka import EventPublisher  # noqa: E402
from support.clock import TestClock  # noqa: E402


class InMemoryDeliveryRepository:
    def __init__(self) -> None:
        self.intents: dict[str, tuple[Notification, Target]] = {}
        self.finished: dict[str, tuple[UUID, DeliveryStatus, Event | None]] = {}
        self.plans: dict[str, Notification] = {}

    async def claim(self, notification: Notification) -> Notification:
        return self.plans.setdefault(plan_key(notification), notification)

    async def begin(
        self, delivery_id: str, notification: Notification, target: Target
    ) -> StoredDelivery:
        if delivery_id not in self.intents:
            self.intents[delivery_id] = (notification, target)
            return StoredDelivery(delivery_id, DeliveryStatus.PENDING, None, fresh=True)
        if delivery_id in self.finished:
            _, status, outcome = self.finished[delivery_id]
            return StoredDelivery(delivery_id, status, outcome)
        return StoredDelivery(delivery_id, DeliveryStatus.PENDING)

    async def finish(
        self, delivery_id: str, *, item_id: UUID, status: DeliveryStatus, outcome: Event | None
    ) -> None:
        self.finished.setdefault(delivery_id, (item_id, status, outcome))

    async def outcomes(self, item_id: UUID) -> list[tuple[str, DeliveryStatus]]:
        return [(d, s) for d, (i, s, _) in self.finished.items() if i == item_id]


class InMemoryNotifierItems:
    """The notifier's item store (named apart from intake's item store, which is another port)."""

    def __init__(self) -> None:
        self.items: dict[UUID, ItemRecord] = {}

    async def remember(self, record: ItemRecord) -> None:
        self.items.setdefault(record.item_id, record)

    async def find(self, item_ids: tuple[UUID, ...]) -> list[ItemRecord]:
        return [self.items[i] for i in item_ids if i in self.items]


class InMemoryContactRepository:
    def __init__(self) -> None:
        self.facts_by_key: dict[str, ContactFact] = {}

    async def record(self, fact: ContactFact) -> None:
        self.facts_by_key.setdefault(fact.key, fact)

    async def facts(self, contacts: list[tuple[Channel, str]]) -> list[ContactFact]:
        wanted = set(contacts)
        return [f for f in self.facts_by_key.values() if (f.channel, f.address) in wanted]


class InMemoryQueueRepository:
    def __init__(self) -> None:
        self.queued: dict[str, Queued] = {}

    async def put(self, queued: Queued) -> None:
        self.queued.setdefault(queued.key, queued)

    async def due(self, now: datetime) -> list[Queued]:
        return sorted((q for q in self.queued.values() if q.due_at <= now), key=lambda q: q.due_at)

    async def remove(self, key: str) -> None:
        self.queued.pop(key, None)


class InMemoryTokenStore:
    def __init__(self) -> None:
        self.token: ZaloToken | None = None

    async def load(self) -> ZaloToken | None:
        return self.token

    async def save(self, token: ZaloToken) -> None:
        self.token = token


@dataclass
class InMemorySender:
    """Records what it was given; `script[address]` lists errors to raise before accepting."""

    sent: list[Outgoing] = field(default_factory=list)
    script: dict[str, list[SendError]] = field(default_factory=dict)
    attempts: int = 0

    async def send(self, outgoing: Outgoing) -> str:
        self.attempts += 1
        queued = self.script.get(outgoing.target.address)
        if queued:
            raise queued.pop(0)
        self.sent.append(outgoing)
        return f"memory-{outgoing.target.way.value}-{len(self.sent)}"


NOTIFIER_SETTINGS: dict[str, object] = {
    "console_url": "http://console",
    "public_url": "http://public",
    "retry_backoff_seconds": 0.001,
    # Every channel is configured (the fakes stand in for the providers), so ZNS and SMS are
    # planned; the credentials are never used.
    "zalo_app_id": "fake-app",
    "zalo_zns_template_id": "fake-template",
    "sms_api_url": "http://sms.invalid/send",
}

PROVIDER_WAYS = tuple(way for way in Way if way is not Way.CALL_BACK)
"""Every way a provider carries (a call-back is a task for a person)."""


class NotifierWorld:
    """The notifier as production wires it (`build`), on in-memory stores and senders.

    `clock` is the test's (a frozen moment for unit tests); `settings` override
    `NOTIFIER_SETTINGS`; `publisher` is shared when several services' worlds talk; `ways` are
    the ways with a (fake) provider, every one but the call-back by default.
    """

    def __init__(
        self,
        clock: TestClock,
        *,
        publisher: EventPublisher | None = None,
        ways: Iterable[Way] = PROVIDER_WAYS,
        **settings: object,
    ) -> None:
        self.clock = clock
        self.settings = NotifierSettings.model_validate(NOTIFIER_SETTINGS | settings)
        self.deliveries = InMemoryDeliveryRepository()
        self.items = InMemoryNotifierItems()
        self.contacts = InMemoryContactRepository()
        self.queue = InMemoryQueueRepository()
        self.senders: dict[Way, InMemorySender] = {way: InMemorySender() for way in ways}
        self.published = RecordingPublisher()
        self.registry = CollectorRegistry()
        self.parts = build(
            self.settings,
            deliveries=self.deliveries,
            items=self.items,
            contacts=self.contacts,
            queue=self.queue,
            senders=dict(self.senders),
            publisher=publisher or self.published,
            clock=clock,
            registry=self.registry,
        )
        self.notifier = self.parts.notifier

    def sent(self, way: Way) -> list[str]:
        """The addresses `way` accepted a message for, in order."""
        return [o.target.address for o in self.senders[way].sent]

    def metric(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0
