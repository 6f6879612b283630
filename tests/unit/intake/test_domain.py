"""Intake rules: phone, email and text normalisation, the web form, and raw → item."""

import json
import unicodedata
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from hoiam_intake.domain.channels import UnsupportedChannelError, interpret
from hoiam_intake.domain.channels.web import WEB_CONTENT_TYPE, WebSubmission
from hoiam_intake.domain.items import (
    InvalidContactError,
    accept_raw,
    normalise_email,
    normalise_phone,
    normalise_text,
)
from hoiam_intake.domain.outcomes import NewItem
from hoiam_intake.domain.rules import Rules
from hoiam_shared.events import Channel, FeedbackReceived, RawFeedbackAccepted
from hoiam_shared.ids import new_id, new_tracking_code


def normalise(raw: RawFeedbackAccepted) -> FeedbackReceived:
    [outcome] = interpret(raw, Rules(secret="test"))
    assert isinstance(outcome, NewItem)
    return outcome.item


TEXT = "Đèn đường ở ấp Chợ bị hư hơn một tháng, buổi tối rất tối và nguy hiểm."


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0912345678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("+84 0912 345 678", "+84912345678"),  # the 0 kept after the country code
        ("84912345678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("0912-345-678", "+84912345678"),
        ("(091) 234 5678", "+84912345678"),
        ("  0383 456 789 ", "+84383456789"),
        # 11-digit mobiles renumbered in 2018
        ("01683456789", "+84383456789"),  # Viettel 0168 → 038
        ("01234567890", "+84834567890"),  # VinaPhone 0123 → 083
        ("01273456789", "+84813456789"),  # VinaPhone 0127 → 081
        ("01863456789", "+84563456789"),  # Vietnamobile 0186 → 056
        ("01993456789", "+84593456789"),  # Gmobile 0199 → 059
        ("+84 168 345 6789", "+84383456789"),
        # landlines: area code 2xx, 10 digits after the 0
        ("02943855123", "+842943855123"),  # Trà Vinh
        ("0294 3855 123", "+842943855123"),
        ("842943855123", "+842943855123"),
        # a foreign number written in E.164 stays as it is
        ("+1 202 555 0100", "+12025550100"),
    ],
)
def test_normalise_phone(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12",
        "abc",
        "0912 345 67x",
        "091234567",  # a digit short
        "09123456789",  # a digit too many for a current mobile
        "01003456789",  # 0100 was never a mobile prefix
        "0412345678",  # 04x is neither mobile nor landline any more
        "+1 23",
        "+84",
    ],
)
def test_normalise_phone_rejects(raw: str) -> None:
    with pytest.raises(InvalidContactError):
        normalise_phone(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("bich.tran@Example.VN", "bich.tran@example.vn"),
        ("  Bich.Tran@GMAIL.com ", "Bich.Tran@gmail.com"),  # the local part keeps its case
        ("an+hoiam@mail.vinhlong.gov.vn", "an+hoiam@mail.vinhlong.gov.vn"),
    ],
)
def test_normalise_email(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "bich.tran", "bich@", "@example.vn", "a@b", "a b@c.vn", "a@@b.vn"]
)
def test_normalise_email_rejects(raw: str) -> None:
    with pytest.raises(InvalidContactError):
        normalise_email(raw)


def test_normalise_text_turns_decomposed_letters_into_one_code_point_each() -> None:
    decomposed = unicodedata.normalize("NFD", "Đường bị ổ gà")
    assert decomposed != "Đường bị ổ gà"

    assert normalise_text(decomposed) == "Đường bị ổ gà"


def test_normalise_text_drops_control_characters_but_keeps_line_breaks() -> None:
    assert normalise_text("mất\x00 điện\x07\u200b\nba ngày") == "mất điện\nba ngày"


def test_normalise_text_collapses_spaces_and_trims_lines() -> None:
    assert normalise_text("  mất \t\u00a0 điện  \n   ba   ngày  ") == "mất điện\nba ngày"


def test_normalise_text_keeps_at_most_one_blank_line() -> None:
    assert normalise_text("\n\nmột\n\n\n\n\nhai\n \n\t\nba\n\n") == "một\n\nhai\n\nba"


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\u2028", "\x85"])
def test_normalise_text_treats_every_line_break_as_a_line_break(newline: str) -> None:
    # A lone CR (old Mac, some SMS gateways) or a Unicode line separator must not glue words.
    assert normalise_text(f"dòng một{newline}dòng hai") == "dòng một\ndòng hai"


def test_normalise_text_composes_a_mark_separated_from_its_letter_by_a_control() -> None:
    # "a", NUL, combining acute: NFC cannot compose across the NUL; dropping it must not leave
    # a decomposed "á" behind.
    assert normalise_text("ca\x00\u0301") == "cá"


# Plain text, plus text dense in what makes normalising hard: marks, controls, odd line breaks.
TRICKY = st.text(
    alphabet="aeoyĐ \t\n\r\x00\x0b\x85\u2028\u00a0\u200b\u0301\u0323\u0302\u1100\u1161"
)


@given(st.one_of(st.text(), TRICKY))
def test_normalise_text_never_raises_is_idempotent_and_nfc(text: str) -> None:
    once = normalise_text(text)

    assert normalise_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip()
    assert "\n\n\n" not in once


def web(**fields: Any) -> dict[str, Any]:
    return {"text": TEXT} | fields


def test_web_submission_rejects_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="extra"):
        WebSubmission.model_validate(web(is_admin=True))


@pytest.mark.parametrize("text", ["ab", "   ab   ", ""])
def test_web_submission_rejects_text_too_short(text: str) -> None:
    with pytest.raises(ValidationError, match="text"):
        WebSubmission.model_validate(web(text=text))


def test_web_submission_rejects_email_preferred_without_an_email() -> None:
    with pytest.raises(ValidationError, match="preferred_channel is email"):
        WebSubmission.model_validate(web(preferred_channel="email", phone="0912345678"))


def test_web_submission_rejects_phone_preferred_without_a_phone() -> None:
    with pytest.raises(ValidationError, match="preferred_channel is phone"):
        WebSubmission.model_validate(web(preferred_channel="phone", email="an@example.vn"))


def test_web_submission_rejects_an_invalid_phone() -> None:
    with pytest.raises(ValidationError, match="phone"):
        WebSubmission.model_validate(web(phone="12"))


def test_web_submission_normalises_contacts_and_treats_blank_as_absent() -> None:
    submission = WebSubmission.model_validate(
        web(email=" An.Nguyen@Example.VN ", phone="01683456789", address="")
    )

    assert submission.email == "An.Nguyen@example.vn"
    assert submission.phone == "+84383456789"
    assert submission.address == ""


def web_raw(payload: dict[str, Any], *, channel: Channel = Channel.WEB) -> RawFeedbackAccepted:
    return accept_raw(
        item_id=new_id(),
        tracking_code=new_tracking_code(),
        channel=channel,
        payload=json.dumps(payload, ensure_ascii=False).encode(),
        content_type=WEB_CONTENT_TYPE,
        received_at=datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
        source_ref="form-123",
    )


def test_normalise_turns_a_web_record_into_an_item() -> None:
    raw = web_raw(
        {
            "name": "  Trần   Thị Bích ",
            "email": "bich.tran@Example.VN",
            "phone": "0294 3855 123",
            "address": unicodedata.normalize("NFD", "ấp Long Hòa, tỉnh Trà Vinh"),
            "subject": "Mất   điện",
            "text": unicodedata.normalize("NFD", "Mất điện  ba ngày.\n\n\n\nĐề nghị xử lý."),
            "consent": True,
        }
    )

    item = normalise(raw)

    assert (item.item_id, item.correlation_id, item.causation_id) == (
        raw.item_id,
        raw.item_id,
        raw.event_id,
    )
    assert (item.tracking_code, item.channel, item.source_ref) == (
        raw.tracking_code,
        Channel.WEB,
        "form-123",
    )
    assert item.received_at == raw.received_at
    assert item.citizen.name == "Trần Thị Bích"
    assert item.citizen.contacts.email == "bich.tran@example.vn"
    assert item.citizen.contacts.phone == "+842943855123"
    assert item.citizen.preferred_channel is Channel.EMAIL
    assert item.citizen.consent is True
    assert item.text.normalised == "Mất điện ba ngày.\n\nĐề nghị xử lý."
    assert item.text.original == unicodedata.normalize(
        "NFD", "Mất điện  ba ngày.\n\n\n\nĐề nghị xử lý."
    )
    assert item.text.subject == "Mất điện"
    assert item.location.raw_address == "ấp Long Hòa, tỉnh Trà Vinh"


@pytest.mark.parametrize(
    ("fields", "channel"),
    [
        ({"email": "an@example.vn"}, Channel.EMAIL),
        ({"email": "an@example.vn", "phone": "0912345678"}, Channel.EMAIL),
        (
            {"email": "an@example.vn", "phone": "0912345678", "preferred_channel": "phone"},
            Channel.PHONE,
        ),
        ({"phone": "0912345678"}, Channel.PHONE),
        ({}, Channel.WEB),  # anonymous: the answer is only on the public page
    ],
)
def test_the_reply_channel_follows_what_the_citizen_gave(
    fields: dict[str, str], channel: Channel
) -> None:
    assert normalise(web_raw(web(**fields))).citizen.preferred_channel is channel


def test_an_open311_json_record_is_read_like_the_web_form() -> None:
    item = normalise(web_raw(web(), channel=Channel.OPEN311))
    assert item.channel is Channel.OPEN311
    assert item.text.normalised == TEXT


def test_an_invalid_payload_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="text"):
        normalise(web_raw({"text": "?"}))


def test_a_channel_without_a_normaliser_is_refused() -> None:
    raw = accept_raw(
        item_id=new_id(),
        tracking_code=new_tracking_code(),
        channel=Channel.MEETING,
        payload=b"Minutes of the voters' meeting",
        content_type="text/plain",
        received_at=datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
    )

    with pytest.raises(UnsupportedChannelError, match="meeting"):
        normalise(raw)


def test_accept_raw_keeps_the_bytes_exactly() -> None:
    payload = b"\xff\xfe not UTF-8"
    raw = accept_raw(
        item_id=new_id(),
        tracking_code="HA-7K3Q-92XM",
        channel=Channel.WEB,
        payload=payload,
        content_type="application/octet-stream",
        received_at=datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
    )

    assert raw.payload == payload
    assert raw.correlation_id == raw.item_id
