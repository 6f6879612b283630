"""Pure notification rules: who is told what about an item, on which channel, in Vietnamese."""

import hashlib
import html
from dataclasses import dataclass
from uuid import UUID

from hoiam_shared.events import Channel, FeedbackRouted, RecipientKind, Status


@dataclass(frozen=True, slots=True)
class Notification:
    """One message to one recipient on one channel; `delivery_id` makes sending it idempotent."""

    delivery_id: str
    item_id: UUID
    tracking_code: str
    recipient_kind: RecipientKind
    channel: Channel
    address: str | None
    subject: str
    text: str
    html: str
    in_reply_to: str | None = None
    unreachable_reason: str | None = None

    def message_id(self, mail_domain: str) -> str:
        # The same delivery always carries the same Message-ID, so a resend after a crash is one
        # message to the recipient's mail client, not two.
        return f"<{self.delivery_id}@{mail_domain}>"


def delivery_id(*, event_id: UUID, kind: RecipientKind, channel: Channel, address: str) -> str:
    digest = hashlib.sha256(f"{event_id}|{kind}|{channel}|{address}".encode()).hexdigest()
    return f"{event_id}.{digest[:16]}"


def _date(routed: FeedbackRouted) -> str:
    return routed.due_on.strftime("%d/%m/%Y") if routed.due_on else "chưa xác định"


def _as_html(text: str) -> str:
    paragraphs = (html.escape(p).replace("\n", "<br>") for p in text.split("\n\n"))
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _body_message(routed: FeedbackRouted, console_url: str) -> tuple[str, str]:
    assert routed.body is not None  # noqa: S101 - callers only ask for routed items
    topic = routed.subject or routed.category.name
    subject = f"[Hồi Âm {routed.tracking_code}] Ý kiến, kiến nghị mới: {topic}"
    citizen = routed.citizen.name or "Cử tri (không ghi tên)"
    text = (
        f"Kính gửi {routed.body.name},\n\n"
        "Hệ thống Hồi Âm chuyển đến Quý cơ quan ý kiến, kiến nghị của cử tri để xem xét, "
        "giải quyết và trả lời.\n\n"
        f"Mã theo dõi: {routed.tracking_code}\n"
        f"Lĩnh vực: {routed.category.name}\n"
        f"Người gửi: {citizen}\n"
        f"Hạn trả lời: {_date(routed)}\n\n"
        f"Nội dung:\n{routed.text}\n\n"
        f"Căn cứ chuyển: {'; '.join(routed.reasons)}\n\n"
        f"Xem và trả lời: {console_url}/inbox/{routed.item_id}\n"
    )
    return subject, text


def _citizen_message(routed: FeedbackRouted, public_url: str) -> tuple[str, str]:
    greeting = f"Kính gửi {routed.citizen.name}," if routed.citizen.name else "Kính gửi Ông/Bà,"
    if routed.status is Status.ROUTED and routed.body is not None:
        subject = (
            f"[Hồi Âm {routed.tracking_code}] Ý kiến của Ông/Bà đã được chuyển đến "
            f"{routed.body.name}"
        )
        news = (
            f"Ý kiến, kiến nghị của Ông/Bà đã được tiếp nhận và chuyển đến {routed.body.name} "
            f"(lĩnh vực {routed.category.name}) để xem xét, trả lời. Hạn trả lời: {_date(routed)}."
        )
    else:
        subject = f"[Hồi Âm {routed.tracking_code}] Ý kiến của Ông/Bà đã được tiếp nhận"
        news = (
            "Ý kiến, kiến nghị của Ông/Bà đã được tiếp nhận. Cán bộ tiếp nhận đang xác định "
            "cơ quan có thẩm quyền giải quyết và sẽ thông báo khi chuyển đi."
        )
    text = (
        f"{greeting}\n\n{news}\n\n"
        f"Mã theo dõi: {routed.tracking_code}\n"
        f"Tra cứu tình trạng: {public_url}/tra-cuu/{routed.tracking_code}\n\n"
        "Ông/Bà sẽ nhận được thông báo qua kênh này mỗi khi ý kiến có tiến triển, "
        "kể cả nội dung trả lời của cơ quan. Ông/Bà không cần gửi lại ý kiến này.\n\n"
        "Hồi Âm — Mặt trận Tổ quốc và Hội đồng nhân dân lắng nghe cử tri\n"
    )
    return subject, text


def plan_routed(routed: FeedbackRouted, *, console_url: str, public_url: str) -> list[Notification]:
    """Who hears of a routing decision: the body's contacts, and the citizen on their channel."""
    plan: list[Notification] = []
    if routed.status is Status.ROUTED and routed.body is not None:
        subject, text = _body_message(routed, console_url)
        for contact in routed.body.contacts:
            if contact.channel is not Channel.EMAIL:
                continue  # Zalo for bodies arrives with the notifier issue.
            plan.append(
                Notification(
                    delivery_id=delivery_id(
                        event_id=routed.event_id,
                        kind=RecipientKind.BODY,
                        channel=contact.channel,
                        address=contact.address,
                    ),
                    item_id=routed.item_id,
                    tracking_code=routed.tracking_code,
                    recipient_kind=RecipientKind.BODY,
                    channel=contact.channel,
                    address=contact.address,
                    subject=subject,
                    text=text,
                    html=_as_html(text),
                )
            )
    subject, text = _citizen_message(routed, public_url)
    email = routed.citizen.contacts.email
    wants = routed.citizen.preferred_channel
    if email and wants in (Channel.EMAIL, Channel.WEB):
        channel, address, unreachable = Channel.EMAIL, email, None
    else:
        # Never a silent drop: the notification is recorded as failed with the reason, and the
        # operator sees it (phone call-back, Zalo and Messenger come with the notifier issue).
        channel, address = wants, None
        unreachable = f"no supported contact for reply channel {wants.value} yet"
    plan.append(
        Notification(
            delivery_id=delivery_id(
                event_id=routed.event_id,
                kind=RecipientKind.CITIZEN,
                channel=channel,
                address=address or "-",
            ),
            item_id=routed.item_id,
            tracking_code=routed.tracking_code,
            recipient_kind=RecipientKind.CITIZEN,
            channel=channel,
            address=address,
            subject=subject,
            text=text,
            html=_as_html(text),
            in_reply_to=routed.source_ref if routed.channel is Channel.EMAIL else None,
            unreachable_reason=unreachable,
        )
    )
    return plan
