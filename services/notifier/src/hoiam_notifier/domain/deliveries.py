"""Where a message stands: a delivery's states, and messages held back for later."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from hoiam_notifier.domain.notifications import Notification


class DeliveryStatus(StrEnum):
    """A delivery's life: `pending` (intent recorded, send under way or interrupted), then one
    outcome, which stands (the values are what the stores keep)."""

    PENDING = "pending"
    SENT = "sent"  # the provider accepted it
    FAILED = "failed"  # the provider refused it for good (bad address), or retries ran out
    FALLBACK = "fallback"  # this way could not reach the person (window, blocked): next one tried
    TASK = "task"  # handed to a person (call-back) or nobody could be reached
    UNKNOWN = "unknown"  # interrupted mid-send on a provider without idempotency: a person checks


class Held(StrEnum):
    """Why a message waits in the queue instead of going out now."""

    QUIET = "quiet"  # SMS or Zalo in quiet hours: due when they end
    DIGEST = "digest"  # a digest contact's item: due at the digest hour, sent as one message


@dataclass(frozen=True, slots=True)
class Queued:
    """A message held back, due at `due_at`; a digest entry knows the local day it belongs to."""

    key: str
    kind: Held
    due_at: datetime
    notification: Notification
    day: date | None = None  # DIGEST only
