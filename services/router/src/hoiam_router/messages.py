"""The router's subscriber of `feedback.messages`: what a citizen adds to an item joins its history.

A reply, an edit or a removal changes nothing about who handles the item; it is kept so operators
and bodies see everything the citizen said, in order, beside the routing and status changes.
"""

from hoiam_router.repository import AssignmentRepository
from hoiam_shared.events import FeedbackMessageAdded


class RecordCitizenMessage:
    """Keeps each message once (by event id), whatever its kind: a redelivery adds nothing."""

    def __init__(self, *, assignments: AssignmentRepository) -> None:
        self._assignments = assignments

    async def __call__(self, message: FeedbackMessageAdded) -> None:
        await self._assignments.add_message_once(message)
