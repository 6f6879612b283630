"""A Zalo or Messenger conversation (cuộc trò chuyện) is one item, not one per message.

People write in chat the way they talk: "Xin chào", then a photo, then the matter. Messages from
one sender to one OA or Page are gathered while they keep coming (each one holds the gathering
open for `window` more, up to `LONGEST` windows in all); when the sender falls quiet the gathering
becomes one item. Messages after that, while the conversation goes on (`conversation` after the
last message), are replies to that item; after a longer silence a new gathering starts.

A gathering is a stored value with a version, so the normaliser adding to it and the flush loop
closing it never lose a message to each other (compare-and-set on the version).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from hoiam_intake.domain.items import Earlier, feedback_text
from hoiam_shared.events import FeedbackReceived, OriginKind

LONGEST = 10
"""A gathering is published after this many windows even if the sender never stops writing."""

KEPT_REFS = 500
"""The conversation's latest message ids kept, so a redelivered message is known as seen."""

CHAT_ORIGINS = frozenset({OriginKind.ZALO_MESSAGE, OriginKind.MESSENGER})

type State = Literal["open", "closing", "published"]


class Gathering(BaseModel):
    """The messages of one conversation not yet published as an item, or the item they became.

    `closing` is the short step between the flush loop taking a gathering and the item being
    stored: a flush that crashed there finishes it on the next round."""

    model_config = ConfigDict(frozen=True)

    key: str
    state: State
    version: int
    messages: tuple[FeedbackReceived, ...] = ()
    refs: tuple[str, ...] = ()
    first_at: AwareDatetime
    last_at: AwareDatetime
    item: Earlier | None = None


def conversation_key(item: FeedbackReceived) -> str | None:
    """One sender writing to one OA or Page; None for what is not a chat message."""
    origin = item.origin
    if origin is None or origin.kind not in CHAT_ORIGINS or not origin.thread_id:
        return None
    return f"{item.channel.value}:{origin.account_id or ''}:{origin.thread_id}"


@dataclass(frozen=True, slots=True)
class Gathered:
    """The message joins the gathering (or starts one): store `gathering`."""

    gathering: Gathering


@dataclass(frozen=True, slots=True)
class Reply:
    """The conversation already made an item: the message is a reply to `onto`; then store
    `gathering` (the conversation goes on from this message)."""

    onto: Earlier
    gathering: Gathering


@dataclass(frozen=True, slots=True)
class Known:
    """This very message was seen before (a redelivery): nothing to do."""


type Step = Gathered | Reply | Known


def _ref(item: FeedbackReceived) -> str:
    return item.source_ref or str(item.item_id)


def take(
    current: Gathering | None,
    item: FeedbackReceived,
    *,
    key: str,
    conversation: timedelta,
) -> Step:
    """Where a chat message goes: into the open gathering, onto the conversation's item, or
    into a new gathering (no conversation, or a silence longer than `conversation`)."""
    at = item.received_at
    ref = _ref(item)
    if current is not None and ref in current.refs:
        return Known()
    if current is None or (current.state == "published" and at - current.last_at > conversation):
        version = current.version + 1 if current is not None else 0
        return Gathered(
            Gathering(
                key=key,
                state="open",
                version=version,
                messages=(item,),
                # Earlier messages stay known, so a late redelivery of one is not taken again.
                refs=(*(current.refs if current else ())[-KEPT_REFS:], ref),
                first_at=at,
                last_at=at,
            )
        )
    later = current.model_copy(
        update={
            "version": current.version + 1,
            "refs": (*current.refs[-KEPT_REFS:], ref),
            "last_at": max(current.last_at, at),
        }
    )
    if current.state == "open":
        return Gathered(later.model_copy(update={"messages": (*current.messages, item)}))
    onto = current.item or Earlier.of(current.messages[0])
    return Reply(onto, later)


def due(gathering: Gathering, *, now: datetime, window: timedelta) -> bool:
    """Whether the flush loop publishes it now: quiet for a window, or open too long."""
    if gathering.state == "closing":
        return True
    if gathering.state != "open":
        return False
    return now >= gathering.last_at + window or now >= gathering.first_at + LONGEST * window


def closing(gathering: Gathering) -> Gathering:
    return gathering.model_copy(update={"state": "closing", "version": gathering.version + 1})


def published(gathering: Gathering, item: Earlier) -> Gathering:
    """The conversation's item is stored: later messages are replies to it."""
    return gathering.model_copy(
        update={
            "state": "published",
            "version": gathering.version + 1,
            "messages": (),
            "item": item,
        }
    )


def one_item(gathering: Gathering, *, max_chars: int) -> FeedbackReceived:
    """The gathered messages as one item: the first message's ids and citizen, every message's
    words (in order, one per line) and attachments, and the time of the last message. The words
    are read as any item's are (`feedback_text`: old fonts repaired, cut to `max_chars`)."""
    first, *rest = gathering.messages
    if not rest:
        return first
    original = "\n".join(m.text.original for m in gathering.messages)
    text = feedback_text(original, subject=first.text.subject, max_chars=max_chars)
    last_inbound = max(
        (m.citizen.last_inbound_at for m in gathering.messages if m.citizen.last_inbound_at),
        default=first.citizen.last_inbound_at,
    )
    return first.model_copy(
        update={
            "text": text.model_copy(update={"language": first.text.language}),
            "attachments": tuple(a for m in gathering.messages for a in m.attachments),
            "citizen": first.citizen.model_copy(update={"last_inbound_at": last_inbound}),
        }
    )
