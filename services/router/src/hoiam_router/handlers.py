"""Handlers: load → domain → save → emit, for routing, operators' actions and the overdue sweep."""

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from uuid import UUID

from faststream.kafka import KafkaBroker

from hoiam_router import domain
from hoiam_router.domain.cases import CASE_WINDOW, CaseMember, best_case, case_area, fingerprint
from hoiam_router.domain.classify import CorrectionsModel, learn
from hoiam_router.domain.directory import Body, Directory
from hoiam_router.domain.lifecycle import OPEN, TransitionError, check_transition
from hoiam_router.domain.sla import VIETNAM_TIME, add_working_days
from hoiam_router.metrics import RouterMetrics
from hoiam_router.repository import Assignment, AssignmentRepository
from hoiam_shared.events import (
    BodyRef,
    CategoryRef,
    CouncillorRef,
    FeedbackReceived,
    FeedbackRouted,
    Status,
    StatusChange,
    StatusChanged,
)
from hoiam_shared.ids import new_id
from hoiam_shared.kafka import TRANSIENT_ERRORS, DeadLetters, EventPublisher, subscribe
from hoiam_shared.settings import ServiceSettings
from hoiam_shared.topics import FEEDBACK_RECEIVED, FEEDBACK_ROUTED, FEEDBACK_STATUS, Topics

log = logging.getLogger(__name__)


def body_ref(body: Body) -> BodyRef:
    return BodyRef(id=body.id, name=body.name, level=body.level, contacts=body.contacts)


def to_event(
    item: FeedbackReceived, decision: domain.RoutingDecision, case_id: UUID | None = None
) -> FeedbackRouted:
    body = decision.body
    return FeedbackRouted(
        correlation_id=item.item_id,
        causation_id=item.event_id,
        item_id=item.item_id,
        tracking_code=item.tracking_code,
        status=decision.status,
        category=CategoryRef(code=decision.category.code, name=decision.category.name),
        body=body_ref(body) if body else None,
        confidence=decision.confidence,
        reasons=decision.reasons,
        due_on=decision.due_on,
        channel=item.channel,
        source_ref=item.source_ref,
        citizen=item.citizen,
        subject=item.text.subject,
        text=item.text.normalised,
        origin=item.origin,
        received_at=item.received_at,
        case_id=case_id,
        location=decision.location,
        scope=decision.scope,
        level=decision.level,
        councillors=tuple(
            CouncillorRef(
                id=c.id,
                name=c.name,
                council=c.council,
                constituency=c.constituency,
                contacts=c.contacts,
            )
            for c in decision.councillors
        ),
        candidates=tuple(body_ref(b) for b in decision.candidates),
    )


class LearnedCorrections:
    """The corrections model the routing uses now, rebuilt from the stored corrections."""

    def __init__(self) -> None:
        self.model = CorrectionsModel()

    async def refresh(self, store: AssignmentRepository) -> CorrectionsModel:
        self.model = learn(await store.corrections())
        return self.model


class RouteFeedback:
    """Load → domain → case → save → emit for one item; a replay republishes the stored decision."""

    def __init__(
        self,
        *,
        directory: Directory,
        assignments: AssignmentRepository,
        publisher: EventPublisher,
        topics: Topics,
        metrics: RouterMetrics,
        fallback_province: str | None,
        corrections: LearnedCorrections | None = None,
    ) -> None:
        self._directory = directory
        self._assignments = assignments
        self._publisher = publisher
        self._topics = topics
        self._metrics = metrics
        self._fallback_province = fallback_province
        self._corrections = corrections or LearnedCorrections()

    async def __call__(self, item: FeedbackReceived) -> FeedbackRouted:
        # Deciding is pure and cheap, so it comes before any lookup: the store keeps the first
        # decision for an item, and a redelivered item gets that same decision (and event) back.
        decision = domain.route(
            item,
            self._directory,
            fallback_province=self._fallback_province,
            corrections=self._corrections.model,
        )
        case_id = await self._join_case(item, decision)
        fresh = to_event(item, decision, case_id)
        stored = await self._assignments.add_once(
            fresh,
            address=item.location.raw_address,
            province_hint=item.location.province_hint or self._fallback_province,
        )
        if stored.event_id == fresh.event_id:
            self._metrics.items_routed.labels(stored.status.value, stored.category.code).inc()
            self._metrics.decision_confidence.observe(stored.confidence)
            await self._assignments.add_history(stored.item_id, stored)
        else:
            self._metrics.redeliveries.inc()
        await self._publisher.publish(
            self._topics.name(FEEDBACK_ROUTED), stored, key=stored.item_id
        )
        return stored

    async def _join_case(self, item: FeedbackReceived, decision: domain.RoutingDecision) -> UUID:
        """The case of the same matter in the same place, or a new one named after the item."""
        location = decision.location
        area = case_area(
            commune=location.commune.code if location.commune else None,
            province=location.province.code if location.province else None,
        )
        own = CaseMember(
            item_id=str(item.item_id),
            case_id=str(item.item_id),
            area=area or f"item:{item.item_id}",
            category=decision.category.code,
            terms=fingerprint(item.text.normalised),
            at=item.received_at,
        )
        if item.duplicate_of is not None:
            # The same citizen sent the same text again: it belongs with the first item.
            first = await self._assignments.get(item.duplicate_of)
            if first is not None and first.case_id is not None:
                own = CaseMember(
                    own.item_id, str(first.case_id), own.area, own.category, own.terms, own.at
                )
        elif area is not None and decision.status is Status.ROUTED:
            members = await self._assignments.case_openers(
                area, decision.category.code, item.received_at - CASE_WINDOW
            )
            others = [m for m in members if m.item_id != own.item_id]
            if found := best_case(
                others,
                area=area,
                category=decision.category.code,
                text_terms=own.terms,
                now=item.received_at,
            ):
                own = CaseMember(own.item_id, found[0], own.area, own.category, own.terms, own.at)
        stored = await self._assignments.join_case_once(own)
        return UUID(stored.case_id)


type Today = Callable[[], date]


def vietnam_today() -> date:
    return datetime.now(VIETNAM_TIME).date()


def topic_of(topics: Topics, event: FeedbackRouted | StatusChanged) -> str:
    return topics.name(FEEDBACK_ROUTED if isinstance(event, FeedbackRouted) else FEEDBACK_STATUS)


async def publish_through_outbox(
    store: AssignmentRepository,
    publisher: EventPublisher,
    topics: Topics,
    event: FeedbackRouted | StatusChanged,
) -> bool:
    """Record the event (the outbox), then publish it; if the broker is away, the sweep
    publishes it later, so an operator's change is never lost once the store has it."""
    await store.add_history(event.item_id, event, published=False)
    try:
        await publisher.publish(topic_of(topics, event), event, key=event.item_id)
    except TRANSIENT_ERRORS as error:
        log.warning(
            "publish failed; the sweep will retry from the outbox",
            extra={"event_id": str(event.event_id), "error": str(error)},
        )
        return False
    await store.mark_history_published(event.event_id)
    return True


class NotFoundError(LookupError):
    """No such item (or body) here."""


class Operations:
    """What operators and bodies do to an item: change its status, reassign it, hand it back,
    decide a triaged item, merge and split cases. Each stores first, then publishes."""

    def __init__(
        self,
        *,
        directory: Directory,
        assignments: AssignmentRepository,
        publisher: EventPublisher,
        topics: Topics,
        corrections: LearnedCorrections,
        fallback_province: str | None,
        today: Today | None = None,
    ) -> None:
        self._directory = directory
        self._store = assignments
        self._publisher = publisher
        self._topics = topics
        self._corrections = corrections
        self._fallback_province = fallback_province
        self._today = today or vietnam_today

    async def _load(self, item_id: UUID) -> Assignment:
        assignment = await self._store.get(item_id)
        if assignment is None:
            raise NotFoundError(f"no item {item_id}")
        return assignment

    async def _case_items(self, assignment: Assignment) -> tuple[UUID, ...]:
        if assignment.case_id is None:
            return (assignment.item_id,)
        return tuple(await self._store.case_items(assignment.case_id)) or (assignment.item_id,)

    async def _emit_status(self, event: StatusChanged) -> StatusChanged:
        await publish_through_outbox(self._store, self._publisher, self._topics, event)
        return event

    async def _emit_routed(self, event: FeedbackRouted) -> FeedbackRouted:
        await publish_through_outbox(self._store, self._publisher, self._topics, event)
        return event

    async def change_status(
        self,
        item_id: UUID,
        status: Status,
        *,
        answer: str | None = None,
        reason: str | None = None,
        reason_code: str | None = None,
        actor: str | None = None,
    ) -> StatusChanged:
        assignment = await self._load(item_id)
        check_transition(assignment.status, status, reason_code=reason_code)
        if not await self._store.update(item_id, expected=assignment.status, status=status):
            raise TransitionError(f"the item changed meanwhile (was {assignment.status.value})")
        event = StatusChanged(
            correlation_id=item_id,
            item_id=item_id,
            tracking_code=assignment.routed.tracking_code,
            status=status,
            reason=reason,
            answer=answer,
            actor=actor,
            previous_status=assignment.status,
            reason_code=reason_code,
            case_id=assignment.case_id,
            case_item_ids=await self._case_items(assignment),
            body=assignment.body,
            due_on=assignment.due_on,
        )
        return await self._emit_status(event)

    def _live(self, body_id: str) -> Body:
        body = self._directory.find(body_id)
        if body is None:
            raise NotFoundError(f"no body {body_id}")
        return self._directory.body(body.id)

    async def _assign(
        self,
        assignment: Assignment,
        body: Body,
        *,
        reason: str,
        reason_code: str | None,
        actor: str | None,
        category: CategoryRef | None = None,
        reasons: tuple[str, ...] = (),
        confidence: float = 1.0,
    ) -> tuple[StatusChanged, FeedbackRouted]:
        """Give the item to `body` from today: a reassignment status event, and a new routing
        event so the new body is told like any other."""
        due_on = add_working_days(self._today(), body.sla_working_days)
        category = category or assignment.routed.category
        new_status = (
            Status.ROUTED
            if assignment.status in (Status.TRIAGE, Status.ROUTED)
            else assignment.status
        )
        if not await self._store.update(
            assignment.item_id,
            expected=assignment.status,
            status=new_status,
            body=body_ref(body),
            due_on=due_on,
            category=category.code,
        ):
            raise TransitionError(f"the item changed meanwhile (was {assignment.status.value})")
        case_items = await self._case_items(assignment)
        status_event = StatusChanged(
            correlation_id=assignment.item_id,
            item_id=assignment.item_id,
            tracking_code=assignment.routed.tracking_code,
            status=new_status,
            change=StatusChange.REASSIGNED,
            previous_status=assignment.status,
            reason=reason,
            reason_code=reason_code,
            actor=actor,
            case_id=assignment.case_id,
            case_item_ids=case_items,
            body=body_ref(body),
            due_on=due_on,
        )
        routed = assignment.routed.model_copy(
            update={
                "event_id": new_id(),
                "occurred_at": datetime.now(UTC),
                "causation_id": status_event.event_id,
                "status": Status.ROUTED,
                "category": category,
                "body": body_ref(body),
                "level": body.level,
                "due_on": due_on,
                "confidence": confidence,
                "reasons": (*reasons, reason),
                "candidates": (),
            }
        )
        await self._emit_status(status_event)
        await self._emit_routed(routed)
        return status_event, routed

    async def reassign(
        self, item_id: UUID, body_id: str, *, reason: str, actor: str | None = None
    ) -> StatusChanged:
        assignment = await self._load(item_id)
        body = self._live(body_id)
        event, _ = await self._assign(
            assignment,
            body,
            reason=f"reassigned to {body.name}: {reason}",
            reason_code="internal_referral",
            actor=actor,
        )
        return event

    async def hand_back(
        self, item_id: UUID, *, reason: str, actor: str | None = None
    ) -> StatusChanged:
        """ "Not our competence": route again without this body (and any it was given before);
        to triage when no other body fits."""
        assignment = await self._load(item_id)
        if assignment.status not in OPEN:
            raise TransitionError(
                f"an item that is {assignment.status.value} cannot be handed back"
            )
        excluded = frozenset(
            b.id for b in (assignment.body, assignment.routed.body) if b is not None
        )
        routing = domain.route_text(
            self._directory,
            text="\n".join(filter(None, (assignment.routed.subject, assignment.routed.text))),
            address=assignment.address,
            province_hint=assignment.province_hint or self._fallback_province,
            corrections=self._corrections.model,
            exclude=excluded,
        )
        if routing.body is not None and not routing.triage:
            event, _ = await self._assign(
                assignment,
                routing.body,
                reason=f"handed back as not competent: {reason}",
                reason_code="not_competent",
                actor=actor,
                category=CategoryRef(code=routing.category.code, name=routing.category.name),
                reasons=routing.reasons,
                confidence=routing.confidence,
            )
            return event
        if not await self._store.update(item_id, expected=assignment.status, status=Status.TRIAGE):
            raise TransitionError(f"the item changed meanwhile (was {assignment.status.value})")
        event = StatusChanged(
            correlation_id=item_id,
            item_id=item_id,
            tracking_code=assignment.routed.tracking_code,
            status=Status.TRIAGE,
            change=StatusChange.REASSIGNED,
            previous_status=assignment.status,
            reason=f"handed back as not competent, no other body fits: {reason}",
            reason_code="not_competent",
            actor=actor,
            case_id=assignment.case_id,
            case_item_ids=await self._case_items(assignment),
            body=None,
        )
        return await self._emit_status(event)

    async def decide(
        self, item_id: UUID, *, category: str, body_id: str, actor: str | None = None
    ) -> FeedbackRouted:
        """An operator's triage decision: stored as a correction (learned from), then routed."""
        assignment = await self._load(item_id)
        if assignment.status is not Status.TRIAGE:
            raise TransitionError(
                f"only a triaged item can be decided (it is {assignment.status.value})"
            )
        chosen = self._directory.find_category(category)
        if chosen is None:
            raise NotFoundError(f"no category {category}")
        body = self._live(body_id)
        text = "\n".join(filter(None, (assignment.routed.subject, assignment.routed.text)))
        await self._store.add_correction(item_id, text, chosen.code, body.id)
        await self._corrections.refresh(self._store)
        _, routed = await self._assign(
            assignment,
            body,
            reason=f"operator decision: {chosen.code} → {body.name}",
            reason_code=None,
            actor=actor,
            category=CategoryRef(code=chosen.code, name=chosen.name),
        )
        return routed

    async def view(self, item_id: UUID) -> dict[str, object]:
        assignment = await self._load(item_id)
        return {
            "item_id": str(item_id),
            "tracking_code": assignment.routed.tracking_code,
            "status": assignment.status.value,
            "category": assignment.category,
            "body": assignment.body.model_dump(mode="json") if assignment.body else None,
            "due_on": assignment.due_on.isoformat() if assignment.due_on else None,
            "routing": assignment.routed.model_dump(mode="json"),
            "case": {
                "id": str(assignment.case_id) if assignment.case_id else None,
                "item_ids": [str(i) for i in await self._case_items(assignment)],
            },
            "history": await self._store.history(item_id),
        }

    async def triage(self) -> list[dict[str, object]]:
        return [
            {
                "item_id": str(a.item_id),
                "tracking_code": a.routed.tracking_code,
                "category": a.category,
                "confidence": a.routed.confidence,
                "text": a.routed.text,
                "candidates": [c.model_dump(mode="json") for c in a.routed.candidates],
                "reasons": list(a.routed.reasons),
            }
            for a in await self._store.in_status(frozenset({Status.TRIAGE}))
        ]

    async def merge_cases(self, case_id: UUID, others: list[UUID]) -> list[UUID]:
        items = set(await self._store.case_items(case_id))
        if not items:
            raise NotFoundError(f"no case {case_id}")
        for other in others:
            items |= set(await self._store.case_items(other))
        await self._store.set_case(sorted(items), case_id)
        return sorted(items)

    async def split_case(self, case_id: UUID, item_ids: list[UUID]) -> UUID:
        members = set(await self._store.case_items(case_id))
        if not set(item_ids) <= members or not item_ids:
            raise NotFoundError(
                f"items {sorted(set(item_ids) - members)} are not in case {case_id}"
            )
        new_case = new_id()
        await self._store.set_case(item_ids, new_case)
        return new_case


class SweepOverdue:
    """Flags items past their due date and escalates them to the parent body, once per item
    and due date (the escalation record is inserted first; publishing is retried until done)."""

    def __init__(
        self,
        *,
        directory: Directory,
        assignments: AssignmentRepository,
        publisher: EventPublisher,
        topics: Topics,
        metrics: RouterMetrics,
    ) -> None:
        self._directory = directory
        self._store = assignments
        self._publisher = publisher
        self._topics = topics
        self._metrics = metrics

    async def republish(self) -> int:
        """Publish the operators' events the broker did not take at the time."""
        done = 0
        for event in await self._store.unpublished():
            await self._publisher.publish(topic_of(self._topics, event), event, key=event.item_id)
            await self._store.mark_history_published(event.event_id)
            done += 1
        return done

    async def __call__(self, today: date) -> list[StatusChanged]:
        await self.republish()
        published = []
        for assignment in await self._store.in_status(OPEN):
            if assignment.due_on is None or assignment.due_on >= today:
                continue
            key = f"{assignment.item_id}:{assignment.due_on.isoformat()}"
            parent = self._parent(assignment.body)
            case_items = (
                tuple(await self._store.case_items(assignment.case_id))
                if assignment.case_id
                else (assignment.item_id,)
            )
            candidate = StatusChanged(
                correlation_id=assignment.item_id,
                item_id=assignment.item_id,
                tracking_code=assignment.routed.tracking_code,
                status=assignment.status,
                change=StatusChange.ESCALATED if parent else StatusChange.OVERDUE,
                previous_status=assignment.status,
                reason=f"overdue since {assignment.due_on.isoformat()}",
                case_id=assignment.case_id,
                case_item_ids=case_items,
                body=assignment.body,
                escalated_to=parent,
                due_on=assignment.due_on,
            )
            escalation = await self._store.escalate_once(key, candidate)
            if escalation.published:
                continue
            await self._store.add_history(assignment.item_id, escalation.event)
            await self._publisher.publish(
                self._topics.name(FEEDBACK_STATUS), escalation.event, key=assignment.item_id
            )
            await self._store.mark_published(key)
            self._metrics.escalations.labels(escalation.event.change.value).inc()
            published.append(escalation.event)
        return published

    def _parent(self, body: BodyRef | None) -> BodyRef | None:
        if body is None:
            return None
        found = self._directory.find(body.id)
        if found is None or found.parent is None:
            return None
        return body_ref(self._directory.body(found.parent))


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
