"""The subscriber of `feedback.ratings`: a low rating of an answer sends the item back to its
body (reopened, the citizen's score and reason in its history)."""

import logging

from hoiam_router.domain.lifecycle import TransitionError
from hoiam_router.operations import NotFoundError, Operations
from hoiam_shared.events import ItemRated, Status, StatusChanged

log = logging.getLogger(__name__)

LOW_SCORE = 2
"""At or below this score the answer did not settle the matter."""


class ReopenOnLowRating:
    def __init__(self, *, operations: Operations) -> None:
        self._operations = operations

    async def __call__(self, rated: ItemRated) -> StatusChanged | None:
        if rated.score > LOW_SCORE:
            return None
        reason = f"the citizen rated the answer {rated.score}/5"
        if rated.reason:
            reason += f": {rated.reason}"
        try:
            return await self._operations.change_status(
                rated.item_id, Status.REOPENED, reason=reason, actor="citizen:rating"
            )
        except (TransitionError, NotFoundError) as why:
            # Redelivered (reopened already), or moved on since (closed, reopened by staff):
            # the rating stays in the console's record either way.
            log.info(
                "low rating not reopening", extra={"item_id": str(rated.item_id), "why": str(why)}
            )
            return None
