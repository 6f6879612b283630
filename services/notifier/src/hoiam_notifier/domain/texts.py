"""What people read: the Vietnamese (or English) texts for citizens, bodies and councillors."""

import html
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from hoiam_notifier.domain.knowledge import Links
from hoiam_shared.events import BodyRef, Citizen, Status, StatusChange, StatusChanged

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


def as_html(text: str) -> str:
    paragraphs = (html.escape(p).replace("\n", "<br>") for p in text.split("\n\n"))
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def format_date(day: date | None, english: bool = False) -> str:
    if day is None:
        return "not set yet" if english else "chưa xác định"
    return day.strftime("%d/%m/%Y")


def in_english(citizen: Citizen) -> bool:
    return citizen.locale.lower().startswith("en")


@dataclass(frozen=True, slots=True)
class Text:
    subject: str
    body: str
    short: str


def status_news(event: StatusChanged, *, english: bool, known: BodyRef | None = None) -> str:
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


STATUS_LABEL_VI = {
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


def resent_news(
    *, tracking_code: str, status: Status | None, body: BodyRef | None, english: bool
) -> str:
    """The answer to a citizen who sent the same matter again: the item they already have and
    where it stands, instead of a second item."""
    if english:
        where = STATUS_LABEL_EN[status] if status else "received"
        news = (
            f"You already sent us this matter, under tracking code {tracking_code}; we have not "
            f"opened it again. Where it stands: {where}."
        )
        return news + (f" Responsible body: {body.name}." if body else "")
    where = STATUS_LABEL_VI[status] if status else "đã tiếp nhận"
    news = (
        f"Ông/Bà đã gửi ý kiến này trước đây, mã theo dõi {tracking_code}; ý kiến không được "
        f"tạo thêm lần nữa. Tình trạng hiện nay: {where}."
    )
    return news + (f" Cơ quan giải quyết: {body.name}." if body else "")


ASK_COMMUNE_VI = (
    "Để chuyển ý kiến đến đúng Ủy ban nhân dân xã, phường nơi xảy ra sự việc, Ông/Bà vui lòng "
    "trả lời tin nhắn này, cho biết địa chỉ: ấp hoặc khu phố, xã, phường, tỉnh."
)
ASK_COMMUNE_EN = (
    "So that it reaches the right commune or ward People's Committee, please reply to this "
    "message with the address where it happens: hamlet or quarter, commune or ward, province."
)


STATUS_LABEL_EN = {
    Status.ROUTED: "sent to the responsible body",
    Status.TRIAGE: "staff are finding the responsible body",
    Status.RECEIVED: "received",
    Status.ACKNOWLEDGED: "the body has received it",
    Status.IN_PROGRESS: "being worked on",
    Status.RESOLVED: "resolved",
    Status.CLOSED: "closed",
    Status.REJECTED: "not handled further",
    Status.REOPENED: "reopened",
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


def body_text(
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
    lines.append(f"Hạn trả lời: {format_date(due_on)}")
    if text:
        lines += ["", f"Nội dung:\n{text}"]
    if reasons:
        lines += ["", f"Căn cứ chuyển: {'; '.join(reasons)}"]
    lines += ["", f"Xem và trả lời: {links.console_url}/inbox/{item_id}", ""]
    body = "\n".join(lines)
    subject = f"[Hồi Âm {tracking_code}] {title}"
    short = f"Hồi Âm {tracking_code}: {heading} {links.console_url}/inbox/{item_id}"
    return Text(subject, body, short)
