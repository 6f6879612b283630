"""What one message is: the ways to reach someone, a notification, and its delivery ids."""

import hashlib
import re
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from hoiam_shared.events import Channel, RecipientKind


class Way(StrEnum):
    """A concrete sending method; several ways share one `Channel` (Zalo CS and ZNS are Zalo)."""

    EMAIL = "email"
    ZALO_CS = "zalo_cs"  # consultation message to a Zalo user id, inside the 48 h window
    ZALO_ZNS = "zalo_zns"  # ZNS template message to a phone number, any time
    MESSENGER = "messenger"  # Send API to a page-scoped id (RESPONSE or HUMAN_AGENT tag)
    FB_COMMENT = "fb_comment"  # a reply under the citizen's comment on the Page's post
    SMS = "sms"
    CALL_BACK = "call_back"  # a person calls: an operator task, not a provider

    @property
    def channel(self) -> Channel:
        return _WAY_CHANNEL[self]


_WAY_CHANNEL = {
    Way.EMAIL: Channel.EMAIL,
    Way.ZALO_CS: Channel.ZALO,
    Way.ZALO_ZNS: Channel.ZALO,
    Way.MESSENGER: Channel.FACEBOOK,
    Way.FB_COMMENT: Channel.FACEBOOK,
    Way.SMS: Channel.PHONE,
    Way.CALL_BACK: Channel.PHONE,
}

HUMAN_AGENT = "HUMAN_AGENT"


class Target(BaseModel):
    """One address on one way; `tag` is Messenger's message tag, `reply_to` a comment id."""

    model_config = ConfigDict(frozen=True)

    way: Way
    address: str
    tag: str | None = None
    reply_to: str | None = None


class RatingButton(BaseModel):
    """One score a citizen can tap under the resolution message, and the page it opens."""

    model_config = ConfigDict(frozen=True)

    score: int
    title: str
    url: str


class RatingInvite(BaseModel):
    """The rating offered with a resolution: the rating page, and one button per score (Zalo
    shows the five; Messenger, limited to three buttons, one that opens the page)."""

    model_config = ConfigDict(frozen=True)

    page_url: str
    title: str
    buttons: tuple[RatingButton, ...]


class Notification(BaseModel):
    """One message to one recipient, with the targets to try in order (first that works wins).

    `recipient` names the person (a body contact, a councillor contact, or the petitioner of one
    item), so each gets one message per event whatever way finally carries it.
    """

    model_config = ConfigDict(frozen=True)

    event_id: UUID
    item_id: UUID
    tracking_code: str
    recipient_kind: RecipientKind
    recipient: str
    subject: str
    text: str
    html: str
    short_text: str
    template_data: dict[str, str] = {}
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    targets: tuple[Target, ...] = ()
    urgent: bool = False
    digest: bool = False
    unreachable_reason: str | None = None
    task_kind: str = "unreachable_citizen"  # the operator task opened when no target is left
    body_name: str | None = None
    rating: RatingInvite | None = None

    def delivery_id(self, target: Target) -> str:
        return delivery_id(event_id=self.event_id, recipient=self.recipient, target=target)


def delivery_id(*, event_id: UUID, recipient: str, target: Target) -> str:
    """Deterministic per (event, recipient, way, address): a redelivered event finds its record."""
    raw = f"{event_id}|{recipient}|{target.way.value}|{target.address}"
    return f"{event_id}.{hashlib.sha256(raw.encode()).hexdigest()[:16]}"


def message_id(delivery: str, mail_domain: str) -> str:
    # The same delivery always carries the same Message-ID, so a resend after a crash is one
    # message to the recipient's mail client, not two.
    return f"<{delivery}@{mail_domain}>"


_MSG_ID = re.compile(r"<?([^<>\s@]+@[^<>\s@]+)>?")


def msg_id(value: str | None) -> str | None:
    """`value` as an RFC 5322 msg-id (``<left@right>``), or None when it cannot be one.

    Intake keeps Message-IDs without their angle brackets; a header needs them, or strict mail
    clients do not thread the answer under the citizen's message.
    """
    if not value:
        return None
    found = _MSG_ID.fullmatch(value.strip())
    return f"<{found.group(1)}>" if found else None
