"""Events that cross service boundaries: frozen, past-tense, versioned pydantic models.

Every event carries the envelope of DESIGN.md §2. Within a schema version only additive changes
are allowed (readers ignore fields they do not know); a breaking change is a new version plus an
upcaster in `UPCASTERS`, so old records on a topic are read as the current model, never rewritten.
"""

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Base64Bytes, BaseModel, ConfigDict, Field, field_validator

from hoiam_shared.ids import new_id


def utc_now() -> datetime:
    return datetime.now(UTC)


class Channel(StrEnum):
    """Where a message came from, and so where the answer goes back."""

    EMAIL = "email"
    PHONE = "phone"
    ZALO = "zalo"
    FACEBOOK = "facebook"
    WEB = "web"
    OPEN311 = "open311"
    MEETING = "meeting"


class Status(StrEnum):
    """The status vocabulary of DESIGN.md §6."""

    RECEIVED = "received"
    ROUTED = "routed"
    TRIAGE = "triage"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    REOPENED = "reopened"


class Value(BaseModel):
    """A frozen value inside an event; unknown fields are ignored, for forward compatibility."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Event(Value):
    """The envelope every event carries."""

    type: str
    schema_version: int
    event_id: UUID = Field(default_factory=new_id)
    occurred_at: AwareDatetime = Field(default_factory=utc_now)
    correlation_id: UUID = Field(description="The feedback item's id, carried end to end.")
    causation_id: UUID | None = Field(default=None, description="The event this one answers.")

    TYPE: ClassVar[str]
    VERSION: ClassVar[int]

    @field_validator("occurred_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()


# --- values shared by several events ------------------------------------------------------------


class Sealed(Value):
    """Bytes encrypted with one data key of the vault (AES-256-GCM): which key, and the box."""

    key_id: str = Field(description="The data key in the vault; erasure deletes it.")
    box: Base64Bytes = Field(description="12-byte nonce followed by ciphertext and tag.")


class Contacts(Value):
    """How a citizen can be reached, per channel (normalised: E.164 phone, lower-case domain)."""

    email: str | None = None
    phone: str | None = None
    zalo_user_id: str | None = None
    facebook_psid: str | None = None


class Citizen(Value):
    """The person who wrote (cử tri): who they are and where the answer should go."""

    name: str | None = None
    contacts: Contacts = Contacts()
    preferred_channel: Channel
    consent: bool = False
    # Added with issue 12 (the public pages): consent is to the body seeing the contacts; this
    # one is to the petition's own words being shown on the public status page and archive.
    publication_consent: bool = Field(
        default=False, description="The citizen agrees that their text may be published."
    )
    citizen_id: str | None = Field(
        default=None, description="Intake's citizen record: one person across channels."
    )
    last_inbound_at: AwareDatetime | None = Field(
        default=None,
        description="Their last message to us on the preferred channel (Zalo/Messenger windows).",
    )
    locale: str = "vi"
    # Added with issue 12 (erasure): on Kafka, name and contacts travel encrypted with the
    # citizen's data key (hoiam_shared.vault); readers open them, or see "[đã xoá]" once erased.
    sealed: Sealed | None = Field(
        default=None,
        description="Name and contacts, encrypted with a per-citizen key that erasure destroys.",
    )


class OriginKind(StrEnum):
    """The exact place a message came from, so an answer can go back to that same place."""

    EMAIL = "email"
    CALL = "call"
    ZALO_MESSAGE = "zalo_message"
    MESSENGER = "messenger"
    FEED_COMMENT = "feed_comment"
    WEB_FORM = "web_form"
    OPEN311 = "open311"
    OPERATOR = "operator"
    MEETING = "meeting"


class Origin(Value):
    """Where to answer: the thread, post or conversation the citizen used."""

    kind: OriginKind
    account_id: str | None = Field(
        default=None, description="Which mailbox, hotline, Zalo OA or Facebook Page received it."
    )
    message_id: str | None = Field(
        default=None, description="Email Message-ID, Zalo msg_id, Messenger mid or comment id."
    )
    thread_id: str | None = Field(
        default=None, description="Facebook post id, or the first Message-ID of an email thread."
    )
    references: tuple[str, ...] = Field(
        default=(), description="Email References chain, oldest first."
    )
    meeting_id: str | None = Field(
        default=None, description="The voters' meeting (tiếp xúc cử tri) whose minutes held it."
    )
    session_id: str | None = Field(
        default=None, description="The council session (kỳ họp) that meeting was held for."
    )


class MeetingPetition(Value):
    """What the minutes of a voters' meeting say of one petition (biên bản tiếp xúc cử tri)."""

    kind: Literal["opinion", "petition"] = Field(
        description="Ý kiến (a view or concern, counted) or kiến nghị (an ask, routed)."
    )
    voters: str | None = Field(default=None, description='Who raised it: "Cử tri ấp Phú Thọ".')
    place: str | None = Field(default=None, description="The place the minutes give for it.")
    held_on: date | None = None
    answered_on_the_spot: bool = Field(
        default=False, description="A leader present answered or explained it at the meeting."
    )
    answer: str | None = Field(default=None, description="That answer, as the minutes give it.")
    level: str | None = Field(
        default=None, description="central / province / commune when the minutes group by level."
    )
    section: str | None = Field(default=None, description="The field heading it sat under.")
    position: int = Field(default=0, ge=0, description="Its order in the minutes, from 0.")
    delegates: tuple[str, ...] = Field(
        default=(), description="The delegates present at the meeting, as the minutes name them."
    )
    constituency: str | None = Field(
        default=None, description="The electoral unit (đơn vị bầu cử) the meeting was held in."
    )


class FeedbackText(Value):
    original: str
    normalised: str = Field(description="NFC-normalised, whitespace tidied.")
    subject: str | None = None
    language: str = "vi"
    # Added with issue 10 (text length capped):
    original_length: int | None = Field(
        default=None,
        description="Set when the text was cut to the length limit (both texts then end with a "
        "marker saying so): its length in characters before the cut. The raw record keeps it all.",
    )


class Location(Value):
    raw_address: str | None = Field(
        default=None, description="The address as the citizen wrote it."
    )
    province_hint: str | None = Field(
        default=None, description="Province of the receiving channel, a fallback for the router."
    )


class AreaRef(Value):
    """An administrative unit by its official code (after the 1 July 2025 reform)."""

    code: str
    name: str
    confidence: float = Field(default=1.0, ge=0, le=1)


class ResolvedLocation(Value):
    """Where the router placed an item: current units, what the address named before 2025."""

    province: AreaRef | None = None
    commune: AreaRef | None = None
    commune_candidates: tuple[AreaRef, ...] = Field(
        default=(), description="A legacy ward split among several new ones: every candidate."
    )
    legacy: str | None = Field(
        default=None, description="The pre-2025 unit the address named, as written by the reform."
    )
    confidence: float = Field(default=0.0, ge=0, le=1)


class Attachment(Value):
    """A file that came with a message: its metadata only, never its bytes (Kafka stays small)."""

    filename: str | None = None
    content_type: str
    size: int = Field(ge=0)
    # Added with issue 12 (photos on the web form): where intake keeps the bytes. Absent on
    # attachments whose bytes stay in the raw record (an email's) and on older records.
    id: str | None = Field(
        default=None,
        description="Intake's attachment store key (GET /v1/attachments/{id}, staff only).",
    )
    sha256: str | None = Field(
        default=None, description="SHA-256 of the stored bytes, lower-case hex."
    )


class Delivery(StrEnum):
    PER_ITEM = "per_item"
    DIGEST = "digest"


class BodyContact(Value):
    """One way to reach a body or councillor (FixMyStreet's `contact`)."""

    channel: Channel
    address: str
    delivery: Delivery = Field(
        default=Delivery.PER_ITEM, description="A message per item, or one daily digest."
    )


class BodyRef(Value):
    """The body (cơ quan) an item was assigned to."""

    id: str
    name: str
    level: str
    contacts: tuple[BodyContact, ...] = ()


class CouncillorRef(Value):
    """An HĐND delegate of the item's constituency."""

    id: str
    name: str
    council: str = Field(description="Which council: the province's, or a commune's.")
    constituency: str | None = None
    contacts: tuple[BodyContact, ...] = ()


class CategoryRef(Value):
    code: str
    name: str


# --- events -------------------------------------------------------------------------------------


class RawFeedbackAccepted(Event):
    """Intake accepted a payload from a channel; its bytes are kept exactly as they arrived."""

    TYPE: ClassVar[str] = "RawFeedbackAccepted"
    VERSION: ClassVar[int] = 1
    type: Literal["RawFeedbackAccepted"] = "RawFeedbackAccepted"
    schema_version: Literal[1] = 1

    item_id: UUID
    tracking_code: str
    channel: Channel
    source_ref: str | None = Field(
        default=None,
        description="Provider's id (Message-ID, call id, msg_id); with channel, the dedupe key.",
    )
    received_at: AwareDatetime
    content_type: str
    payload: Base64Bytes
    # Added with issue 12 (erasure): set when `payload` is sealed (nonce + AES-GCM ciphertext)
    # with this vault key; the bytes as they arrived are then readable only while the key lives.
    sealed_with: str | None = Field(
        default=None, description="The vault key `payload` is encrypted with, if it is."
    )


class FeedbackReceived(Event):
    """A normalised feedback item (ý kiến, kiến nghị cử tri), one per item."""

    TYPE: ClassVar[str] = "FeedbackReceived"
    VERSION: ClassVar[int] = 1
    type: Literal["FeedbackReceived"] = "FeedbackReceived"
    schema_version: Literal[1] = 1

    item_id: UUID
    tracking_code: str
    channel: Channel
    source_ref: str | None = None
    received_at: AwareDatetime
    citizen: Citizen
    text: FeedbackText
    location: Location = Location()
    attachments: tuple[Attachment, ...] = ()
    origin: Origin | None = None
    meeting: MeetingPetition | None = Field(
        default=None, description="Set for an item split out of a voters' meeting's minutes."
    )
    to_route: bool = Field(
        default=True,
        description="False: recorded and counted, not routed to a body (an opinion from a "
        "meeting); the router leaves it alone.",
    )
    duplicate_of: UUID | None = Field(
        default=None,
        description="The same citizen sent the same text before: the first item of the two.",
    )


class RepeatMatch(Value):
    """A published answer the new item repeats: same place, similar text (issue 12)."""

    item_id: UUID = Field(description="The answered item whose published answer matched.")
    tracking_code: str
    publication_id: str
    score: float = Field(ge=0, le=1, description="The measured similarity that passed the bar.")
    threshold: float = Field(ge=0, le=1, description="The bar it passed.")
    shared_terms: tuple[str, ...] = Field(
        default=(), description="The words both texts weigh most: why it matched."
    )
    place: str | None = Field(default=None, description="The commune or province both are in.")
    summary: str | None = Field(
        default=None,
        max_length=5_000,
        description="The published (masked) summary of the answered petition, for the operator.",
    )


class FeedbackRouted(Event):
    """The router decided who is responsible for an item, or sent it to triage for a human."""

    TYPE: ClassVar[str] = "FeedbackRouted"
    VERSION: ClassVar[int] = 1
    type: Literal["FeedbackRouted"] = "FeedbackRouted"
    schema_version: Literal[1] = 1

    item_id: UUID
    tracking_code: str
    status: Literal[Status.ROUTED, Status.TRIAGE]
    category: CategoryRef
    body: BodyRef | None = Field(default=None, description="None only when status is triage.")
    confidence: float = Field(ge=0, le=1)
    reasons: tuple[str, ...] = Field(description="Why: the words, places and rules that decided.")
    due_on: date | None = None
    # Carried so the notifier can answer the citizen without reading another service's store.
    channel: Channel
    source_ref: str | None = None
    citizen: Citizen
    subject: str | None = None
    text: str
    origin: Origin | None = None
    received_at: AwareDatetime | None = None
    # Added with the router issue; every field optional so v1 records stay readable.
    case_id: UUID | None = Field(default=None, description="The case grouping the same matter.")
    location: ResolvedLocation | None = None
    scope: str | None = Field(default=None, description="e.g. national_highway, hamlet_lane.")
    level: str | None = Field(default=None, description="Level of competence that decided.")
    councillors: tuple[CouncillorRef, ...] = ()
    candidates: tuple[BodyRef, ...] = Field(
        default=(), description="For triage: the best bodies the router could think of."
    )
    # Added with issue 13: voters at a meeting left no contact of their own.
    front: BodyRef | None = Field(
        default=None,
        description="For a voters' meeting's item: the commune's Front committee (Ủy ban MTTQ "
        "xã), told of its routing and its answer on behalf of the voters, beside `councillors`.",
    )
    # Added for issue 10: a reassignment or triage decision is announced once.
    announced_by: UUID | None = Field(
        default=None,
        description="Set when this routing is a reassignment or a triage decision: the "
        "StatusChanged that told the citizens and the new body of it, so it is not told again.",
    )
    # Added with issue 10 (conversations): why an item waits in triage, as a code.
    repeat_of: RepeatMatch | None = Field(
        default=None,
        description="A published answer this item repeats: the citizen is pointed to it and "
        "the operator can link the item to that case.",
    )
    triage_reason: str | None = Field(
        default=None,
        description="commune_unknown: a commune's matter from an unknown commune (the citizen "
        "is asked for it); None for low confidence or no competent body.",
    )


class StatusChange(StrEnum):
    """What kind of change a `StatusChanged` reports, beside the status itself."""

    TRANSITION = "transition"
    REASSIGNED = "reassigned"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    # Added for issue 10 (cases move as one): operators merged or split cases.
    MERGED = "merged"
    SPLIT = "split"
    # Added for issue 13: the HĐND or the Front found the answer unsatisfactory and put it on
    # the agenda of a session's questioning (chất vấn); the item's status does not change.
    QUESTIONED = "questioned"


class StatusChanged(Event):
    """An item moved in its life cycle (acknowledged, answered, resolved, rejected...)."""

    TYPE: ClassVar[str] = "StatusChanged"
    VERSION: ClassVar[int] = 1
    type: Literal["StatusChanged"] = "StatusChanged"
    schema_version: Literal[1] = 1

    item_id: UUID
    tracking_code: str
    status: Status
    reason: str | None = None
    answer: str | None = None
    actor: str | None = None
    # Added with the router issue; every field optional so v1 records stay readable.
    change: StatusChange = StatusChange.TRANSITION
    previous_status: Status | None = None
    reason_code: str | None = Field(
        default=None,
        description="not_competent, duplicate, no_further_action, internal_referral; "
        "sent_back (an unsatisfactory answer sent back to the body), questioning.",
    )
    case_id: UUID | None = None
    case_item_ids: tuple[UUID, ...] = Field(
        default=(), description="Every item of the case: each petitioner is told."
    )
    body: BodyRef | None = Field(default=None, description="The body responsible now.")
    escalated_to: BodyRef | None = Field(default=None, description="The parent told of it.")
    due_on: date | None = None
    session_id: str | None = Field(
        default=None,
        description="For `questioned`: the council session at which the answer is questioned.",
    )


class RecipientKind(StrEnum):
    BODY = "body"
    COUNCILLOR = "councillor"
    CITIZEN = "citizen"


class NotificationSent(Event):
    """A message reached a provider that accepted it (SMTP 250, Zalo/Meta message id)."""

    TYPE: ClassVar[str] = "NotificationSent"
    VERSION: ClassVar[int] = 1
    type: Literal["NotificationSent"] = "NotificationSent"
    schema_version: Literal[1] = 1

    item_id: UUID
    tracking_code: str
    delivery_id: str
    recipient_kind: RecipientKind
    channel: Channel
    provider_message_id: str | None = None
    attempts: int = Field(ge=1)
    fallback_from: Channel | None = Field(
        default=None, description="The channel tried first, when this one was a fallback."
    )


class NotificationFailed(Event):
    """A message could not be delivered after its retries; the provider's answer is kept."""

    TYPE: ClassVar[str] = "NotificationFailed"
    VERSION: ClassVar[int] = 1
    type: Literal["NotificationFailed"] = "NotificationFailed"
    schema_version: Literal[1] = 1

    item_id: UUID
    tracking_code: str
    delivery_id: str
    recipient_kind: RecipientKind
    channel: Channel
    error: str
    attempts: int = Field(ge=1)
    provider_answer: str | None = Field(default=None, description="The provider's reply, verbatim.")


class FeedbackMessageAdded(Event):
    """A later message on an existing item: a reply, or an edit or removal of the original."""

    TYPE: ClassVar[str] = "FeedbackMessageAdded"
    VERSION: ClassVar[int] = 1
    type: Literal["FeedbackMessageAdded"] = "FeedbackMessageAdded"
    schema_version: Literal[1] = 1

    item_id: UUID
    tracking_code: str
    channel: Channel
    source_ref: str | None = None
    # "resent" (issue 10, conversations): the same citizen sent the same matter again; the item
    # it repeats is `item_id`, and the citizen is told where that item stands.
    kind: Literal["reply", "edit", "remove", "resent"]
    received_at: AwareDatetime
    citizen: Citizen | None = None
    text: FeedbackText | None = None
    origin: Origin | None = None
    attachments: tuple[Attachment, ...] = ()


class NoteKind(StrEnum):
    """What a note between levels of the Front is."""

    FORWARD = "forward"  # a commune's Front sends the item up to its province's, with a note
    INSTRUCTION = "instruction"  # the province's Front tells a commune's what to do
    QUESTION = "question"  # the province's Front asks a commune's
    NOTE = "note"  # for the item's history, to nobody in particular


class FrontLevel(StrEnum):
    COMMUNE = "commune"
    PROVINCE = "province"


class NoteAdded(Event):
    """A level of the Front wrote on an item: in its history, for the console to show."""

    TYPE: ClassVar[str] = "NoteAdded"
    VERSION: ClassVar[int] = 1
    type: Literal["NoteAdded"] = "NoteAdded"
    schema_version: Literal[1] = 1

    item_id: UUID
    tracking_code: str
    kind: NoteKind
    text: str = Field(min_length=1, max_length=5_000)
    actor: str = Field(description="The verified person (role:username), or the machine.")
    from_level: FrontLevel
    to_level: FrontLevel | None = Field(
        default=None, description="Where it goes: up for a forward, down for an instruction."
    )
    province_code: str | None = Field(default=None, description="The item's province.")
    commune_code: str | None = Field(default=None, description="The item's commune.")


class ContactReachabilityChanged(Event):
    """A channel can or can no longer reach a citizen (followed, unfollowed, bounced, opted out)."""

    TYPE: ClassVar[str] = "ContactReachabilityChanged"
    VERSION: ClassVar[int] = 1
    type: Literal["ContactReachabilityChanged"] = "ContactReachabilityChanged"
    schema_version: Literal[1] = 1

    citizen_id: str | None = None
    channel: Channel
    address: str = Field(description="Zalo user id, Facebook PSID, email or E.164 phone.")
    reachable: bool
    reason: str = Field(description="followed, unfollowed, bounced, blocked, opted_out, opted_in.")
    changed_at: AwareDatetime
    # Added with issue 12 (erasure): `address` then reads "[sealed]" and is in here.
    sealed: Sealed | None = Field(
        default=None, description="The address, encrypted with the citizen's data key."
    )


class OperatorTaskOpened(Event):
    """Work only a person can do: call a citizen back, or reach one no channel reaches."""

    TYPE: ClassVar[str] = "OperatorTaskOpened"
    VERSION: ClassVar[int] = 1
    type: Literal["OperatorTaskOpened"] = "OperatorTaskOpened"
    schema_version: Literal[1] = 1

    task_id: str = Field(description="Deterministic, so a redelivered cause opens one task.")
    # "delivery_outcome_unknown" added with issue 10 (before, such tasks were "other" with that
    # reason; readers map those to the new kind).
    kind: Literal["call_back", "unreachable_citizen", "other", "delivery_outcome_unknown"]
    item_id: UUID | None = None
    tracking_code: str | None = None
    name: str | None = None
    phone: str | None = None
    reason: str
    details: str | None = None
    opened_at: AwareDatetime
    # Added with issue 12 (erasure): name and phone (then None here) encrypted.
    sealed: Sealed | None = Field(
        default=None, description="Name and phone, encrypted with the citizen's data key."
    )


class ItemRated(Event):
    """A citizen rated the answer to their resolved item (1 to 5, and why), on the public page."""

    TYPE: ClassVar[str] = "ItemRated"
    VERSION: ClassVar[int] = 1
    type: Literal["ItemRated"] = "ItemRated"
    schema_version: Literal[1] = 1

    item_id: UUID
    tracking_code: str
    score: int = Field(ge=1, le=5)
    reason: str | None = Field(default=None, max_length=2000)
    body_id: str | None = Field(default=None, description="The body whose answer was rated.")
    body_name: str | None = None
    rated_at: AwareDatetime


class AnswerPublished(Event):
    """An operator approved an answered item for the public archive (or withdrew it).

    Only masked text travels here: phones, emails and names the petition carried are replaced
    before an operator sees the draft, and the raw text only when the citizen consented.
    """

    TYPE: ClassVar[str] = "AnswerPublished"
    VERSION: ClassVar[int] = 1
    type: Literal["AnswerPublished"] = "AnswerPublished"
    schema_version: Literal[1] = 1

    publication_id: str = Field(description="Stable per item: a re-approval replaces the entry.")
    item_id: UUID
    tracking_code: str
    summary: str = Field(min_length=1, max_length=5_000, description="The public, masked text.")
    answer: str = Field(min_length=1, max_length=20_000, description="The masked answer.")
    body_id: str | None = None
    body_name: str | None = None
    category_code: str | None = None
    category_name: str | None = None
    province_code: str | None = None
    province_name: str | None = None
    commune_code: str | None = None
    commune_name: str | None = None
    session_id: str | None = Field(default=None, description="The council session, if any.")
    answered_on: date | None = None
    approved_by: str = Field(description="The operator (role:username) who approved it.")
    withdrawn: bool = Field(default=False, description="True: take the entry out of the archive.")
    published_at: AwareDatetime


class CitizenErased(Event):
    """An operator erased a citizen on their verified request (PDPL 2025): every service removes
    or masks that person's name and contacts; petitions, routes and answers stay, anonymous.

    Carries no personal data: each service finds the person in its own store by `citizen_id`.
    """

    TYPE: ClassVar[str] = "CitizenErased"
    VERSION: ClassVar[int] = 1
    type: Literal["CitizenErased"] = "CitizenErased"
    schema_version: Literal[1] = 1

    citizen_id: str = Field(min_length=1, description="Intake's citizen record.")
    verified_by: str = Field(
        min_length=1, max_length=2_000, description="How the citizen's request was verified."
    )
    request_ref: str | None = Field(
        default=None, max_length=200, description="The request's reference (letter, form no.)."
    )
    actor: str = Field(description="The operator (role:username) who erased.")
    erased_at: AwareDatetime


class DeadLetterRecorded(Event):
    """A record that could not be processed, with its original bytes and the cause."""

    TYPE: ClassVar[str] = "DeadLetterRecorded"
    VERSION: ClassVar[int] = 1
    type: Literal["DeadLetterRecorded"] = "DeadLetterRecorded"
    schema_version: Literal[1] = 1

    service: str
    source_topic: str
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    value: Base64Bytes
    error_type: str
    error: str
    # Added with issue 10 (records too large for Kafka):
    value_truncated: bool = Field(
        default=False,
        description="The record was too large for its letter: `value` is its start only; the "
        "whole record is at source_topic/partition/offset while retention keeps it.",
    )
    value_size: int | None = Field(default=None, description="Bytes of the whole record.")


EVENT_TYPES: dict[str, type[Event]] = {
    cls.TYPE: cls
    for cls in (
        RawFeedbackAccepted,
        FeedbackReceived,
        FeedbackRouted,
        StatusChanged,
        NotificationSent,
        NotificationFailed,
        DeadLetterRecorded,
        FeedbackMessageAdded,
        ContactReachabilityChanged,
        OperatorTaskOpened,
        ItemRated,
        NoteAdded,
        AnswerPublished,
        CitizenErased,
    )
}

# (type, version it reads) -> function turning that version's dict into the next version's dict.
type Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


class UnknownEventError(ValueError):
    """The bytes are JSON but not an event type or version this code can read."""


def decode_event[E: Event](expected: type[E], raw: bytes | str) -> E:
    """Parse and validate one event, upcasting older schema versions to the current one.

    Raises `ValueError` (pydantic's `ValidationError` is one) for anything that is not a valid
    `expected` event; callers send such records to the dead-letter topic.
    """
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise UnknownEventError(f"expected a JSON object, got {type(data).__name__}")
    kind = data.get("type")
    if kind != expected.TYPE:
        raise UnknownEventError(f"expected event type {expected.TYPE!r}, got {kind!r}")
    version = data.get("schema_version")
    while isinstance(version, int) and version < expected.VERSION:
        upcast = UPCASTERS.get((expected.TYPE, version))
        if upcast is None:
            raise UnknownEventError(f"no upcaster for {expected.TYPE} v{version}")
        data = upcast(data)
        version = data.get("schema_version")
    if version != expected.VERSION:
        raise UnknownEventError(
            f"{expected.TYPE} schema_version {version!r} is not readable here "
            f"(this reader knows v{expected.VERSION})"
        )
    return expected.model_validate(data)
