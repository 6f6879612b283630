"""The life cycle of an item (DESIGN.md §6): which status may follow which."""

from hoiam_shared.events import Status

OPEN = frozenset({Status.ROUTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED})
"""Statuses with a body at work: these can become overdue."""

ANSWERED = frozenset({Status.RESOLVED, Status.REJECTED, Status.CLOSED})
"""The body has given its answer (or its refusal): what the HĐND and the Front evaluate."""
SENT_BACK = "sent_back"
"""Reason code: an answer found unsatisfactory, sent back to its body (reopened)."""
QUESTIONING = "questioning"
"""Reason code: an answer found unsatisfactory, put to questioning (chất vấn) at a session."""

REASON_CODES = frozenset({"not_competent", "duplicate", "no_further_action", "internal_referral"})

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.ROUTED, Status.TRIAGE}),
    Status.TRIAGE: frozenset({Status.ROUTED, Status.REJECTED}),
    Status.ROUTED: frozenset(
        {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED}
    ),
    Status.ACKNOWLEDGED: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED}),
    Status.IN_PROGRESS: frozenset({Status.RESOLVED, Status.REJECTED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.REOPENED}),
    Status.REJECTED: frozenset({Status.REOPENED, Status.CLOSED}),
    Status.REOPENED: frozenset(
        {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED}
    ),
    Status.CLOSED: frozenset({Status.REOPENED}),
}


class TransitionError(ValueError):
    """The item cannot go from its status to the one asked for."""


def check_transition(current: Status, wanted: Status, *, reason_code: str | None) -> None:
    if wanted not in TRANSITIONS.get(current, frozenset()):
        raise TransitionError(f"an item that is {current.value} cannot become {wanted.value}")
    if wanted is Status.REJECTED and reason_code not in REASON_CODES:
        raise TransitionError(f"rejecting needs a reason_code, one of {sorted(REASON_CODES)}")


class NotAnsweredError(TransitionError):
    """An answer is evaluated (sent back, questioned) that the body has not given yet."""
