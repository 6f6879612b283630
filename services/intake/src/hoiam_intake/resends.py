"""Whether a citizen is sending a matter again: one rule for the normaliser and the web form.

The same citizen is anyone holding one of the contacts (a citizen record per contact, as bound
by the normaliser); the same matter is `domain.matters.earlier_matter` within the period.
"""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from hoiam_intake.domain import keys
from hoiam_intake.domain.items import Earlier
from hoiam_intake.domain.matters import earlier_matter, fold_words
from hoiam_intake.gatherings import ConversationStore
from hoiam_intake.store import IntakeStore
from hoiam_shared.events import Contacts

log = logging.getLogger(__name__)


class Resends:
    def __init__(
        self,
        *,
        store: IntakeStore,
        conversations: ConversationStore,
        period: timedelta,
        threshold: float,
    ) -> None:
        self._store = store
        self._conversations = conversations
        self._period = period
        self._threshold = threshold

    async def earlier(
        self, *, contacts: Contacts, text: str, at: datetime, item_id: UUID
    ) -> Earlier | None:
        """The first item of whoever holds `contacts` saying the same matter within the period
        (the door asks before the normaliser has bound the contacts of this submission)."""
        bound = await self._store.find_contacts(keys.contact_keys(contacts))
        return await self.among(list(bound.values()), text=text, at=at, item_id=item_id)

    async def among(
        self, citizens: Sequence[str], *, text: str, at: datetime, item_id: UUID
    ) -> Earlier | None:
        """The first item of one of `citizens` saying the same matter within the period."""
        if not citizens:
            return None
        known = await self._conversations.matters(citizens, since=at - self._period)
        found = earlier_matter(
            fold_words(text),
            known,
            item_id=item_id,
            at=at,
            period=self._period,
            threshold=self._threshold,
        )
        if found is None:
            return None
        log.info(
            "the same matter again",
            extra={"earlier": found.earlier.tracking_code, "why": found.likeness.why},
        )
        return Earlier(item_id=found.earlier.item_id, tracking_code=found.earlier.tracking_code)
