"""What operators and bodies do to an item: change its status, reassign it, hand it back,
decide a triaged item, merge and split cases. Each checks with the domain, stores (a
compare-and-set on the status, so two operators cannot both move it), then emits."""

from dataclasses import dataclass
from uuid import UUID

from hoiam_router import domain
from hoiam_router.corrections import LearnedCorrections
from hoiam_router.domain.assignment import Assignment
from hoiam_router.domain.directory import Body, Directory
from hoiam_router.domain.events import rerouted_event, status_changed
from hoiam_router.domain.learned import CorrectionKind
from hoiam_router.domain.lifecycle import TransitionError
from hoiam_router.outbox import Outbox
from hoiam_router.repository import AssignmentRepository, ItemEvent
from hoiam_shared.clock import Clock, vietnam_date
from hoiam_shared.events import CategoryRef, FeedbackRouted, Status, StatusChange, StatusChanged
from hoiam_shared.ids import new_id


class NotFoundError(LookupError):
    """No such item (or body, category, case) here."""


@dataclass(frozen=True, slots=True)
class ItemView:
    """An item as operators see it: where it is now, its case and everything that happened."""

    assignment: Assignment
    case_item_ids: tuple[UUID, ...]
    history: list[ItemEvent]


class Operations:
    def __init__(
        self,
        *,
        directory: Directory,
        assignments: AssignmentRepository,
        outbox: Outbox,
        corrections: LearnedCorrections,
        fallback_province: str | None,
        clock: Clock,
    ) -> None:
        self._directory = directory
        self._store = assignments
        self._outbox = outbox
        self._corrections = corrections
        self._fallback_province = fallback_province
        self._clock = clock

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
        before = await self._load(item_id)
        after = before.moved_to(status, reason_code=reason_code)
        return await self._move(
            before, after, reason=reason, reason_code=reason_code, answer=answer, actor=actor
        )

    async def reassign(
        self, item_id: UUID, body_id: str, *, reason: str, actor: str | None = None
    ) -> StatusChanged:
        before = await self._load(item_id)
        body = self._live(body_id)
        await self._teach(before, body.id, kind="reassignment")
        event, _ = await self._assign(
            before,
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
        before = await self._load(item_id)
        before.check_can_hand_back()
        excluded = frozenset(b.id for b in (before.body, before.routed.body) if b is not None)
        if before.body is not None:
            await self._teach(before, before.body.id, kind="hand_back")
        routing = domain.route_text(
            self._directory,
            text=before.text,
            address=before.address,
            province_hint=before.province_hint or self._fallback_province,
            corrections=self._corrections.model,
            exclude=excluded,
            model=self._corrections.predictor,
            memory=self._corrections.memory,
            threshold=self._corrections.threshold,
        )
        if routing.body is not None and not routing.triage:
            event, _ = await self._assign(
                before,
                routing.body,
                reason=f"handed back as not competent: {reason}",
                reason_code="not_competent",
                actor=actor,
                category=CategoryRef(code=routing.category.code, name=routing.category.name),
                reasons=routing.reasons,
                confidence=routing.confidence,
            )
            return event
        return await self._move(
            before,
            before.back_to_triage(),
            change=StatusChange.REASSIGNED,
            reason=f"handed back as not competent, no other body fits: {reason}",
            reason_code="not_competent",
            actor=actor,
        )

    async def decide(
        self, item_id: UUID, *, category: str, body_id: str, actor: str | None = None
    ) -> FeedbackRouted:
        """An operator's triage decision: stored as a correction (learned from), then routed."""
        before = await self._load(item_id)
        if before.status is not Status.TRIAGE:
            raise TransitionError(
                f"only a triaged item can be decided (it is {before.status.value})"
            )
        chosen = self._directory.find_category(category)
        if chosen is None:
            raise NotFoundError(f"no category {category}")
        body = self._live(body_id)
        await self._teach(before, body.id, kind="decision", category=chosen.code)
        _, routed = await self._assign(
            before,
            body,
            reason=f"operator decision: {chosen.code} → {body.name}",
            reason_code=None,
            actor=actor,
            category=CategoryRef(code=chosen.code, name=chosen.name),
        )
        return routed

    async def view(self, item_id: UUID) -> ItemView:
        assignment = await self._load(item_id)
        return ItemView(
            assignment, await self._case_items(assignment), await self._store.history(item_id)
        )

    async def triage(self) -> list[Assignment]:
        """The items waiting for a human decision."""
        return await self._store.in_status(frozenset({Status.TRIAGE}))

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

    async def _assign(
        self,
        before: Assignment,
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
        category = category or before.routed.category
        after = before.given_to(body, today=vietnam_date(self._clock()), category=category.code)
        status_event = await self._move(
            before,
            after,
            change=StatusChange.REASSIGNED,
            reason=reason,
            reason_code=reason_code,
            actor=actor,
        )
        routed = rerouted_event(
            after,
            body,
            category=category,
            confidence=confidence,
            reasons=(*reasons, reason),
            cause=status_event,
            at=self._clock(),
        )
        await self._outbox.publish(routed)
        return status_event, routed

    async def _move(
        self,
        before: Assignment,
        after: Assignment,
        *,
        change: StatusChange = StatusChange.TRANSITION,
        reason: str | None = None,
        reason_code: str | None = None,
        answer: str | None = None,
        actor: str | None = None,
    ) -> StatusChanged:
        """Store `after` unless the item moved meanwhile, then tell every petitioner of its case."""
        await self._save(before, after)
        event = status_changed(
            before=before,
            after=after,
            at=self._clock(),
            case_item_ids=await self._case_items(after),
            change=change,
            reason=reason,
            reason_code=reason_code,
            answer=answer,
            actor=actor,
        )
        await self._outbox.publish(event)
        return event

    async def _teach(
        self,
        before: Assignment,
        body_id: str,
        *,
        kind: CorrectionKind,
        category: str | None = None,
    ) -> None:
        """Store what an operator or body said about the item's body (and, for a triage
        decision, its category), and learn from it at once."""
        location = before.routed.location
        province = (
            location.province.code if location and location.province else before.province_hint
        )
        await self._store.add_correction(
            before.item_id,
            before.text,
            category or before.category,
            body_id,
            kind=kind,
            province=province or self._fallback_province,
        )
        await self._corrections.refresh(self._store)

    async def _load(self, item_id: UUID) -> Assignment:
        assignment = await self._store.get(item_id)
        if assignment is None:
            raise NotFoundError(f"no item {item_id}")
        return assignment

    async def _save(self, before: Assignment, after: Assignment) -> None:
        """Store `after` unless the item moved meanwhile (another operator, another process)."""
        if not await self._store.update(
            before.item_id,
            expected=before.status,
            status=after.status,
            body=after.body,
            due_on=after.due_on,
            category=after.category,
        ):
            raise TransitionError(f"the item changed meanwhile (was {before.status.value})")

    async def _case_items(self, assignment: Assignment) -> tuple[UUID, ...]:
        if assignment.case_id is None:
            return (assignment.item_id,)
        return tuple(await self._store.case_items(assignment.case_id)) or (assignment.item_id,)

    def _live(self, body_id: str) -> Body:
        body = self._directory.find(body_id)
        if body is None:
            raise NotFoundError(f"no body {body_id}")
        return self._directory.body(body.id)
