"""An assignment (phân công): an item as the router holds it now, and what operators change."""

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from hoiam_router.domain.directory import Body
from hoiam_router.domain.lifecycle import (
    ANSWERED,
    OPEN,
    TRANSITIONS,
    NotAnsweredError,
    TransitionError,
    check_transition,
)
from hoiam_router.domain.sla import add_working_days
from hoiam_shared.events import BodyRef, FeedbackRouted, Status


@dataclass(frozen=True, slots=True)
class Assignment:
    """An item as the router holds it now: its first routing event and what changed since."""

    routed: FeedbackRouted
    status: Status
    body: BodyRef | None
    due_on: date | None
    case_id: UUID | None
    category: str
    address: str | None = None
    province_hint: str | None = None

    @property
    def item_id(self) -> UUID:
        return self.routed.item_id

    @property
    def text(self) -> str:
        """What the citizen wrote, subject first: what routing reads again."""
        return "\n".join(filter(None, (self.routed.subject, self.routed.text)))

    def moved_to(self, status: Status, *, reason_code: str | None) -> "Assignment":
        """The item in `status`, if its life cycle allows it (TransitionError otherwise)."""
        check_transition(self.status, status, reason_code=reason_code)
        return replace(self, status=status)

    def follows_to(self, status: Status) -> "Assignment | None":
        """This item when another of its case moves to `status` (cases move as one): moved if
        its own life cycle allows it, else None: it is at another stage, and stays there."""
        if status not in TRANSITIONS.get(self.status, frozenset()):
            return None
        return replace(self, status=status)

    def follows_given_to(self, body: Body, *, today: date, category: str) -> "Assignment | None":
        """This item when its case is given to `body`: an item still to be worked on follows,
        one that is finished (resolved, rejected, closed) stays with the body that finished it."""
        if self.status not in OPEN and self.status is not Status.TRIAGE:
            return None
        return self.given_to(body, today=today, category=category)

    def given_to(self, body: Body, *, today: date, category: str) -> "Assignment":
        """The item with `body` from `today`, with that body's due date: a triaged item becomes
        routed, an item already being worked on keeps its status."""
        keeps = self.status not in (Status.TRIAGE, Status.ROUTED)
        return replace(
            self,
            status=self.status if keeps else Status.ROUTED,
            body=body.ref(),
            due_on=add_working_days(today, body.sla_working_days),
            category=category,
        )

    def check_can_hand_back(self) -> None:
        """Only a body at work on an item can say "not our competence"."""
        if self.status not in OPEN:
            raise TransitionError(f"an item that is {self.status.value} cannot be handed back")

    def back_to_triage(self) -> "Assignment":
        """No body left for it: a human decides (no body, no due date meanwhile)."""
        return replace(self, status=Status.TRIAGE, body=None, due_on=None)

    def follows_back_to_triage(self) -> "Assignment | None":
        """This item when its case goes back to triage: only an item a body was working on."""
        return self.back_to_triage() if self.status in OPEN else None

    def overdue_since(self, today: date) -> date | None:
        """The due date an open item is past on `today` (not on the due date itself), or None."""
        if self.status in OPEN and self.due_on is not None and self.due_on < today:
            return self.due_on
        return None

    def check_answered(self, *, what: str, also: frozenset[Status] = frozenset()) -> None:
        """Only an answer the body gave can be evaluated (`what`: "sent back", "questioned")."""
        if self.status not in ANSWERED | also:
            raise NotAnsweredError(
                f"an item that is {self.status.value} has no answer yet to be {what}"
            )

    def sent_back(self, *, today: date, sla_working_days: int) -> "Assignment":
        """Its answer found unsatisfactory: reopened for the same body, due again from today."""
        self.check_answered(what="sent back")
        if self.body is None:
            raise TransitionError("the item has no body to send it back to")
        check_transition(self.status, Status.REOPENED, reason_code=None)
        return replace(
            self, status=Status.REOPENED, due_on=add_working_days(today, sla_working_days)
        )

    def follows_sent_back(self, *, today: date, sla_working_days: int) -> "Assignment | None":
        """This item when its case is sent back: sent back too if it was answered, else it stays
        at its own stage."""
        if self.status not in ANSWERED or self.body is None:
            return None
        return self.sent_back(today=today, sla_working_days=sla_working_days)
