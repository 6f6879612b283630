"""Pure notification rules: who is told what, on which channel and when, and what errors mean.

Nothing here does I/O: the handlers load what the notifier knows (items, reachability, last
inbound times), call these functions with the current time, and carry out the plan.
"""

import hashlib
import html
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict

from hoiam_shared.events import (
    BodyContact,
    BodyRef,
    Channel,
    Citizen,
    FeedbackRouted,
    Origin,
    OriginKind,
    RecipientKind,
    Status,
    StatusChange,
    StatusChanged,
)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


# --- ways to reach someone ----------------------------------------------------------------------


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
    body_name: str | None = None

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


# --- what the notifier knows about an item and a person -----------------------------------------


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
    category: str | None = None
    body: BodyRef | None = None
    received_at: AwareDatetime | None = None


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
        category=routed.category.name,
        body=routed.body,
        received_at=routed.received_at,
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
    console_url: str
    public_url: str

    def status_page(self, tracking_code: str) -> str:
        return f"{self.public_url}/t/{tracking_code}"


# --- choosing the way to a citizen --------------------------------------------------------------

_ORIGIN_CHANNEL = {
    OriginKind.EMAIL: Channel.EMAIL,
    OriginKind.CALL: Channel.PHONE,
    OriginKind.ZALO_MESSAGE: Channel.ZALO,
    OriginKind.MESSENGER: Channel.FACEBOOK,
    OriginKind.FEED_COMMENT: Channel.FACEBOOK,
    OriginKind.WEB_FORM: Channel.WEB,
    OriginKind.OPEN311: Channel.OPEN311,
    OriginKind.OPERATOR: Channel.PHONE,
}


def _ways_for(
    channel: Channel,
    record: ItemRecord,
    reach: Reachability,
    *,
    at: datetime,
    policy: Policy,
) -> list[Target]:
    """The targets one channel offers for this citizen at send time `at` (maybe none)."""
    contacts = record.citizen.contacts
    origin = record.origin
    fallback_inbound = record.citizen.last_inbound_at or record.received_at
    found: list[Target] = []
    match channel:
        case Channel.EMAIL | Channel.WEB | Channel.OPEN311:
            if contacts.email:
                found.append(Target(way=Way.EMAIL, address=contacts.email))
        case Channel.ZALO:
            if contacts.zalo_user_id:
                last = reach.inbound(Channel.ZALO, contacts.zalo_user_id, fallback_inbound)
                if last is not None and at - last <= policy.zalo_window:
                    found.append(Target(way=Way.ZALO_CS, address=contacts.zalo_user_id))
            if contacts.phone and policy.zns_enabled:
                found.append(Target(way=Way.ZALO_ZNS, address=contacts.phone))
        case Channel.FACEBOOK:
            if origin and origin.kind is OriginKind.FEED_COMMENT and origin.message_id:
                # Answer where they asked, in public under their comment (no personal data).
                found.append(
                    Target(
                        way=Way.FB_COMMENT, address=origin.message_id, reply_to=origin.message_id
                    )
                )
            if contacts.facebook_psid:
                last = reach.inbound(Channel.FACEBOOK, contacts.facebook_psid, fallback_inbound)
                if last is not None and at - last <= policy.messenger_window:
                    found.append(Target(way=Way.MESSENGER, address=contacts.facebook_psid))
                elif last is not None and at - last <= policy.human_agent_window:
                    found.append(
                        Target(way=Way.MESSENGER, address=contacts.facebook_psid, tag=HUMAN_AGENT)
                    )
        case Channel.PHONE:
            if contacts.phone:
                called = origin is not None and origin.kind in (
                    OriginKind.CALL,
                    OriginKind.OPERATOR,
                )
                if policy.sms_enabled and not called:
                    found.append(Target(way=Way.SMS, address=contacts.phone))
                # Hotline callers are called back: many are elderly, and SMS is not what they used.
                found.append(Target(way=Way.CALL_BACK, address=contacts.phone))
        case Channel.MEETING:
            pass
    return [t for t in found if reach.reachable(t.way.channel, t.address)]


FALLBACK_ORDER = (Channel.EMAIL, Channel.ZALO, Channel.FACEBOOK, Channel.PHONE)


def citizen_targets(
    record: ItemRecord, reach: Reachability, *, at: datetime, policy: Policy
) -> tuple[Target, ...]:
    """The ways to try, in order: the chosen channel, the one they came from, then every other.

    `CALL_BACK` (an operator task) is last among phone ways, so a person calls only when nothing
    automatic can reach the citizen. An empty result means: nobody can be reached, open a task.
    """
    citizen = record.citizen
    origin_channel = _ORIGIN_CHANNEL[record.origin.kind] if record.origin else record.channel
    order: list[Channel] = [citizen.preferred_channel, origin_channel, *FALLBACK_ORDER]
    targets: list[Target] = []
    for channel in dict.fromkeys(order):
        for target in _ways_for(channel, record, reach, at=at, policy=policy):
            if target not in targets:
                targets.append(target)
    # A call-back ends the list: once a person has the task, trying more machines is noise.
    for i, target in enumerate(targets):
        if target.way is Way.CALL_BACK:
            return tuple(targets[: i + 1])
    return tuple(targets)


def body_target(contact: BodyContact) -> Target | None:
    match contact.channel:
        case Channel.EMAIL:
            return Target(way=Way.EMAIL, address=contact.address)
        case Channel.ZALO:
            return Target(way=Way.ZALO_CS, address=contact.address)
        case Channel.PHONE:
            return Target(way=Way.SMS, address=contact.address)
        case _:
            return None


# --- quiet hours --------------------------------------------------------------------------------

QUIET_WAYS = frozenset({Way.SMS, Way.ZALO_CS, Way.ZALO_ZNS})


def quiet_until(way: Way, at: datetime, *, urgent: bool, policy: Policy) -> datetime | None:
    """When a non-urgent SMS or Zalo message falling in quiet hours (local time) may go out."""
    if urgent or way not in QUIET_WAYS or policy.quiet_start == policy.quiet_end:
        return None  # equal start and end: no quiet hours
    local = at.astimezone(VIETNAM)
    clock = local.time()
    if policy.quiet_start <= clock or clock < policy.quiet_end:
        day = local.date() if clock < policy.quiet_end else local.date() + timedelta(days=1)
        return datetime.combine(day, policy.quiet_end, tzinfo=VIETNAM).astimezone(UTC)
    return None


def digest_due(day: date, policy: Policy) -> datetime:
    """The moment a day's digest goes out (local `digest_hour`)."""
    return datetime.combine(day, time(policy.digest_hour), tzinfo=VIETNAM).astimezone(UTC)


def local_day(at: datetime) -> date:
    return at.astimezone(VIETNAM).date()


# --- provider errors ----------------------------------------------------------------------------


class ErrorKind(StrEnum):
    RETRY = "retry"  # timeouts, 5xx, rate limits: the same request later may succeed
    FALLBACK = "fallback"  # this way cannot reach the person now (window, blocked): try the next
    FAIL = "fail"  # the address is wrong: tell someone; the next contact may still work
    REFRESH = "refresh"  # the access token expired: refresh it and try again at once


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: ErrorKind
    reason: str


def classify_http_status(status: int) -> ErrorKind | None:
    """What a bare HTTP status says, when the body does not say more."""
    if status == 429 or status == 408 or status >= 500:
        return ErrorKind.RETRY
    if status >= 400:
        return ErrorKind.FAIL
    return None


# Zalo OA and ZNS answer HTTP 200 with {"error": <negative code>, "message": ...}.
_ZALO_CODES: dict[int, Verdict] = {
    -216: Verdict(ErrorKind.REFRESH, "access token invalid"),
    -124: Verdict(ErrorKind.REFRESH, "access token expired"),
    -32: Verdict(ErrorKind.RETRY, "rate limit exceeded"),
    -100: Verdict(ErrorKind.RETRY, "unknown provider error"),
    -213: Verdict(ErrorKind.FALLBACK, "user has not followed the OA (or unfollowed it)"),
    -217: Verdict(ErrorKind.FALLBACK, "user blocked messages from the OA"),
    -230: Verdict(ErrorKind.FALLBACK, "user has not interacted with the OA recently"),
    -232: Verdict(ErrorKind.FALLBACK, "consultation window closed"),
    -118: Verdict(ErrorKind.FALLBACK, "no active Zalo account for this phone number"),
    -119: Verdict(ErrorKind.FALLBACK, "Zalo account cannot receive ZNS"),
    -201: Verdict(ErrorKind.FAIL, "invalid parameter"),
    -108: Verdict(ErrorKind.FAIL, "phone number invalid"),
    -109: Verdict(ErrorKind.FAIL, "template id invalid"),
    -211: Verdict(ErrorKind.RETRY, "out of quota"),
}


def classify_zalo(code: int) -> Verdict:
    return _ZALO_CODES.get(code, Verdict(ErrorKind.FAIL, f"zalo error {code}"))


def classify_meta(code: int, subcode: int | None) -> Verdict:
    """Graph API errors of the Send and comment APIs (Messenger Platform error codes)."""
    if code == 10 and subcode == 2018278:
        return Verdict(ErrorKind.FALLBACK, "message sent outside the allowed window")
    if code == 551 or (code == 10 and subcode == 2018108):
        return Verdict(ErrorKind.FALLBACK, "this person isn't available right now")
    if code == 200 and subcode in (1545041, 2018109):
        return Verdict(ErrorKind.FALLBACK, "recipient cannot be messaged")
    if code in (4, 17, 32, 613) or code == 1200 or (code == 2):
        return Verdict(ErrorKind.RETRY, "rate limited or temporarily unavailable")
    if code == 190:
        return Verdict(ErrorKind.FAIL, "page access token invalid: renew it in settings")
    if code == 100:
        return Verdict(ErrorKind.FAIL, "invalid recipient or parameter")
    return Verdict(ErrorKind.FAIL, f"graph api error {code}/{subcode}")


def classify_smtp(code: int) -> Verdict:
    if code >= 500:
        return Verdict(ErrorKind.FAIL, "mailbox refused the message")
    return Verdict(ErrorKind.RETRY, "mail server asked to try later")


def retry_delay(attempt: int, *, backoff: float, retry_after: float | None, cap: float) -> float:
    """Exponential backoff from `backoff`, but never sooner than the provider's Retry-After."""
    delay: float = backoff * float(2 ** (attempt - 1))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, cap)


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Retry-After as seconds (RFC 9110 allows delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        seconds = float(value)
        return max(0.0, seconds)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


# --- texts --------------------------------------------------------------------------------------

SIGNATURE_VI = "Hồi Âm — Mặt trận Tổ quốc và Hội đồng nhân dân lắng nghe cử tri"
SIGNATURE_EN = (
    "Hồi Âm — listening to voters on behalf of the Fatherland Front and People's Councils"
)

_REASONS_VI = {
    "not_competent": "không thuộc thẩm quyền giải quyết của cơ quan",
    "duplicate": "trùng với ý kiến đã được tiếp nhận trước đó",
    "no_further_action": "không có cơ sở để xử lý thêm",
    "internal_referral": "đã được chuyển xử lý nội bộ",
}
_REASONS_EN = {
    "not_competent": "it is outside the body's competence",
    "duplicate": "it duplicates feedback received earlier",
    "no_further_action": "there are no grounds for further action",
    "internal_referral": "it was referred internally",
}


def _as_html(text: str) -> str:
    paragraphs = (html.escape(p).replace("\n", "<br>") for p in text.split("\n\n"))
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _date(day: date | None, english: bool = False) -> str:
    if day is None:
        return "not set yet" if english else "chưa xác định"
    return day.strftime("%d/%m/%Y")


def _english(citizen: Citizen) -> bool:
    return citizen.locale.lower().startswith("en")


@dataclass(frozen=True, slots=True)
class Text:
    subject: str
    body: str
    short: str


def _status_news(event: StatusChanged, *, english: bool, known: BodyRef | None = None) -> str:
    """What happened, in one or two sentences; `known` is the body the item was routed to, for
    events that do not name one."""
    responsible = event.body or known
    body = responsible.name if responsible else None
    reason = _REASONS_EN if english else _REASONS_VI
    why = reason.get(event.reason_code or "", event.reason_code or "")
    if english:
        if event.change is StatusChange.ESCALATED:
            return (
                "Your feedback was not answered in time and has been escalated to "
                f"{event.escalated_to.name if event.escalated_to else 'the supervising body'}."
            )
        if event.change is StatusChange.REASSIGNED:
            return f"Your feedback has been passed to {body or 'another body'}, which will answer."
        news = {
            Status.ROUTED: f"Your feedback has been sent to {body or 'the responsible body'}.",
            Status.TRIAGE: "Your feedback was received; staff are finding the responsible body.",
            Status.RECEIVED: "Your feedback was received.",
            Status.ACKNOWLEDGED: f"{body or 'The responsible body'} has received your feedback.",
            Status.IN_PROGRESS: f"{body or 'The responsible body'} is working on your feedback.",
            Status.RESOLVED: f"{body or 'The responsible body'} has resolved your feedback.",
            Status.CLOSED: "Your feedback is closed.",
            Status.REJECTED: "Your feedback will not be handled further.",
            Status.REOPENED: "Your feedback has been reopened and will be looked at again.",
        }[event.status]
        if event.answer:
            news += f"\n\nAnswer:\n{event.answer}"
        if event.status is Status.REJECTED:
            news += f"\n\nReason: {why or event.reason or 'not given'}"
            if event.reason and why and event.reason != why:
                news += f" ({event.reason})"
        return news
    if event.change is StatusChange.ESCALATED:
        parent = event.escalated_to.name if event.escalated_to else "cơ quan cấp trên"
        return f"Ý kiến của Ông/Bà chưa được trả lời đúng hạn và đã được báo cáo lên {parent}."
    if event.change is StatusChange.REASSIGNED:
        return f"Ý kiến của Ông/Bà đã được chuyển đến {body or 'cơ quan khác'} để giải quyết."
    news = {
        Status.ROUTED: f"Ý kiến của Ông/Bà đã được chuyển đến {body or 'cơ quan có thẩm quyền'}.",
        Status.TRIAGE: (
            "Ý kiến của Ông/Bà đã được tiếp nhận. Cán bộ đang xác định cơ quan có thẩm quyền."
        ),
        Status.RECEIVED: "Ý kiến của Ông/Bà đã được tiếp nhận.",
        Status.ACKNOWLEDGED: f"{body or 'Cơ quan có thẩm quyền'} đã nhận ý kiến của Ông/Bà.",
        Status.IN_PROGRESS: f"{body or 'Cơ quan có thẩm quyền'} đang giải quyết ý kiến của Ông/Bà.",
        Status.RESOLVED: f"{body or 'Cơ quan có thẩm quyền'} đã giải quyết ý kiến của Ông/Bà.",
        Status.CLOSED: "Ý kiến của Ông/Bà đã được khép lại.",
        Status.REJECTED: "Ý kiến của Ông/Bà không được tiếp tục xem xét.",
        Status.REOPENED: "Ý kiến của Ông/Bà đã được mở lại để xem xét tiếp.",
    }[event.status]
    if event.answer:
        news += f"\n\nNội dung trả lời:\n{event.answer}"
    if event.status is Status.REJECTED:
        news += f"\n\nLý do: {why or event.reason or 'không nêu'}"
        if event.reason and why and event.reason != why:
            news += f" ({event.reason})"
    return news


_STATUS_LABEL_VI = {
    Status.ROUTED: "đã chuyển cơ quan giải quyết",
    Status.TRIAGE: "đang phân loại",
    Status.RECEIVED: "đã tiếp nhận",
    Status.ACKNOWLEDGED: "cơ quan đã nhận",
    Status.IN_PROGRESS: "đang giải quyết",
    Status.RESOLVED: "đã giải quyết",
    Status.CLOSED: "đã khép lại",
    Status.REJECTED: "không xem xét tiếp",
    Status.REOPENED: "mở lại",
}


def _headline(news: str) -> str:
    """The first sentence of the news, for a subject line the citizen can read at a glance."""
    first = news.split("\n", 1)[0].split(". ", 1)[0].rstrip(".")
    return first[:150]


def citizen_text(
    *, citizen: Citizen, tracking_code: str, news: str, links: Links, english: bool
) -> Text:
    link = links.status_page(tracking_code)
    if english:
        greeting = f"Dear {citizen.name}," if citizen.name else "Dear citizen,"
        body = (
            f"{greeting}\n\n{news}\n\nTracking code: {tracking_code}\nFollow it: {link}\n\n"
            "You will hear from us on this channel whenever it moves; there is no need to send "
            f"it again.\n\n{SIGNATURE_EN}\n"
        )
        subject = f"[Hồi Âm {tracking_code}] {_headline(news)}"
        short = f"Hồi Âm {tracking_code}: {news.splitlines()[0]} {link}"
        return Text(subject, body, short)
    greeting = f"Kính gửi {citizen.name}," if citizen.name else "Kính gửi Ông/Bà,"
    body = (
        f"{greeting}\n\n{news}\n\nMã theo dõi: {tracking_code}\nTra cứu tình trạng: {link}\n\n"
        "Ông/Bà sẽ nhận được thông báo qua kênh này mỗi khi ý kiến có tiến triển, kể cả nội dung "
        f"trả lời của cơ quan. Ông/Bà không cần gửi lại ý kiến này.\n\n{SIGNATURE_VI}\n"
    )
    subject = f"[Hồi Âm {tracking_code}] {_headline(news)}"
    short = f"Hồi Âm {tracking_code}: {news.splitlines()[0]} Tra cứu: {link}"
    return Text(subject, body, short)


def _citizen_notification(
    *,
    event_id: UUID,
    record: ItemRecord,
    reach: Reachability,
    text: Text,
    status_label: str,
    now: datetime,
    policy: Policy,
) -> Notification:
    targets = citizen_targets(record, reach, at=now, policy=policy)
    origin = record.origin
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    if origin is not None and origin.kind is OriginKind.EMAIL and origin.message_id:
        in_reply_to = origin.message_id
        references = (*origin.references, origin.message_id)
    elif record.channel is Channel.EMAIL and record.source_ref:
        in_reply_to, references = record.source_ref, (record.source_ref,)
    return Notification(
        event_id=event_id,
        item_id=record.item_id,
        tracking_code=record.tracking_code,
        recipient_kind=RecipientKind.CITIZEN,
        recipient=f"citizen:{record.item_id}",
        subject=text.subject,
        text=text.body,
        html=_as_html(text.body),
        short_text=text.short,
        template_data={
            "customer_name": (record.citizen.name or "Ông/Bà")[:30],
            "tracking_code": record.tracking_code,
            "status": status_label[:30],
        },
        in_reply_to=in_reply_to,
        references=tuple(dict.fromkeys(references)),
        targets=targets,
        unreachable_reason=None if targets else "no contact can reach this citizen",
    )


# --- bodies and councillors ---------------------------------------------------------------------


def _body_text(
    *,
    title: str,
    heading: str,
    addressee: str,
    tracking_code: str,
    item_id: UUID,
    category: str | None,
    case_id: UUID | None,
    due_on: date | None,
    citizen: Citizen | None,
    text: str | None,
    reasons: tuple[str, ...],
    links: Links,
) -> Text:
    lines = [
        f"Kính gửi {addressee},",
        "",
        heading,
        "",
        f"Mã theo dõi: {tracking_code}",
    ]
    if category:
        lines.append(f"Lĩnh vực: {category}")
    if case_id:
        lines.append(f"Vụ việc: {case_id}")
    if citizen is not None:
        lines.append(f"Người gửi: {citizen.name or 'Cử tri (không ghi tên)'}")
    lines.append(f"Hạn trả lời: {_date(due_on)}")
    if text:
        lines += ["", f"Nội dung:\n{text}"]
    if reasons:
        lines += ["", f"Căn cứ chuyển: {'; '.join(reasons)}"]
    lines += ["", f"Xem và trả lời: {links.console_url}/inbox/{item_id}", ""]
    body = "\n".join(lines)
    subject = f"[Hồi Âm {tracking_code}] {title}"
    short = f"Hồi Âm {tracking_code}: {heading} {links.console_url}/inbox/{item_id}"
    return Text(subject, body, short)


def _contact_notifications(
    *,
    event_id: UUID,
    item_id: UUID,
    tracking_code: str,
    kind: RecipientKind,
    owner_id: str,
    owner_name: str,
    contacts: tuple[BodyContact, ...],
    text: Text,
    urgent: bool,
    allow_digest: bool,
) -> list[Notification]:
    found: list[Notification] = []
    for contact in contacts:
        target = body_target(contact)
        if target is None:
            continue
        found.append(
            Notification(
                event_id=event_id,
                item_id=item_id,
                tracking_code=tracking_code,
                recipient_kind=kind,
                recipient=f"{kind.value}:{owner_id}:{contact.channel.value}:{contact.address}",
                subject=text.subject,
                text=text.body,
                html=_as_html(text.body),
                short_text=text.short,
                targets=(target,),
                urgent=urgent,
                digest=allow_digest and contact.delivery.value == "digest",
                body_name=owner_name,
            )
        )
    return found


def plan_routed(
    routed: FeedbackRouted,
    *,
    reach: Reachability,
    links: Links,
    now: datetime,
    policy: Policy,
) -> list[Notification]:
    """A routing decision: the body's contacts, the constituency's delegates, and the citizen."""
    plan: list[Notification] = []
    if routed.status is Status.ROUTED and routed.body is not None:
        for kind, owner_id, name, contacts in [
            (RecipientKind.BODY, routed.body.id, routed.body.name, routed.body.contacts),
            *(
                (RecipientKind.COUNCILLOR, c.id, f"Đại biểu {c.name}", c.contacts)
                for c in routed.councillors
            ),
        ]:
            heading = (
                "Hệ thống Hồi Âm chuyển đến Quý cơ quan ý kiến, kiến nghị của cử tri để xem xét, "
                "giải quyết và trả lời."
                if kind is RecipientKind.BODY
                else f"Ý kiến, kiến nghị của cử tri trong đơn vị bầu cử của Đại biểu đã được "
                f"chuyển đến {routed.body.name}."
            )
            topic = routed.subject or routed.category.name
            text = _body_text(
                title=f"Ý kiến, kiến nghị mới: {topic}",
                heading=heading,
                addressee=name,
                tracking_code=routed.tracking_code,
                item_id=routed.item_id,
                category=routed.category.name,
                case_id=routed.case_id,
                due_on=routed.due_on,
                citizen=routed.citizen,
                text=routed.text,
                reasons=routed.reasons,
                links=links,
            )
            plan += _contact_notifications(
                event_id=routed.event_id,
                item_id=routed.item_id,
                tracking_code=routed.tracking_code,
                kind=kind,
                owner_id=owner_id,
                owner_name=name,
                contacts=contacts,
                text=text,
                urgent=False,
                allow_digest=True,
            )
    record = item_record(routed)
    english = _english(routed.citizen)
    acknowledgement = StatusChanged(
        correlation_id=routed.item_id,
        item_id=routed.item_id,
        tracking_code=routed.tracking_code,
        status=routed.status,
        body=routed.body,
    )
    news = _status_news(acknowledgement, english=english)
    if routed.status is Status.ROUTED and routed.due_on is not None:
        news += (
            f" Due date: {_date(routed.due_on, True)}."
            if english
            else f" Hạn trả lời: {_date(routed.due_on)}."
        )
    text = citizen_text(
        citizen=routed.citizen,
        tracking_code=routed.tracking_code,
        news=news,
        links=links,
        english=english,
    )
    plan.append(
        _citizen_notification(
            event_id=routed.event_id,
            record=record,
            reach=reach,
            text=text,
            status_label=_STATUS_LABEL_VI[routed.status],
            now=now,
            policy=policy,
        )
    )
    return plan


def plan_status(
    event: StatusChanged,
    *,
    records: list[ItemRecord],
    reaches: dict[UUID, Reachability],
    links: Links,
    now: datetime,
    policy: Policy,
) -> list[Notification]:
    """A status change: every petitioner of the case, and for overdue or escalation the bodies.

    `records` are the items of the case the notifier knows (from their routed events); an item
    it has never seen has no contact to answer on and is skipped here (the handler counts it).
    """
    plan: list[Notification] = []
    if event.change in (StatusChange.OVERDUE, StatusChange.ESCALATED, StatusChange.REASSIGNED):
        title = {
            StatusChange.OVERDUE: "Quá hạn trả lời",
            StatusChange.ESCALATED: "Quá hạn, đã báo cáo cấp trên",
            StatusChange.REASSIGNED: "Ý kiến, kiến nghị được chuyển đến",
        }[event.change]
        owners: list[tuple[BodyRef, str]] = []
        if event.body is not None:
            heading = {
                StatusChange.OVERDUE: "Ý kiến, kiến nghị của cử tri đã quá hạn trả lời.",
                StatusChange.ESCALATED: "Ý kiến, kiến nghị quá hạn đã được báo cáo lên cấp trên.",
                StatusChange.REASSIGNED: (
                    "Hệ thống Hồi Âm chuyển đến Quý cơ quan ý kiến, kiến nghị của cử tri để xem "
                    "xét, giải quyết và trả lời."
                ),
            }[event.change]
            owners.append((event.body, heading))
        if event.escalated_to is not None and event.change is not StatusChange.REASSIGNED:
            owners.append(
                (
                    event.escalated_to,
                    f"Ý kiến, kiến nghị của cử tri giao {event.body.name if event.body else ''} "
                    "đã quá hạn trả lời, đề nghị Quý cơ quan đôn đốc.",
                )
            )
        for body, heading in owners:
            text = _body_text(
                title=title,
                heading=heading,
                addressee=body.name,
                tracking_code=event.tracking_code,
                item_id=event.item_id,
                category=None,
                case_id=event.case_id,
                due_on=event.due_on,
                citizen=None,
                text=None,
                reasons=(),
                links=links,
            )
            plan += _contact_notifications(
                event_id=event.event_id,
                item_id=event.item_id,
                tracking_code=event.tracking_code,
                kind=RecipientKind.BODY,
                owner_id=body.id,
                owner_name=body.name,
                contacts=body.contacts,
                text=text,
                urgent=event.change is not StatusChange.REASSIGNED,
                allow_digest=event.change is StatusChange.REASSIGNED,
            )
    if event.change is StatusChange.OVERDUE:
        return plan  # lateness is the bodies' business; the citizen hears of the escalation
    for record in records:
        english = _english(record.citizen)
        text = citizen_text(
            citizen=record.citizen,
            tracking_code=record.tracking_code,
            news=_status_news(event, english=english, known=record.body),
            links=links,
            english=english,
        )
        plan.append(
            _citizen_notification(
                event_id=event.event_id,
                record=record,
                reach=reaches.get(record.item_id, Reachability()),
                text=text,
                status_label=_STATUS_LABEL_VI[event.status],
                now=now,
                policy=policy,
            )
        )
    return plan


def case_items(event: StatusChanged) -> tuple[UUID, ...]:
    """Every item whose petitioner hears of this change: the case's items, or the one item."""
    return tuple(dict.fromkeys((event.item_id, *event.case_item_ids)))


# --- digests ------------------------------------------------------------------------------------


def digest_notification(entries: list[Notification], *, day: date, links: Links) -> Notification:
    """One message for a recipient's queued items of a day; its id is per recipient and day."""
    first = entries[0]
    codes = ", ".join(e.tracking_code for e in entries)
    lines = [
        f"Kính gửi {first.body_name or 'Quý cơ quan'},",
        "",
        f"Ngày {day.strftime('%d/%m/%Y')}, Hệ thống Hồi Âm chuyển đến {len(entries)} ý kiến, "
        "kiến nghị của cử tri:",
        "",
    ]
    for entry in entries:
        lines.append(f"- {entry.tracking_code}: {links.console_url}/inbox/{entry.item_id}")
    lines += ["", f"Hộp thư: {links.console_url}/inbox", ""]
    body = "\n".join(lines)
    digest_event = UUID(hashlib.sha256(f"digest|{first.recipient}|{day}".encode()).hexdigest()[:32])
    return Notification(
        event_id=digest_event,
        item_id=first.item_id,
        tracking_code=first.tracking_code,
        recipient_kind=first.recipient_kind,
        recipient=first.recipient,
        subject=f"[Hồi Âm] Tổng hợp ý kiến cử tri ngày {day.strftime('%d/%m/%Y')} ({len(entries)})",
        text=body,
        html=_as_html(body),
        short_text=f"Hồi Âm: {len(entries)} ý kiến mới ({codes}). {links.console_url}/inbox",
        targets=first.targets,
        body_name=first.body_name,
    )
