"""What operators and bodies do to an item: change its status, reassign it, hand it back,
decide a triaged item, merge and split cases, send an unsatisfactory answer back or put it to
questioning. Each checks with the domain, stores (a
compare-and-set on the status, so two operators cannot both move it, written in one update with
its outbox entry), then emits.

Cases move as one: a change on one item moves every member of its case that can make the same
move, and is one event naming them all (`case_item_ids`), so each petitioner is told once and
the body once per case event. A member at another stage of its own stays there, untold."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from uuid import UUID

from hoiam_router import domain
from hoiam_router.corrections import LearnedCorrections
from hoiam_router.domain.assignment import Assignment
from hoiam_router.domain.directory import Body, Directory
from hoiam_router.domain.events import rerouted_event, status_changed
from hoiam_router.domain.learned import CorrectionKind
from hoiam_router.domain.lifecycle import QUESTIONING, SENT_BACK, TransitionError
from hoiam_router.outbox import Outbox
from hoiam_router.repository import AssignmentRepository, ItemEvent, Move, OutboxEntry
from hoiam_shared.clock import Clock, vietnam_date
from hoiam_shared.events import (
    CategoryRef,
    FeedbackMessageAdded,
    FeedbackRouted,
    FrontLevel,
    NoteAdded,
    NoteKind,
    Status,
    StatusChange,
    StatusChanged,
)
from hoiam_shared.ids import new_id


class NotFoundError(LookupError):
    """No such item (or body, category, case) here."""


class CaseConflictError(ValueError):
    """Cases that cannot be merged or split as asked (another body or province, not members)."""


@dataclass(frozen=True, slots=True)
class ItemView:
    """An item as operators see it: where it is now, its case and everything that happened."""

    assignment: Assignment
    case_item_ids: tuple[UUID, ...]
    history: list[ItemEvent | FeedbackMessageAdded | NoteAdded]
    """Routings, status changes, what the citizen added and what the levels of the Front wrote,
    in the order they happened."""


type Follow = Callable[[Assignment], Assignment | None]
"""What a case's move does to one of its other members (None: it stays, untold)."""
type Reroute = Callable[[Assignment, StatusChanged], FeedbackRouted]
"""The new routing of a member given to another body, announced by the status change."""


def _move_of(before: Assignment, after: Assignment, *, case_id: UUID | None = None) -> Move:
    return Move(
        item_id=before.item_id,
        expected=before.status,
        status=after.status,
        body=after.body,
        due_on=after.due_on,
        category=after.category,
        case_id=case_id,
    )


def _province(assignment: Assignment) -> str | None:
    location = assignment.routed.location
    return location.province.code if location and location.province else None


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
        entry = await self._move(
            before,
            after,
            follow=lambda member: member.follows_to(status),
            reason=reason,
            reason_code=reason_code,
            answer=answer,
            actor=actor,
        )
        return entry.event

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
        routing = self._route_again(before, address=before.address, exclude=excluded)
        if routing.body is not None and not routing.triage:
            event, _ = await self._assign(
                before,
                routing.body,
                reason=f"handed back as not competent: {reason}",
                reason_code="not_competent",
                actor=actor,
                category=routing.category.ref(),
                reasons=routing.reasons,
                confidence=routing.confidence,
            )
            return event
        entry = await self._move(
            before,
            before.back_to_triage(),
            follow=lambda member: member.follows_back_to_triage(),
            change=StatusChange.REASSIGNED,
            reason=f"handed back as not competent, no other body fits: {reason}",
            reason_code="not_competent",
            actor=actor,
        )
        return entry.event

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
            category=chosen.ref(),
        )
        return routed

    async def relocate(self, item_id: UUID, *, place: str) -> StatusChanged | None:
        """The citizen named their place (a reply to "which commune?"): an item waiting in triage
        for its commune is located again and routed; None when it is not waiting for one, or
        the place still names no commune (it stays in triage for an operator)."""
        before = await self._store.get(item_id)
        if (
            before is None
            or before.status is not Status.TRIAGE
            or before.routed.triage_reason != domain.COMMUNE_UNKNOWN
        ):
            return None
        routing = self._route_again(
            before, address=", ".join(filter(None, (place, before.address)))
        )
        if routing.triage or routing.body is None or routing.location.commune is None:
            return None
        event, _ = await self._assign(
            before,
            routing.body,
            reason=f"the citizen named the commune: {routing.location.commune.name}",
            reason_code=None,
            actor="citizen",
            category=routing.category.ref(),
            reasons=routing.reasons,
            confidence=routing.confidence,
        )
        return event

    async def send_back(self, item_id: UUID, *, note: str, actor: str | None) -> StatusChanged:
        """The HĐND or the Front found the answer unsatisfactory: the item (and each answered
        item of its case) is reopened for its body, the evaluation as the reason, with a new
        due date counted from today; the body is told again (reason code `sent_back`)."""
        before = await self._load(item_id)
        before.check_answered(what="sent back")
        days = self._sla_of(before)
        today = vietnam_date(self._clock())
        entry = await self._move(
            before,
            before.sent_back(today=today, sla_working_days=days),
            follow=lambda m: m.follows_sent_back(today=today, sla_working_days=days),
            reason=note,
            reason_code=SENT_BACK,
            actor=actor,
        )
        return entry.event

    async def mark_for_questioning(
        self, item_id: UUID, *, note: str, session_id: str, actor: str | None
    ) -> StatusChanged:
        """Put an unsatisfactory answer to questioning (chất vấn) at `session_id`: a mark in the
        item's history, its status unchanged. Marked already for that session: the same mark."""
        before = await self._load(item_id)
        before.check_answered(what="questioned", also=frozenset({Status.REOPENED}))
        for earlier in await self._store.history(item_id):
            if (
                isinstance(earlier, StatusChanged)
                and earlier.change is StatusChange.QUESTIONED
                and earlier.session_id == session_id
            ):
                return earlier
        event = status_changed(
            before=before,
            after=before,
            at=self._clock(),
            case_item_ids=(before.item_id,),
            change=StatusChange.QUESTIONED,
            reason=note,
            reason_code=QUESTIONING,
            actor=actor,
            session_id=session_id,
        )
        await self._record(before, OutboxEntry(event))
        return event

    async def by_tracking_code(self, tracking_code: str) -> Assignment:
        """The item with that tracking code (`NotFoundError` when there is none)."""
        found = await self._store.by_tracking_code(tracking_code)
        if found is None:
            raise NotFoundError(f"no item {tracking_code}")
        return found

    async def view(self, item_id: UUID) -> ItemView:
        assignment = await self._load(item_id)
        history: list[ItemEvent | FeedbackMessageAdded | NoteAdded] = [
            *await self._store.history(item_id),
            *await self._store.messages(item_id),
            *await self._store.notes(item_id),
        ]
        history.sort(key=lambda event: event.occurred_at)
        return ItemView(assignment, await self._case_items(assignment), history)

    async def triage(self) -> list[Assignment]:
        """The items waiting for a human decision."""
        return await self._store.in_status(frozenset({Status.TRIAGE}))

    async def add_note(
        self,
        assignment: Assignment,
        *,
        kind: NoteKind,
        text: str,
        actor: str,
        from_level: FrontLevel,
        to_level: FrontLevel | None,
    ) -> NoteAdded:
        """A note in the item's history: stored, then published (the sweep publishes it when the
        broker is away; the caller is answered either way, nothing is lost)."""
        location = assignment.routed.location
        note = NoteAdded(
            occurred_at=self._clock(),
            correlation_id=assignment.item_id,
            item_id=assignment.item_id,
            tracking_code=assignment.routed.tracking_code,
            kind=kind,
            text=text,
            actor=actor,
            from_level=from_level,
            to_level=to_level,
            province_code=location.province.code if location and location.province else None,
            commune_code=location.commune.code if location and location.commune else None,
        )
        await self._store.add_note_once(note)
        await self._outbox.deliver_note(note)
        return note

    async def get(self, item_id: UUID) -> Assignment:
        """The item as it is now (`NotFoundError` when there is none)."""
        return await self._load(item_id)

    async def case_members(self, case_id: UUID) -> list[Assignment]:
        """The items of a case (`NotFoundError` when there is none)."""
        return await self._case(case_id)

    async def merge_cases(
        self, case_id: UUID, others: list[UUID], *, actor: str | None = None
    ) -> list[UUID]:
        """Merge `others` into `case_id`: cases of the same body and province only. Their items
        join the case and take its status, body and due date; the merge is in their history."""
        others = list(dict.fromkeys(others))
        if case_id in others:
            raise CaseConflictError(f"case {case_id} cannot be merged with itself")
        target = await self._case(case_id)
        lead = next((a for a in target if a.item_id == case_id), target[0])
        joining: list[Assignment] = []
        for other in others:
            for member in await self._case(other):
                if (member.body and member.body.id) != (lead.body and lead.body.id):
                    raise CaseConflictError(
                        f"case {other} is with body {member.body.id if member.body else 'none'}, "
                        f"case {case_id} with {lead.body.id if lead.body else 'none'}: "
                        "only cases of the same body are merged"
                    )
                if _province(member) != _province(lead):
                    raise CaseConflictError(
                        f"case {other} is in province {_province(member)}, case {case_id} in "
                        f"{_province(lead)}: only cases of the same province are merged"
                    )
                joining.append(member)
        items = sorted({a.item_id for a in (*target, *joining)})
        event = self._case_event(
            lead,
            change=StatusChange.MERGED,
            case_id=case_id,
            case_item_ids=tuple(items),
            reason=f"cases {', '.join(map(str, others))} merged into case {case_id}",
            actor=actor,
        )
        follow = tuple(_move_of(m, lead, case_id=case_id) for m in joining)
        await self._record(lead, OutboxEntry(event, follow=follow))
        return items

    async def split_case(
        self, case_id: UUID, item_ids: list[UUID], *, actor: str | None = None
    ) -> UUID:
        """Take `item_ids` out of the case into a new one; each keeps its status."""
        members = {a.item_id: a for a in await self._case(case_id)}
        wanted = list(dict.fromkeys(item_ids))
        if missing := sorted(set(wanted) - set(members)):
            raise NotFoundError(f"items {missing} are not in case {case_id}")
        if len(wanted) >= len(members):
            raise CaseConflictError(
                f"a split must leave at least one item in case {case_id}; nothing to split"
            )
        new_case = new_id()
        leaving = [members[i] for i in wanted]
        event = self._case_event(
            leaving[0],
            change=StatusChange.SPLIT,
            case_id=new_case,
            case_item_ids=tuple(sorted(wanted)),
            reason=f"split from case {case_id} into case {new_case}",
            actor=actor,
        )
        follow = tuple(_move_of(m, m, case_id=new_case) for m in leaving)
        await self._record(leaving[0], OutboxEntry(event, follow=follow))
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
        """Give the item (and its case) to `body` from today: one reassignment status event
        tells the citizens and the new body; each item's new routing goes with it, marked as
        announced, for whoever keeps routings."""
        category = category or before.routed.category
        today = vietnam_date(self._clock())
        after = before.given_to(body, today=today, category=category.code)

        def reroute(member: Assignment, cause: StatusChanged) -> FeedbackRouted:
            return rerouted_event(
                member,
                body,
                category=category,
                confidence=confidence,
                reasons=(*reasons, reason),
                cause=cause,
                at=self._clock(),
            )

        entry = await self._move(
            before,
            after,
            follow=lambda m: m.follows_given_to(body, today=today, category=category.code),
            reroute=reroute,
            change=StatusChange.REASSIGNED,
            reason=reason,
            reason_code=reason_code,
            actor=actor,
        )
        return entry.event, entry.reroutes[0]

    async def _move(
        self,
        before: Assignment,
        after: Assignment,
        *,
        follow: Follow,
        reroute: Reroute | None = None,
        change: StatusChange = StatusChange.TRANSITION,
        reason: str | None = None,
        reason_code: str | None = None,
        answer: str | None = None,
        actor: str | None = None,
    ) -> OutboxEntry:
        """Store `after` unless the item moved meanwhile, with the event in the same update;
        the case's other members follow; then tell every petitioner who moved, once."""
        followers = [
            (member, moved)
            for member in await self._others_of_case(before)
            if (moved := follow(member)) is not None
        ]
        event = status_changed(
            before=before,
            after=after,
            at=self._clock(),
            case_item_ids=tuple(sorted({after.item_id, *(m.item_id for m, _ in followers)})),
            change=change,
            reason=reason,
            reason_code=reason_code,
            answer=answer,
            actor=actor,
        )
        entry = OutboxEntry(
            event,
            follow=tuple(_move_of(member, moved) for member, moved in followers),
            reroutes=tuple(reroute(moved, event) for moved in (after, *(m for _, m in followers)))
            if reroute
            else (),
        )
        await self._record(before, entry, after=after)
        return entry

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

    def _route_again(
        self, before: Assignment, *, address: str | None, exclude: frozenset[str] = frozenset()
    ) -> domain.Routing:
        """The item's text routed again from `address` (a hand-back, the citizen naming their
        commune), the way its first routing was made."""
        return domain.route_text(
            self._directory,
            text=before.text,
            address=address,
            province_hint=before.province_hint or self._fallback_province,
            corrections=self._corrections.model,
            exclude=exclude,
            model=self._corrections.predictor,
            memory=self._corrections.memory,
            threshold=self._corrections.threshold,
        )

    async def _load(self, item_id: UUID) -> Assignment:
        assignment = await self._store.get(item_id)
        if assignment is None:
            raise NotFoundError(f"no item {item_id}")
        return assignment

    async def _record(
        self, before: Assignment, entry: OutboxEntry, *, after: Assignment | None = None
    ) -> None:
        """Store the change and its outbox entry in one update unless the item moved meanwhile
        (another operator, another process), then deliver it."""
        if not await self._store.move(_move_of(before, after or before), outbox=(entry,)):
            raise TransitionError(f"the item changed meanwhile (was {before.status.value})")
        await self._outbox.deliver(entry)

    async def _case(self, case_id: UUID) -> list[Assignment]:
        if not (found := await self._store.case_assignments(case_id)):
            raise NotFoundError(f"no case {case_id}")
        return found

    async def _others_of_case(self, assignment: Assignment) -> list[Assignment]:
        if assignment.case_id is None:
            return []
        members = await self._store.case_assignments(assignment.case_id)
        return [a for a in members if a.item_id != assignment.item_id]

    def _case_event(
        self,
        lead: Assignment,
        *,
        change: StatusChange,
        case_id: UUID,
        case_item_ids: tuple[UUID, ...],
        reason: str,
        actor: str | None,
    ) -> StatusChanged:
        """A change of a case's membership, in its items' history; statuses are the lead's."""
        return status_changed(
            before=lead,
            after=replace(lead, case_id=case_id),
            at=self._clock(),
            case_item_ids=case_item_ids,
            change=change,
            reason=reason,
            actor=actor,
        )

    async def _case_items(self, assignment: Assignment) -> tuple[UUID, ...]:
        if assignment.case_id is None:
            return (assignment.item_id,)
        return tuple(await self._store.case_items(assignment.case_id)) or (assignment.item_id,)

    def _sla_of(self, assignment: Assignment) -> int:
        """The working days its body has to answer; the directory's default for a body it no
        longer lists (an item older than the directory keeps its body)."""
        body = assignment.body and self._directory.find(assignment.body.id)
        if not body:
            return int(Body.model_fields["sla_working_days"].default)
        return self._directory.body(body.id).sla_working_days

    def _live(self, body_id: str) -> Body:
        body = self._directory.find(body_id)
        if body is None:
            raise NotFoundError(f"no body {body_id}")
        return self._directory.body(body.id)
