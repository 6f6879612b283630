"""Which known item a message answers: found by its thread or quoted tracking code, and taken only
when the sender is a contact of that item's citizen (a stranger quoting a code starts a new item).

The HTTP endpoint and the normaliser both ask here, so the code a reply's 202 hands out is the code
of the item the reply is attached to.
"""

from collections.abc import Sequence

from hoiam_intake.domain import keys
from hoiam_intake.domain.items import Earlier
from hoiam_intake.repository import ItemRepository
from hoiam_intake.store import IntakeStore
from hoiam_shared.events import Contacts, FeedbackReceived


async def reply_target(
    *,
    items: ItemRepository,
    store: IntakeStore,
    sender: Contacts,
    code: str | None,
    refs: Sequence[str],
) -> Earlier | None:
    """The item a message from `sender` quoting `code` in the thread `refs` joins, if any."""
    candidates: list[FeedbackReceived] = []
    if code:
        quoted = await items.find_by_tracking_code(code)
        if quoted is not None:
            candidates.append(quoted)
    if refs:
        threaded = await store.find_message(refs)
        if threaded is not None:
            found = await items.get(threaded.item_id)
            if found is not None:
                candidates.append(found)
    if not candidates:
        return None
    bound = set((await store.find_contacts(keys.contact_keys(sender))).values())
    for candidate in candidates:
        if keys.same_person(candidate.citizen, sender, bound):
            return Earlier.of(candidate)
    return None
