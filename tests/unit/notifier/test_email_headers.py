"""Email as the SMTP client writes it: long Vietnamese subjects keep every space and letter."""

import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from hoiam_notifier.channels.port import Outgoing
from hoiam_notifier.channels.smtp import build_email, encoded_header
from hoiam_notifier.domain.notifications import Notification, Target, Way
from hoiam_shared.events import RecipientKind

SUBJECTS = [
    "[Hồi Âm HA-RC7X-3X75] Ý kiến, kiến nghị mới: Phản ánh đường ngập ở ấp Phú Thọ",
    "[Hồi Âm HA-42R7-PTD2] Sở Xây dựng tỉnh Vĩnh Long đã giải quyết ý kiến của Ông/Bà " * 3,
    "[Hồi Âm HA-0000-0000] plain ASCII subject stays as it is",
]


def outgoing(subject: str) -> Outgoing:
    notification = Notification(
        event_id=uuid.uuid4(),
        item_id=uuid.uuid4(),
        tracking_code="HA-RC7X-3X75",
        recipient_kind=RecipientKind.CITIZEN,
        recipient="citizen:1",
        subject=subject,
        text="Kính gửi Ông/Bà,\nÝ kiến của Ông/Bà đã được chuyển.",
        html="<p>Kính gửi Ông/Bà,</p>",
        short_text="Ý kiến đã được chuyển.",
    )
    target = Target(way=Way.EMAIL, address="an.nguyen@example.vn")
    return Outgoing(notification=notification, target=target, delivery_id="d-1")


@pytest.mark.parametrize("subject", SUBJECTS)
def test_the_subject_survives_the_smtp_generator_and_a_reader(subject: str) -> None:
    message = build_email(
        outgoing(subject),
        sender="hoiam@example.vn",
        mail_domain="example.vn",
        written_at=datetime(2026, 11, 27, 5, 0, tzinfo=UTC),
    )

    # aiosmtplib flattens with the SMTP policy; a reader parses with the default policy.
    raw = message.as_bytes(policy=policy.SMTP)
    read = message_from_bytes(raw, policy=policy.default)

    assert read["Subject"] == subject
    header_lines = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert all(len(line) <= 78 for line in header_lines)


def test_an_ascii_value_is_not_encoded() -> None:
    assert encoded_header("Subject", "Hello") == "Hello"
    assert encoded_header("Subject", "Chào").startswith("=?utf-8?")
