"""Subscribers: raw record → normalise (pure) → store once → publish `feedback.received`."""

from faststream.kafka import KafkaBroker

from hoiam_intake import domain
from hoiam_intake.metrics import IntakeMetrics
from hoiam_intake.repository import ItemRepository
from hoiam_shared.events import RawFeedbackAccepted
from hoiam_shared.kafka import DeadLetters, EventPublisher, subscribe
from hoiam_shared.settings import ServiceSettings
from hoiam_shared.topics import FEEDBACK_RECEIVED, INTAKE_RAW, Topics


class NormaliseFeedback:
    """Load → domain → save → emit, for one raw record."""

    def __init__(
        self,
        *,
        items: ItemRepository,
        publisher: EventPublisher,
        topics: Topics,
        metrics: IntakeMetrics,
    ) -> None:
        self._items = items
        self._publisher = publisher
        self._topics = topics
        self._metrics = metrics

    async def __call__(self, raw: RawFeedbackAccepted) -> None:
        item = await self._items.add_once(domain.normalise(raw))
        await self._publisher.publish(self._topics.name(FEEDBACK_RECEIVED), item, key=item.item_id)
        self._metrics.items_normalised.labels(item.channel.value).inc()


def register_handlers(
    broker: KafkaBroker,
    *,
    normalise: NormaliseFeedback,
    dead_letters: DeadLetters,
    settings: ServiceSettings,
    metrics: IntakeMetrics,
) -> None:
    subscribe(
        broker,
        topic=settings.topics.name(INTAKE_RAW),
        event=RawFeedbackAccepted,
        handle=normalise,
        title="normalise_raw_feedback",
        settings=settings,
        dead_letters=dead_letters,
        on_dead_letter=lambda kind: metrics.dead_letters.labels(kind).inc(),
    )
