"""The citizen's answer to "which commune?": a reply on an item waiting for its commune routes it.

A separate subscriber of `feedback.messages.v1` (its own consumer group), so reading messages for
an item's history and re-locating on a reply stay two reasons to change.
"""

from hoiam_router.operations import Operations
from hoiam_shared.events import FeedbackMessageAdded, StatusChanged


class RelocateOnReply:
    """A reply's words (or the matter sent again, which may now say where) as the place of an
    item in triage for `commune_unknown`."""

    def __init__(self, *, operations: Operations) -> None:
        self._operations = operations

    async def __call__(self, added: FeedbackMessageAdded) -> StatusChanged | None:
        if added.kind not in ("reply", "resent") or added.text is None or not added.text.normalised:
            return None
        return await self._operations.relocate(added.item_id, place=added.text.normalised)
