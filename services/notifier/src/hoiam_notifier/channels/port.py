"""The port every channel adapter implements: send one message, get its id or a classified error."""

from dataclasses import dataclass
from typing import Protocol

from hoiam_notifier.channels.errors import Verdict
from hoiam_notifier.domain.notifications import Notification, Target


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One notification on one target, under the delivery id that makes it idempotent."""

    notification: Notification
    target: Target
    delivery_id: str


class SendError(Exception):
    """The provider did not take the message; `verdict` says whether to retry, fall back or fail."""

    def __init__(
        self, verdict: Verdict, *, answer: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{verdict.kind.value}: {verdict.reason}")
        self.verdict = verdict
        self.answer = answer
        self.retry_after = retry_after


class Sender(Protocol):
    """Port: hand one message to a provider; returns its message id, or raises `SendError`."""

    async def send(self, outgoing: Outgoing) -> str: ...
