"""Subscribers: `feedback.received` → route (pure) → store once → publish `feedback.routed`."""

from faststream.kafka import KafkaBroker

from hoiam_router import domain
from hoiam_router.directory import Directory
from hoiam_router.metrics import RouterMetrics
from hoiam_router.repository import AssignmentRepository
from hoiam_shared.events import BodyRef, CategoryRef, FeedbackReceived, FeedbackRouted
from hoiam_shared.kafka import DeadLetters, EventPublisher, subscribe
from hoiam_shared.settings import ServiceSettings
from hoiam_shared.topics import FEEDBACK_RECEIVED, FEEDBACK_ROUTED, Topics


def to_event(item: FeedbackReceived, decision: domain.RoutingDecision) -> FeedbackRouted:
    body = decision.body
    return FeedbackRouted(
        correlation_id=item.item_id,
        causation_id=item.event_id,
        item_id=item.item_id,
        tracking_code=item.tracking_code,
        status=decision.status,
        category=CategoryRef(code=decision.category.code, name=decision.category.name),
        body=BodyRef(id=body.id, name=body.name, level=body.level, contacts=body.contacts)
        if body
        else None,
        confidence=decision.confidence,
        reasons=decision.reasons,
        due_on=decision.due_on,
        channel=item.channel,
        source_ref=item.source_ref,
        citizen=item.citizen,
        subject=item.text.subject,
        text=item.text.normalised,
    )


class RouteFeedback:
    """Load → domain → save → emit for one item; a replay republishes the stored decision."""

    def __init__(
        self,
        *,
        directory: Directory,
        assignments: AssignmentRepository,
        publisher: EventPublisher,
        topics: Topics,
        metrics: RouterMetrics,
        fallback_province: str | None,
    ) -> None:
        self._directory = directory
        self._assignments = assignments
        self._publisher = publisher
        self._topics = topics
        self._metrics = metrics
        self._fallback_province = fallback_province

    async def __call__(self, item: FeedbackReceived) -> FeedbackRouted:
        # Deciding is pure and cheap, so it comes before any lookup: the store keeps the first
        # decision for an item, and a redelivered item gets that same decision (and event) back.
        decision = domain.route(item, self._directory, fallback_province=self._fallback_province)
        fresh = to_event(item, decision)
        stored = await self._assignments.add_once(fresh)
        if stored.event_id == fresh.event_id:
            self._metrics.items_routed.labels(stored.status.value, stored.category.code).inc()
            self._metrics.decision_confidence.observe(stored.confidence)
        else:
            self._metrics.redeliveries.inc()
        await self._publisher.publish(
            self._topics.name(FEEDBACK_ROUTED), stored, key=stored.item_id
        )
        return stored


def register_handlers(
    broker: KafkaBroker,
    *,
    route: RouteFeedback,
    dead_letters: DeadLetters,
    settings: ServiceSettings,
    metrics: RouterMetrics,
) -> None:
    subscribe(
        broker,
        topic=settings.topics.name(FEEDBACK_RECEIVED),
        event=FeedbackReceived,
        handle=route,
        title="route_feedback",
        settings=settings,
        dead_letters=dead_letters,
        on_dead_letter=lambda kind: metrics.dead_letters.labels(kind).inc(),
    )
