"""Subscribers: raw record → outcomes (pure) → citizen, duplicates, threads → store once → publish.

Every effect is keyed so a redelivered raw record changes nothing: items by their (derived) id,
messages by their source, tasks by their deterministic task id, citizens' contacts by the
contact itself. The stored event is what gets published, so a redelivery republishes the same
event (same event_id) and downstream dedupe holds.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from hoiam_intake.domain import keys
from hoiam_intake.domain.channels import interpret
from hoiam_intake.domain.conversations import (
    Gathered,
    Known,
    Reply,
    closing,
    conversation_key,
    due,
    one_item,
    published,
    take,
)
from hoiam_intake.domain.items import Earlier, as_message, edit_ref
from hoiam_intake.domain.matters import Matter, fold_words
from hoiam_intake.domain.outcomes import CallBack, Dropped, Followup, NewItem, Outcome, Reachability
from hoiam_intake.domain.rules import Rules
from hoiam_intake.erasure import bind_raw_key, open_raw
from hoiam_intake.gatherings import ConversationStore
from hoiam_intake.locks import KeyedLocks
from hoiam_intake.metrics import IntakeMetrics
from hoiam_intake.replies import reply_target
from hoiam_intake.repository import ItemRepository
from hoiam_intake.resends import Resends
from hoiam_intake.store import IntakeStore, Suggestion
from hoiam_intake.tasks import TaskList
from hoiam_shared.clock import Clock
from hoiam_shared.events import (
    Channel,
    FeedbackMessageAdded,
    FeedbackReceived,
    OperatorTaskOpened,
    RawFeedbackAccepted,
)
from hoiam_shared.kafka import EventPublisher
from hoiam_shared.topics import (
    CITIZEN_CONTACTS,
    FEEDBACK_MESSAGES,
    FEEDBACK_RECEIVED,
    OPERATOR_TASKS,
    Topics,
)
from hoiam_shared.vault import Vault

log = logging.getLogger(__name__)

SAVE_TRIES = 8
"""Compare-and-set attempts on one conversation before giving up on a record."""


class ConversationBusyError(RuntimeError):
    """A conversation changed under every attempt to add a message: the record is parked in the
    dead-letter topic with this cause (and replayed from there), never dropped."""


class NormaliseFeedback:
    """Load → domain → save → emit, for one raw record."""

    def __init__(
        self,
        *,
        items: ItemRepository,
        publisher: EventPublisher,
        topics: Topics,
        metrics: IntakeMetrics,
        store: IntakeStore,
        tasks: TaskList,
        rules: Rules,
        conversations: ConversationStore,
        resends: Resends,
        gather_window: timedelta,
        conversation: timedelta,
        clock: Clock,
        vault: Vault,
    ) -> None:
        self._vault = vault
        self._binding = KeyedLocks()
        self._items = items
        self._tasks = tasks
        self._conversations = conversations
        self._resends = resends
        self._gather_window = gather_window
        self._conversation = conversation
        self._publisher = publisher
        self._topics = topics
        self._metrics = metrics
        self._store = store
        self._rules = rules
        self._clock = clock

    async def __call__(self, raw: RawFeedbackAccepted) -> None:
        opened = await open_raw(raw, self._vault)
        if opened is None:
            # Its sender was erased: the record is noise now, by design; nothing to normalise.
            self._count(raw.channel, "erased")
            return
        outcomes = list(interpret(opened, self._rules))
        if raw.sealed_with is not None:
            await bind_raw_key(raw.sealed_with, outcomes, self._vault)
        for outcome in outcomes:
            await self._apply(raw.channel, outcome)

    def _count(self, channel: Channel, outcome: str) -> None:
        self._metrics.outcomes.labels(channel.value, outcome).inc()

    async def _apply(self, channel: Channel, outcome: Outcome) -> None:
        match outcome:
            case NewItem(item=item) if (key := conversation_key(item)) is not None:
                await self._gather(item, key)
            case NewItem():
                await self._new_item(outcome)
            case Followup(message=message, fallback=fallback):
                known = await self._items.get(message.item_id)
                if known is not None:
                    await self._message(message)
                elif fallback is not None:
                    await self._new_item(NewItem(fallback))
                else:
                    self._drop(channel, "unknown_item")
            case Reachability(event=event):
                bound = await self._store.find_contacts([f"{event.channel.value}:{event.address}"])
                event = event.model_copy(update={"citizen_id": next(iter(bound.values()), None)})
                key = f"{event.channel.value}:{event.address}:{event.reason}:{event.changed_at}"
                stored = await self._store.record_event("reachability", key, event)
                # Keyed by the binding, not the address: record keys are not sealed.
                await self._publisher.publish(
                    self._topics.name(CITIZEN_CONTACTS),
                    stored,
                    key=stored.citizen_id or keys.derived_uuid("contact", key).hex,
                )
                self._count(channel, "reachability")
            case CallBack(task=task):
                # Listed at once; read back from the topic, the same task id changes nothing.
                stored_task = (await self._tasks.open_once(task)).opened
                await self._publisher.publish(
                    self._topics.name(OPERATOR_TASKS), stored_task, key=stored_task.task_id
                )
                self._count(channel, "call_back")
            case Dropped(reason=reason):
                self._drop(channel, reason)

    def _drop(self, channel: Channel, reason: str) -> None:
        log.info("not feedback; dropped", extra={"channel": channel.value, "reason": reason})
        self._metrics.not_feedback.labels(channel.value, reason).inc()
        self._count(channel, "not_feedback")

    async def _message(self, message: FeedbackMessageAdded) -> None:
        key = f"{message.channel.value}:{message.source_ref or message.event_id}"
        stored = await self._store.record_event("messages", key, message)
        await self._publisher.publish(
            self._topics.name(FEEDBACK_MESSAGES), stored, key=stored.item_id
        )
        self._count(message.channel, message.kind)

    async def _reply_target(self, outcome: NewItem) -> Earlier | None:
        return await reply_target(
            items=self._items,
            store=self._store,
            sender=outcome.item.citizen.contacts,
            code=outcome.reply_code,
            refs=outcome.reply_refs,
        )

    async def _new_item(self, outcome: NewItem) -> Earlier:
        """Store and publish a new item, or, for a reply or a re-sent matter, a message on the
        item it belongs to; returns the item it landed on."""
        item = outcome.item
        message_id = item.origin.message_id if item.origin else None
        if item.channel is Channel.EMAIL:
            target = await self._reply_target(outcome)
            if target is not None and target.item_id != item.item_id:
                citizen_id = await self._citizen(item)
                citizen = item.citizen.model_copy(update={"citizen_id": citizen_id})
                reply = item.model_copy(update={"citizen": citizen})
                await self._message(
                    as_message(reply, kind="reply", source_ref=reply.source_ref, onto=target)
                )
                if message_id:
                    await self._store.index_message_ids([message_id], target)
                return target
        citizens, new_person = await self._citizens(item)
        if citizens:
            item = item.model_copy(
                update={"citizen": item.citizen.model_copy(update={"citizen_id": citizens[0]})}
            )
            # A new person has said nothing before: no matter to look for, no lookup.
            if not new_person and (earlier := await self._resent(item, citizens)):
                # The same matter again: one item, told where it stands, not a second petition.
                ref = item.source_ref or f"item:{item.item_id}"
                await self._message(as_message(item, kind="resent", source_ref=ref, onto=earlier))
                if item.channel is Channel.EMAIL and message_id:
                    await self._store.index_message_ids([message_id], earlier)
                return earlier
        stored = await self._items.add_once(item)
        if stored.event_id != item.event_id and stored.text.normalised != item.text.normalised:
            # The same source with new words (an operator keying in a logged call, a re-sent
            # form): the item stays, the new words become an edit on it.
            edit = edit_ref(source_ref=item.source_ref, words=item.text.normalised)
            await self._message(
                as_message(item, kind="edit", source_ref=edit, onto=Earlier.of(stored))
            )
        if item.channel is Channel.EMAIL and message_id:
            await self._store.index_message_ids([message_id], Earlier.of(stored))
        if stored.citizen.citizen_id is not None:
            await self._conversations.add_matter(
                Matter(
                    item_id=stored.item_id,
                    tracking_code=stored.tracking_code,
                    citizen_id=stored.citizen.citizen_id,
                    words=fold_words(stored.text.normalised),
                    at=stored.received_at,
                )
            )
        await self._publisher.publish(
            self._topics.name(FEEDBACK_RECEIVED), stored, key=stored.item_id
        )
        self._metrics.items_normalised.labels(stored.channel.value).inc()
        self._count(stored.channel, "item")
        return Earlier.of(stored)

    async def _resent(self, item: FeedbackReceived, citizens: list[str]) -> Earlier | None:
        """The earlier item of the same citizen (any record the item's contacts are bound to)
        saying the same matter within the duplicate period, if any, unless this item is stored
        already (a redelivery stays the item it was)."""
        earlier = await self._resends.among(
            citizens, text=item.text.normalised, at=item.received_at, item_id=item.item_id
        )
        # Asked only when a matter matched: most items match none, and then this read is saved.
        if earlier is None or await self._items.get(item.item_id) is not None:
            return None
        self._count(item.channel, "resent")
        return earlier

    # --- chat conversations: gathered, then one item -------------------------------------------

    async def _gather(self, item: FeedbackReceived, key: str) -> None:
        """Add a chat message to its conversation: to the gathering, or as a reply once the
        conversation made an item. The raw record is on `intake.raw` already; this stores it
        in the gathering, so a restart loses nothing."""
        for _ in range(SAVE_TRIES):
            current = await self._conversations.gathering(key)
            expected = current.version if current is not None else None
            match take(current, item, key=key, conversation=self._conversation):
                case Known():
                    return
                case Gathered(gathering=gathering):
                    if await self._conversations.save_gathering(gathering, expected=expected):
                        self._count(item.channel, "gathered")
                        return
                case Reply(onto=onto, gathering=gathering):
                    citizen_id = await self._citizen(item)
                    citizen = item.citizen.model_copy(update={"citizen_id": citizen_id})
                    reply = item.model_copy(update={"citizen": citizen})
                    # The reply is kept first: a crash before the save sends it again, and its
                    # key (channel, msg_id) makes that the same message.
                    await self._message(
                        as_message(reply, kind="reply", source_ref=reply.source_ref, onto=onto)
                    )
                    if await self._conversations.save_gathering(gathering, expected=expected):
                        return
        raise ConversationBusyError(f"conversation {key} kept changing")

    async def flush(self) -> int:
        """Publish every gathering whose sender fell quiet (by the injected clock); how many."""
        now = self._clock()
        count = 0
        for gathering in await self._conversations.unpublished():
            if not due(gathering, now=now, window=self._gather_window):
                continue
            taken = gathering
            if gathering.state == "open":
                taken = closing(gathering)
                if not await self._conversations.save_gathering(taken, expected=gathering.version):
                    continue  # a message joined it meanwhile: it stays open
            item = one_item(taken, max_chars=self._rules.max_text_chars)
            landed = await self._new_item(NewItem(item))
            await self._conversations.save_gathering(
                published(taken, landed), expected=taken.version
            )
            count += 1
        return count

    async def _citizen(self, item: FeedbackReceived) -> str | None:
        """The item's citizen record (see `_citizens`), None without a contact."""
        citizens, _ = await self._citizens(item)
        return next(iter(citizens), None)

    async def _citizens(self, item: FeedbackReceived) -> tuple[list[str], bool]:
        """One citizen record per person: certain contacts join, similar names only suggest.

        Returns the item's record first, then any other record one of its contacts was already
        bound to (contacts that meet are suggested, never merged): a re-sent matter is looked for
        among all of them without asking the store again. The flag says the person is new: every
        contact was bound just now to the record named after this item, which has no earlier item.
        """
        contact_keys = keys.contact_keys(item.citizen.contacts)
        if not contact_keys:
            return [], False
        # A batch's partitions are worked at once: one person's web form (phone and email) and
        # email (email only) bound at the same moment would each find nothing and found two
        # records. Records sharing a contact take their turn; the others go on at once.
        async with self._binding.hold(contact_keys):
            return await self._bind(item, contact_keys)

    async def _bind(
        self, item: FeedbackReceived, contact_keys: list[str]
    ) -> tuple[list[str], bool]:
        candidate = f"cit-{keys.derived_uuid('citizen', str(item.item_id))}"
        if len(contact_keys) == 1:
            # One contact, the usual case: insert-first, read back only if it was bound before.
            existing: dict[str, str] = {}
            chosen = candidate
        else:
            # Several: the record one of them is bound to takes the others (equality lookups:
            # FerretDB 1.24 scans for `$in` and `$or`, docs/operations.md), bound in one insert.
            existing = await self._store.find_contacts(contact_keys)
            chosen = next((existing[k] for k in contact_keys if k in existing), candidate)
        bound_to = chosen
        missing = [key for key in contact_keys if key not in existing]
        held = existing | await self._store.bind_contacts(missing, bound_to)
        bound_any = bool(existing)
        holders = []
        suggestions = []
        for key in contact_keys:
            holder = held.get(key, bound_to)
            holders.append(holder)
            if holder == chosen:
                bound_any = True
            elif not bound_any:
                chosen, bound_any = holder, True  # another message bound it a moment before
            else:
                suggestions.append(
                    self._suggestion(chosen, holder, "contacts_meet", f"{key} in one message")
                )
        if item.citizen.name:
            for other in await self._store.add_name(keys.name_key(item.citizen.name), chosen):
                suggestions.append(self._suggestion(chosen, other, "same_name", item.citizen.name))
        if suggestions:
            await self._store.suggest_all(suggestions)
        return list(dict.fromkeys((chosen, *holders))), not held

    def _suggestion(self, one: str, other: str, reason: str, detail: str) -> Suggestion:
        a, b = sorted((one, other))
        return Suggestion(
            id=f"{reason}:{a}:{b}",
            citizen_ids=(a, b),
            reason=reason,
            detail=detail,
            created_at=self._clock(),
        )


class RecordTask:
    """The subscriber of `operator.tasks`: every task, whoever opened it, joins the one list."""

    def __init__(self, *, tasks: TaskList) -> None:
        self._tasks = tasks

    async def __call__(self, task: OperatorTaskOpened) -> None:
        await self._tasks.open_once(task)


def flush_gatherings_every(
    normalise: NormaliseFeedback, seconds: float
) -> Callable[[], Coroutine[Any, Any, None]]:
    """The background loop that publishes gathered conversations once their senders fall quiet."""

    async def flush_gatherings() -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await normalise.flush()
            except Exception:  # the loop must outlive an outage; the next round retries
                log.exception("flushing gathered conversations failed; retrying next round")

    return flush_gatherings
