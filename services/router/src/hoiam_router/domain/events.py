"""The events the router publishes, each assembled by one function from the domain's values."""

from datetime import datetime
from uuid import UUID

from hoiam_router.domain import RoutingDecision
from hoiam_router.domain.assignment import Assignment
from hoiam_router.domain.directory import Body
from hoiam_shared.events import (
    BodyRef,
    CategoryRef,
    CouncillorRef,
    FeedbackReceived,
    FeedbackRouted,
    RepeatMatch,
    Status,
    StatusChange,
    StatusChanged,
)
from hoiam_shared.ids import new_id


def routed_event(
    item: FeedbackReceived,
    decision: RoutingDecision,
    case_id: UUID | None = None,
    *,
    at: datetime,
    repeat_of: RepeatMatch | None = None,
) -> FeedbackRouted:
    """The routing decision for a received item, with what the notifier needs to answer (and
    the published answer it repeats, if one of its place passed the bar)."""
    body = decision.body
    return FeedbackRouted(
        occurred_at=at,
        correlation_id=item.item_id,
        causation_id=item.event_id,
        item_id=item.item_id,
        tracking_code=item.tracking_code,
        status=decision.status,
        category=decision.category.ref(),
        body=body.ref() if body else None,
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
        candidates=tuple(b.ref() for b in decision.candidates),
        triage_reason=decision.triage_reason,
        repeat_of=repeat_of,
        front=decision.front.ref() if decision.front else None,
    )


def status_changed(
    *,
    before: Assignment,
    after: Assignment,
    at: datetime,
    case_item_ids: tuple[UUID, ...],
    change: StatusChange = StatusChange.TRANSITION,
    reason: str | None = None,
    reason_code: str | None = None,
    answer: str | None = None,
    actor: str | None = None,
    escalated_to: BodyRef | None = None,
    session_id: str | None = None,
) -> StatusChanged:
    """What changed for an item, from `before` to `after`, told to every petitioner of its case
    (`case_item_ids`): a transition, a reassignment, or an overdue item (then before is after)."""
    return StatusChanged(
        occurred_at=at,
        correlation_id=after.item_id,
        item_id=after.item_id,
        tracking_code=after.routed.tracking_code,
        status=after.status,
        change=change,
        previous_status=before.status,
        reason=reason,
        reason_code=reason_code,
        answer=answer,
        actor=actor,
        case_id=after.case_id,
        case_item_ids=case_item_ids,
        body=after.body,
        escalated_to=escalated_to,
        due_on=after.due_on,
        session_id=session_id,
    )


def rerouted_event(
    after: Assignment,
    body: Body,
    *,
    category: CategoryRef,
    confidence: float,
    reasons: tuple[str, ...],
    cause: StatusChanged,
    at: datetime,
) -> FeedbackRouted:
    """The item's routing again, for the body it was given to (`after`), in the case it is in
    now (a merge or split since its first routing moved it). The status change `cause` announced
    it to the citizens and the new body (`announced_by`), so consumers that notify do not tell
    them again. Everything the citizen sent stays as first routed."""
    return after.routed.model_copy(
        update={
            "event_id": new_id(),
            "occurred_at": at,
            "causation_id": cause.event_id,
            "status": Status.ROUTED,
            "category": category,
            "body": body.ref(),
            "level": body.level,
            "due_on": after.due_on,
            "case_id": after.case_id,
            "confidence": confidence,
            "reasons": reasons,
            "candidates": (),
            "announced_by": cause.event_id,
            "triage_reason": None,
        }
    )
