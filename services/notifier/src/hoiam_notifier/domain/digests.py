"""Daily digests (bản tổng hợp): one message a day for a recipient's queued items."""

import hashlib
from datetime import date
from uuid import UUID

from hoiam_notifier.domain.knowledge import Links
from hoiam_notifier.domain.notifications import Notification
from hoiam_notifier.domain.texts import as_html, one_line


def digest_notification(entries: list[Notification], *, day: date, links: Links) -> Notification:
    """One message for a recipient's queued items of a day; its id is per recipient and day."""
    first = entries[0]
    codes = ", ".join(e.tracking_code for e in entries)
    lines = [
        f"Kính gửi {one_line(first.body_name or '') or 'Quý cơ quan'},",
        "",
        f"Ngày {day.strftime('%d/%m/%Y')}, Hệ thống Hồi Âm chuyển đến {len(entries)} ý kiến, "
        "kiến nghị của cử tri:",
        "",
    ]
    for entry in entries:
        inbox = links.inbox(entry.item_id)
        topic = entry.subject.removeprefix(f"[Hồi Âm {entry.tracking_code}] ")
        lines.append(f"- {entry.tracking_code}: {inbox or one_line(topic)}")
    home = links.inbox()
    lines += ["", f"Hộp thư: {home}" if home else "Khi trao đổi, xin nêu mã theo dõi.", ""]
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
        html=as_html(body),
        short_text=f"Hồi Âm: {len(entries)} ý kiến mới ({codes}). {home or ''}".strip(),
        targets=first.targets,
        body_name=first.body_name,
    )
