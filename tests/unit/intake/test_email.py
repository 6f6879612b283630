"""Email normalisation: charsets, MIME structure, RFC 2047, threads, auto-replies and bounces."""

import base64
import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoiam_intake.domain.channels.email import (
    EMAIL_CONTENT_TYPE,
    email_outcome,
    html_to_text,
    read_email,
)
from hoiam_intake.domain.items import accept_raw
from hoiam_intake.domain.keys import item_id_for, tracking_code_for
from hoiam_intake.domain.outcomes import Dropped, NewItem
from hoiam_intake.domain.rules import Rules
from hoiam_shared.events import Channel, OriginKind, RawFeedbackAccepted
from support.intake_samples import (
    SENTENCE,
    VNI_EXPECTED,
    VNI_SENTENCE,
    alternative_email,
    auto_reply,
    bounce,
    email,
    html_only_email,
    to_cp1258,
    to_tcvn3,
)

RULES = Rules(secret="test", account_provinces={"hopthu@mttq-vinhlong.example.vn": "86"})


def raw_email(data: bytes, source_ref: str | None = None) -> RawFeedbackAccepted:
    item_id = item_id_for(Channel.EMAIL, source_ref, secret="test") if source_ref else None
    return accept_raw(
        item_id=item_id or item_id_for(Channel.EMAIL, "x", secret="test"),
        tracking_code=tracking_code_for(item_id, secret="test") if item_id else "HA-0000-0000",
        channel=Channel.EMAIL,
        payload=data,
        content_type=EMAIL_CONTENT_TYPE,
        received_at=datetime(2026, 11, 27, 2, 30, tzinfo=UTC),
        source_ref=source_ref,
    )


def new_item(data: bytes, source_ref: str | None = None) -> NewItem:
    outcome = email_outcome(raw_email(data, source_ref), RULES)
    assert isinstance(outcome, NewItem)
    return outcome


def test_a_windows_1258_quoted_printable_email_becomes_an_item() -> None:
    data = email(body=to_cp1258(SENTENCE), charset="windows-1258")
    outcome = new_item(data, "20261127.0930.abc@mail.example.vn")
    item = outcome.item
    assert item.text.normalised == SENTENCE
    assert item.text.subject == "Phản ánh ngập nước"  # RFC 2047, base64
    assert item.citizen.name == "Nguyễn Văn An"  # RFC 2047, Q encoding
    assert item.citizen.contacts.email == "an.nguyen@example.vn"
    assert item.citizen.preferred_channel is Channel.EMAIL
    assert item.citizen.last_inbound_at == item.received_at
    assert item.source_ref == "20261127.0930.abc@mail.example.vn"
    assert item.origin is not None
    assert item.origin.kind is OriginKind.EMAIL
    assert item.origin.account_id == "hopthu@mttq-vinhlong.example.vn"
    assert item.origin.message_id == "20261127.0930.abc@mail.example.vn"
    assert item.location.province_hint == "86"
    # The edge derived the id from the Message-ID; the normaliser keeps the raw record's.
    assert item.item_id == item_id_for(Channel.EMAIL, item.source_ref or "", secret="test")


def test_a_base64_tcvn3_email_labelled_latin1_is_converted() -> None:
    data = email(body=to_tcvn3(SENTENCE), charset="iso-8859-1", encoding="base64")
    assert new_item(data).item.text.normalised == SENTENCE


def test_a_vni_email_labelled_windows_1252_is_converted() -> None:
    data = email(body=VNI_SENTENCE.encode("cp1252"), charset="windows-1252")
    assert new_item(data).item.text.normalised == VNI_EXPECTED


def test_multipart_alternative_prefers_plain_text_and_keeps_attachments_as_metadata() -> None:
    item = new_item(alternative_email()).item
    assert item.text.normalised == "Cống thoát nước bị tắc ở tổ 5."
    [attachment] = item.attachments
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "cong.jpg",
        "image/jpeg",
        100,
    )


def test_an_html_only_email_is_turned_into_text() -> None:
    assert new_item(html_only_email()).item.text.normalised == "Đèn đường hỏng\n\nở ấp Phú Thọ"


def test_html_to_text_drops_scripts_and_styles() -> None:
    assert html_to_text("<style>x</style><p>A&amp;B</p><script>y</script>") == "A&B"


def test_a_bounce_is_not_feedback() -> None:
    assert email_outcome(raw_email(bounce()), RULES) == Dropped("auto_submitted")
    no_header = bounce().replace(b"Auto-Submitted: auto-replied\r\n", b"")
    assert email_outcome(raw_email(no_header), RULES) == Dropped("bounce")


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ("Auto-Submitted: auto-replied\r\n", "auto_submitted"),
        ("X-Autoreply: yes\r\n", "auto_reply"),
        ("Precedence: bulk\r\n", "precedence_bulk"),
        ("Precedence: auto_reply\r\n", "precedence_auto_reply"),
    ],
)
def test_auto_replies_are_not_feedback(extra: str, reason: str) -> None:
    data = email(body=b"I am away", extra=extra)
    assert email_outcome(raw_email(data), RULES) == Dropped(reason)
    assert isinstance(email_outcome(raw_email(auto_reply()), RULES), Dropped)


def test_auto_submitted_no_is_feedback() -> None:
    assert new_item(email(body=b"Xin chao", extra="Auto-Submitted: no\r\n"))


def test_a_reply_carries_the_tracking_code_and_the_thread() -> None:
    subject = "=?utf-8?Q?Re:_[HA-7K3Q-92XM]_Ph=E1=BA=A3n_=C3=A1nh?="
    data = email(
        body="Cảm ơn, nhưng nước vẫn ngập.".encode(),
        subject=subject,
        message_id="<reply-1@example.vn>",
        extra="In-Reply-To: <notify-9@hoiam.example>\r\n"
        "References: <first@example.vn> <notify-9@hoiam.example>\r\n",
    )
    outcome = new_item(data)
    assert outcome.reply_code == "HA-7K3Q-92XM"
    assert outcome.reply_refs == ("notify-9@hoiam.example", "first@example.vn")
    assert outcome.item.origin is not None
    assert outcome.item.origin.thread_id == "first@example.vn"
    assert outcome.item.origin.references == ("first@example.vn", "notify-9@hoiam.example")


def test_an_empty_body_still_makes_an_item() -> None:
    assert new_item(email(body=b"")).item.text.normalised == "Phản ánh ngập nước"


def test_read_email_refuses_what_is_not_mail() -> None:
    with pytest.raises(ValueError, match="empty"):
        read_email(b"  ")


def test_base64_subject_in_windows_1258_is_nfc() -> None:
    encoded = base64.b64encode(to_cp1258("Đường hỏng")).decode()
    data = email(body=b"x y z", subject=f"=?windows-1258?B?{encoded}?=")
    assert new_item(data).item.text.subject == "Đường hỏng"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_email_normaliser_never_crashes_on_bytes(data: bytes) -> None:
    with contextlib.suppress(ValueError):  # refused with a cause: the DLQ path
        email_outcome(raw_email(b"From: a@b.vn\r\n" + data), RULES)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_email_normalising_is_idempotent(text: str) -> None:
    data = email(body=text.encode(), message_id="<p@x.vn>")
    first = email_outcome(raw_email(data, "p@x.vn"), RULES)
    second = email_outcome(raw_email(data, "p@x.vn"), RULES)
    if isinstance(first, NewItem) and isinstance(second, NewItem):
        left = first.item.model_dump(exclude={"event_id", "occurred_at", "causation_id"})
        right = second.item.model_dump(exclude={"event_id", "occurred_at", "causation_id"})
        assert left == right
    else:
        assert first == second
