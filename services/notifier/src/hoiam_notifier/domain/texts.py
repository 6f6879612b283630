"""What people read: the Vietnamese (or English) texts for citizens, bodies and councillors."""

import html
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from hoiam_notifier.domain.knowledge import Links
from hoiam_notifier.domain.notifications import RatingButton, RatingInvite
from hoiam_shared.events import BodyRef, Citizen, RepeatMatch, Status, StatusChange, StatusChanged

SIGNATURE_VI = "Hồi Âm — Mặt trận Tổ quốc và Hội đồng nhân dân lắng nghe cử tri"
SIGNATURE_EN = (
    "Hồi Âm — listening to voters on behalf of the Fatherland Front and People's Councils"
)

_ASK_BODY = "Khi trao đổi về ý kiến này với Hệ thống Hồi Âm, xin nêu mã theo dõi {}."
"""What a body reads instead of the console link while no console is configured."""

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


def one_line(value: str) -> str:
    """A name or subject on one line: every line break (CR, LF, NEL, U+2028...) becomes a space.

    Names and subjects come from citizens and directories; a break in one would split a header
    (or inject another) and break the message's layout, so none reaches a message.
    """
    return " ".join(" ".join(value.splitlines()).split())


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
    body = one_line(responsible.name) if responsible else None
    reason = _REASONS_EN if english else _REASONS_VI
    why = reason.get(event.reason_code or "", event.reason_code or "")
    if english:
        if event.change is StatusChange.ESCALATED:
            parent = one_line(event.escalated_to.name) if event.escalated_to else None
            return (
                "Your feedback was not answered in time and has been escalated to "
                f"{parent or 'the supervising body'}."
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
        parent = one_line(event.escalated_to.name) if event.escalated_to else "cơ quan cấp trên"
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


def voters_news(event: StatusChanged, *, known: BodyRef | None = None) -> str:
    """The citizen's news told of the voters instead of to them, for their Front committee and
    delegates: the same words, "of the voters" for "of you"."""
    return status_news(event, english=False, known=known).replace("của Ông/Bà", "của cử tri")


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
        return news + (f" Responsible body: {one_line(body.name)}." if body else "")
    where = STATUS_LABEL_VI[status] if status else "đã tiếp nhận"
    news = (
        f"Ông/Bà đã gửi ý kiến này trước đây, mã theo dõi {tracking_code}; ý kiến không được "
        f"tạo thêm lần nữa. Tình trạng hiện nay: {where}."
    )
    return news + (f" Cơ quan giải quyết: {one_line(body.name)}." if body else "")


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


def repeat_news(repeat: RepeatMatch, *, links: Links, english: bool) -> tuple[str, str]:
    """The acknowledgement's word on a published answer of the same place the item repeats,
    and its short form for SMS and public replies: the citizen may read it at once, while the
    item is still handled as usual (an operator may link it to that answer's case)."""
    link = links.answer_page(repeat.publication_id)
    if english:
        where = f"Read it: {link}" if link else f"Its tracking code is {repeat.tracking_code}."
        news = (
            "A similar petition from the same place has already been answered, and the answer "
            f"is published. {where} Your feedback is still handled as usual."
        )
        short = f"Answered before: {link or repeat.tracking_code}"
        return news, short
    where = f"Xem câu trả lời: {link}" if link else f"Mã theo dõi: {repeat.tracking_code}."
    news = (
        "Một kiến nghị tương tự ở cùng địa phương đã được trả lời và công bố công khai. "
        f"{where} Ý kiến của Ông/Bà vẫn được xem xét, giải quyết như thường lệ."
    )
    short = f"Đã có trả lời tương tự: {link or repeat.tracking_code}"
    return news, short


def _headline(news: str) -> str:
    """The first sentence of the news, for a subject line the citizen can read at a glance."""
    first = news.split("\n", 1)[0].split(". ", 1)[0].rstrip(".")
    return first[:150]


def citizen_text(
    *,
    citizen: Citizen,
    tracking_code: str,
    news: str,
    links: Links,
    english: bool,
    also_short: str | None = None,
) -> Text:
    """The citizen's message; `also_short` ends the short form (SMS, public replies), which
    otherwise holds only the news' first line."""
    link = links.status_page(tracking_code)
    name = one_line(citizen.name) if citizen.name else None
    if english:
        greeting = f"Dear {name}," if name else "Dear citizen,"
        follow = (
            f"Follow it: {link}"
            if link
            else "To ask about it, reply to this message or contact the Fatherland Front, "
            f"quoting tracking code {tracking_code}."
        )
        body = (
            f"{greeting}\n\n{news}\n\nTracking code: {tracking_code}\n{follow}\n\n"
            "You will hear from us on this channel whenever it moves; there is no need to send "
            f"it again.\n\n{SIGNATURE_EN}\n"
        )
        subject = f"[Hồi Âm {tracking_code}] {_headline(news)}"
        tail = link or f"To ask, quote tracking code {tracking_code}."
        short = f"Hồi Âm {tracking_code}: {news.splitlines()[0]} {tail}"
        return Text(subject, body, f"{short} {also_short}" if also_short else short)
    greeting = f"Kính gửi {name}," if name else "Kính gửi Ông/Bà,"
    follow = (
        f"Tra cứu tình trạng: {link}"
        if link
        else "Khi cần hỏi về ý kiến này, Ông/Bà có thể trả lời ngay tin nhắn này hoặc liên hệ "
        f"Ủy ban Mặt trận Tổ quốc, và nêu mã theo dõi {tracking_code}."
    )
    body = (
        f"{greeting}\n\n{news}\n\nMã theo dõi: {tracking_code}\n{follow}\n\n"
        "Ông/Bà sẽ nhận được thông báo qua kênh này mỗi khi ý kiến có tiến triển, kể cả nội dung "
        f"trả lời của cơ quan. Ông/Bà không cần gửi lại ý kiến này.\n\n{SIGNATURE_VI}\n"
    )
    subject = f"[Hồi Âm {tracking_code}] {_headline(news)}"
    tail = f"Tra cứu: {link}" if link else f"Khi hỏi, xin nêu mã theo dõi {tracking_code}."
    short = f"Hồi Âm {tracking_code}: {news.splitlines()[0]} {tail}"
    return Text(subject, body, f"{short} {also_short}" if also_short else short)


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
    show_due: bool = True,
) -> Text:
    lines = [
        f"Kính gửi {one_line(addressee)},",
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
        lines.append(f"Người gửi: {one_line(citizen.name or '') or 'Cử tri (không ghi tên)'}")
    if show_due:
        lines.append(f"Hạn trả lời: {format_date(due_on)}")
    if text:
        lines += ["", f"Nội dung:\n{text}"]
    if reasons:
        lines += ["", f"Căn cứ chuyển: {'; '.join(reasons)}"]
    inbox = links.inbox(item_id)
    lines += ["", f"Xem và trả lời: {inbox}" if inbox else _ASK_BODY.format(tracking_code), ""]
    body = "\n".join(lines)
    subject = f"[Hồi Âm {tracking_code}] {one_line(title)}"
    tail = inbox or f"Khi trao đổi, xin nêu mã theo dõi {tracking_code}."
    short = f"Hồi Âm {tracking_code}: {heading} {tail}"
    return Text(subject, body, short)


RATING_TITLE = {"vi": "Đánh giá câu trả lời", "en": "Rate the answer"}
"""A button's title: at most 20 characters, Messenger's limit."""
SCORES = {
    "vi": {5: "Rất hài lòng", 4: "Hài lòng", 3: "Bình thường", 2: "Chưa hài lòng",
           1: "Rất không hài lòng"},
    "en": {5: "Very satisfied", 4: "Satisfied", 3: "Neutral", 2: "Unsatisfied",
           1: "Very unsatisfied"},
}  # fmt: skip
"""The console's words for the scores (public_words.py), so the button and the form agree."""


def rating_invite(tracking_code: str, *, links: Links, english: bool) -> RatingInvite | None:
    """The rating offered under a resolution message, or None while no public site exists (a
    link that would 404 is never printed)."""
    page = links.rating_page(tracking_code)
    if page is None:
        return None
    lang = "en" if english else "vi"
    buttons = tuple(
        RatingButton(
            score=score,
            title=f"{score} ★ {SCORES[lang][score]}",
            url=links.rating_page(tracking_code, score) or page,
        )
        for score in (5, 4, 3, 2, 1)
    )
    return RatingInvite(page_url=page, title=RATING_TITLE[lang], buttons=buttons)


def rating_line(invite: RatingInvite, *, english: bool) -> str:
    """The sentence the resolution message ends its news with: where to rate the answer."""
    if english:
        return f"How satisfied are you with this answer? Rate it from 1 to 5: {invite.page_url}"
    return (
        "Ông/Bà có hài lòng với câu trả lời này không? Xin đánh giá từ 1 đến 5 sao: "
        f"{invite.page_url}"
    )
