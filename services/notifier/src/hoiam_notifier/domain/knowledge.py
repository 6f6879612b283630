"""What the notifier knows about an item and a person, and the rules it is configured with."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hoiam_shared.events import (
    BodyRef,
    Channel,
    Citizen,
    CouncillorRef,
    FeedbackRouted,
    Origin,
    Status,
    StatusChange,
    StatusChanged,
)

ROUTING_FIELDS = frozenset({"body", "category", "case_id", "routed_at"})
"""What a later routing of an item changes in the notifier's record of it (`ItemRecord`)."""


class ItemRecord(BaseModel):
    """What a later status change needs to answer the petitioner of one item."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    item_id: UUID
    tracking_code: str
    case_id: UUID | None = None
    channel: Channel
    citizen: Citizen
    origin: Origin | None = None
    source_ref: str | None = None
    subject: str | None = None
    text: str | None = None  # what a body given the item later is sent (None: stored before)
    category: str | None = None
    body: BodyRef | None = None
    received_at: AwareDatetime | None = None
    # Where the item stands: each field has one writer, so two events cannot leave them at odds.
    # `body` (with `category`, `case_id`) is the latest routing's, kept by `routed_at`; `status`
    # moves with each status change (`status_after`). Who has the item now is `holder`.
    status: Status | None = None
    routed_at: AwareDatetime | None = Field(
        default=None, description="When the routing this record holds was decided."
    )
    # A voters' meeting's item: who is told in the voters' place (they left no contact).
    front: BodyRef | None = None
    councillors: tuple[CouncillorRef, ...] = ()

    @property
    def spoken_for(self) -> bool:
        """Voters at a meeting, without a contact of their own: their Front and delegates are
        told what they would be told. Anyone with a contact is told themselves."""
        contacts = self.citizen.contacts
        own = contacts.email or contacts.phone or contacts.zalo_user_id or contacts.facebook_psid
        return self.channel is Channel.MEETING and not own and bool(self.front or self.councillors)

    @property
    def holder(self) -> BodyRef | None:
        """The body that has the item now: none while it waits in triage (handed back, or not
        yet decided), whatever body it had before."""
        return None if self.status is Status.TRIAGE else self.body

    def routed_again(self, later: "ItemRecord") -> bool:
        """Whether `later` is a newer routing of this item (a triage decision, a reassignment),
        whose body now has the item; a redelivered older routing is not."""
        if later.routed_at is None:
            return False
        return self.routed_at is None or later.routed_at > self.routed_at


def status_after(event: StatusChanged, record: ItemRecord) -> Status | None:
    """Where `record`'s item stands after `event`, which names it (its own item or one of its
    case), as the router moves a case: every member to the new status on a transition, to
    triage on a hand-back, a triaged member to `routed` when the case is given to a body (one
    being worked on keeps its status), nobody else's on an overdue notice, an escalation or a
    split. A merge's joining items take the case's status, but the event does not say which
    joined, so they keep theirs here until the case's next move."""
    if record.item_id == event.item_id or event.change is StatusChange.TRANSITION:
        return event.status
    if event.change is StatusChange.REASSIGNED:
        if event.status is Status.TRIAGE:
            return Status.TRIAGE
        if record.status is Status.TRIAGE:
            return Status.ROUTED
    return record.status


def item_record(routed: FeedbackRouted) -> ItemRecord:
    return ItemRecord(
        item_id=routed.item_id,
        tracking_code=routed.tracking_code,
        case_id=routed.case_id,
        channel=routed.channel,
        citizen=routed.citizen,
        origin=routed.origin,
        source_ref=routed.source_ref,
        subject=routed.subject,
        text=routed.text,
        category=routed.category.name,
        body=routed.body,
        received_at=routed.received_at,
        routed_at=routed.occurred_at,
        status=routed.status,
        front=routed.front,
        councillors=routed.councillors,
    )


@dataclass(frozen=True, slots=True)
class Reachability:
    """What we learnt about a citizen's contacts: who cannot be reached, when they last wrote."""

    blocked: frozenset[tuple[Channel, str]] = frozenset()
    last_inbound: dict[tuple[Channel, str], datetime] = field(default_factory=dict)

    def reachable(self, channel: Channel, address: str) -> bool:
        return (channel, address) not in self.blocked

    def inbound(self, channel: Channel, address: str, fallback: datetime | None) -> datetime | None:
        known = [t for t in (self.last_inbound.get((channel, address)), fallback) if t is not None]
        return max(known) if known else None


@dataclass(frozen=True, slots=True)
class ContactFact:
    """One thing learnt about a contact: reachable or not (with why), or a message from them."""

    key: str  # unique per fact (event id), so a redelivered event adds nothing
    channel: Channel
    address: str
    at: datetime
    reachable: bool | None = None  # None: an inbound message, not a reachability change
    reason: str | None = None


def fold(facts: list[ContactFact]) -> Reachability:
    """The latest reachability per contact, and the latest inbound message time."""
    blocked: set[tuple[Channel, str]] = set()
    inbound: dict[tuple[Channel, str], datetime] = {}
    for fact in sorted(facts, key=lambda f: f.at):
        contact = (fact.channel, fact.address)
        if fact.reachable is None:
            inbound[contact] = max(fact.at, inbound.get(contact, fact.at))
        elif fact.reachable:
            blocked.discard(contact)
        else:
            blocked.add(contact)
    return Reachability(blocked=frozenset(blocked), last_inbound=inbound)


@dataclass(frozen=True, slots=True)
class Policy:
    """Provider windows, what is configured, and quiet hours; all times are aware."""

    zalo_window: timedelta = timedelta(hours=48)
    messenger_window: timedelta = timedelta(hours=24)
    human_agent_window: timedelta = timedelta(days=7)
    zns_enabled: bool = True
    sms_enabled: bool = True
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)
    digest_hour: int = 17


@dataclass(frozen=True, slots=True)
class Links:
    """Where messages may point: a base URL left unset means that site does not exist yet, and a
    message names the tracking code instead of printing a link that would 404."""

    console_url: str | None
    public_url: str | None

    def status_page(self, tracking_code: str) -> str | None:
        return f"{self.public_url}/t/{tracking_code}" if self.public_url else None

    def answer_page(self, publication_id: str) -> str | None:
        """A published answer in the public archive (issue 12)."""
        return f"{self.public_url}/answers/{publication_id}" if self.public_url else None

    def rating_page(self, tracking_code: str, score: int | None = None) -> str | None:
        """The status page's rating form; with `score`, that score is already chosen."""
        if not self.public_url:
            return None
        chosen = f"?score={score}" if score is not None else ""
        return f"{self.public_url}/t/{tracking_code}{chosen}#rate"

    def inbox(self, item_id: UUID | None = None) -> str | None:
        if not self.console_url:
            return None
        return f"{self.console_url}/inbox/{item_id}" if item_id else f"{self.console_url}/inbox"
