"""Topic names: `<entity>.<fact>.v<N>`, declared once; every service reads them from here."""

from collections.abc import Iterator
from dataclasses import dataclass

INTAKE_RAW = "intake.raw.v1"
"""Raw payloads exactly as a channel delivered them, written before the caller gets its 2xx."""

FEEDBACK_RECEIVED = "feedback.received.v1"
"""One normalised `FeedbackReceived` per item."""

FEEDBACK_ROUTED = "feedback.routed.v1"
"""The router's decision (`FeedbackRouted`): body, category, reasons, or triage."""

FEEDBACK_STATUS = "feedback.status.v1"
"""Every later status change of an item (`StatusChanged`)."""

FEEDBACK_MESSAGES = "feedback.messages.v1"
"""Later messages on an existing item (`FeedbackMessageAdded`): replies, edits, removals."""

FEEDBACK_NOTES = "feedback.notes.v1"
"""What the levels of the Front wrote on an item (`NoteAdded`): forwards up, instructions and
questions down, notes; the router publishes them, the console reads them."""

CITIZEN_CONTACTS = "citizen.contacts.v1"
"""Changes in whether a channel can reach a citizen (`ContactReachabilityChanged`)."""

OPERATOR_TASKS = "operator.tasks.v1"
"""Work for a human (`OperatorTaskOpened`): call a citizen back, reach one no channel reaches."""

FEEDBACK_RATINGS = "feedback.ratings.v1"
"""Citizens' ratings of resolved items (`ItemRated`), published by the console's public pages."""

FEEDBACK_PUBLISHED = "feedback.published.v1"
"""Answers an operator approved for the public archive (`AnswerPublished`), masked of personal
data, published by the console; the router matches new items against them (repeat petitions)."""

CITIZEN_ERASURES = "citizen.erasures.v1"
"""Citizens erased on their request (`CitizenErased`), published by intake, honoured by every
service; kept for ever (it holds no personal data) so a restored store can apply them again."""

NOTIFICATION_SENT = "notification.sent.v1"
NOTIFICATION_FAILED = "notification.failed.v1"

DLQ_SUFFIX = ".dlq"


def dead_letter_topic(topic: str) -> str:
    """Where records of `topic` that cannot be processed go, with their bytes and the cause."""
    return f"{topic}{DLQ_SUFFIX}"


ALL_TOPICS: tuple[str, ...] = (
    INTAKE_RAW,
    FEEDBACK_RECEIVED,
    FEEDBACK_ROUTED,
    FEEDBACK_STATUS,
    FEEDBACK_MESSAGES,
    FEEDBACK_NOTES,
    CITIZEN_CONTACTS,
    OPERATOR_TASKS,
    NOTIFICATION_SENT,
    NOTIFICATION_FAILED,
    FEEDBACK_RATINGS,
    FEEDBACK_PUBLISHED,
    CITIZEN_ERASURES,
)


@dataclass(frozen=True, slots=True)
class Topics:
    """Topic names under an optional prefix, so tests and tenants can run side by side."""

    prefix: str = ""

    def name(self, topic: str) -> str:
        return f"{self.prefix}{topic}"

    def dlq(self, topic: str) -> str:
        return dead_letter_topic(self.name(topic))

    def everything(self) -> Iterator[str]:
        """Every topic and its dead-letter topic, for creating them up front."""
        for topic in ALL_TOPICS:
            yield self.name(topic)
            yield self.dlq(topic)
