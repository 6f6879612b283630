"""What one raw record turns into: new items, messages on known items, tasks, or a reasoned drop."""

from dataclasses import dataclass

from hoiam_shared.events import (
    ContactReachabilityChanged,
    FeedbackMessageAdded,
    FeedbackReceived,
    OperatorTaskOpened,
)


@dataclass(frozen=True, slots=True)
class NewItem:
    """A new feedback item; an email may still turn out to be a reply to a known item."""

    item: FeedbackReceived
    reply_code: str | None = None
    reply_refs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Followup:
    """An edit or removal of an item known by its source; `fallback` if that item is unknown."""

    message: FeedbackMessageAdded
    fallback: FeedbackReceived | None = None


@dataclass(frozen=True, slots=True)
class Reachability:
    event: ContactReachabilityChanged


@dataclass(frozen=True, slots=True)
class CallBack:
    task: OperatorTaskOpened


@dataclass(frozen=True, slots=True)
class Dropped:
    """Not feedback (an auto-reply, a bounce, an event we do not use): counted, never parked."""

    reason: str


type Outcome = NewItem | Followup | Reachability | CallBack | Dropped
