"""Size limits: a record Kafka cannot take is bad input (413, a cut text, a dead letter), never
an outage answered 503 forever or retried until the partition stalls."""

import pytest

from fakes import RecordingPublisher, intake_world
from hoiam_intake.domain.channels import interpret
from hoiam_intake.domain.items import accept_raw
from hoiam_intake.domain.outcomes import NewItem
from hoiam_intake.domain.rules import Rules
from hoiam_shared.events import Channel, FeedbackReceived, RawFeedbackAccepted
from hoiam_shared.ids import new_id, new_tracking_code
from hoiam_shared.kafka import RecordTooLargeError
from support.clock import TestClock
from support.intake_samples import email, email_with_attachment

KAFKA_RECORD = 1_048_576
"""Kafka's default largest record (the producer's max.request.size)."""
RULES = Rules(secret="test", max_text_chars=20_000)
MAIL = {"content-type": "message/rfc822"}


def mail_raw(payload: bytes) -> RawFeedbackAccepted:
    return accept_raw(
        item_id=new_id(),
        tracking_code=new_tracking_code(),
        channel=Channel.EMAIL,
        payload=payload,
        content_type="message/rfc822",
        received_at=TestClock.daytime()(),
    )


def item_of(payload: bytes) -> FeedbackReceived:
    [outcome] = interpret(mail_raw(payload), RULES)
    assert isinstance(outcome, NewItem)
    return outcome.item


async def test_an_850_kb_email_is_413_with_the_limit_not_503() -> None:
    world = intake_world(publisher=RecordingPublisher(max_record_bytes=KAFKA_RECORD))
    mail = email_with_attachment(
        text="Kính gửi Mặt trận, xin xem đơn đính kèm.", attachment=620_000
    )
    assert 840_000 < len(mail) < 870_000
    async with world.http() as http:
        answer = await http.post("/v1/intake/email", content=mail, headers=MAIL)
    assert answer.status_code == 413, answer.text
    assert "email" in answer.json()["detail"]
    assert str(world.settings.body_limit("email")) in answer.json()["detail"]
    assert world.published.published == []


async def test_each_endpoint_has_its_own_limit() -> None:
    world = intake_world(max_body_bytes_by_endpoint={"web": 2_000, "email": 50_000})
    web = {"text": "Đường ấp 3 ngập sâu " * 200}
    async with world.http() as http:
        refused = await http.post("/v1/intake/web", json=web)
        taken = await http.post(
            "/v1/intake/email",
            content=email(body=("Đường ấp 3 ngập " * 200).encode()),
            headers=MAIL,
        )
    assert refused.status_code == 413
    assert "web" in refused.json()["detail"]
    assert taken.status_code == 202, taken.text
    assert world.settings.body_limit("web") == 2_000
    assert world.settings.body_limit("zalo") <= world.settings.max_body_bytes


async def test_a_raw_record_kafka_refuses_is_413_and_not_retried() -> None:
    # Whatever the limits say, a record the broker refuses is the caller's to make smaller.
    world = intake_world(publisher=RecordingPublisher(max_record_bytes=4_000))
    async with world.http() as http:
        answer = await http.post(
            "/v1/intake/email", content=email(body=("Ngập nước " * 600).encode()), headers=MAIL
        )
    assert answer.status_code == 413, answer.text
    assert "Retry-After" not in answer.headers
    assert "too large" in answer.json()["detail"]


def test_a_record_too_large_is_bad_input_for_every_consumer() -> None:
    # consume_event parks a ValueError in the DLQ; only outages are retried.
    assert issubclass(RecordTooLargeError, ValueError)


def test_a_720_kb_email_becomes_an_item_with_its_attachment_as_metadata_only() -> None:
    mail = email_with_attachment(text="Đề nghị xem xét đơn của gia đình tôi.", attachment=520_000)
    assert 700_000 < len(mail) < 740_000
    raw = mail_raw(mail)
    assert len(raw.to_bytes()) < KAFKA_RECORD  # the raw bytes fit, base64 and all
    item = item_of(mail)
    [scan] = item.attachments
    assert (scan.filename, scan.content_type, scan.size) == (
        "don-kien-nghi.pdf",
        "application/pdf",
        520_000,
    )
    assert len(item.to_bytes()) < 5_000


def test_a_long_text_is_cut_with_a_marker_and_its_full_length_kept() -> None:
    words = "Nước thải từ cơ sở chế biến chảy ra kênh, mùi hôi nồng nặc. " * 6_000
    item = item_of(email(body=words.encode()))
    text = item.text
    assert text.original_length == len(words.strip()) or text.original_length == len(words)
    assert len(text.original) <= 20_000 + 200
    assert len(text.normalised) <= 20_000 + 200
    assert "cắt bớt" in text.original
    assert "cắt bớt" in text.normalised
    assert text.normalised.startswith("Nước thải từ cơ sở chế biến")
    assert len(item.to_bytes()) < 200_000


def test_short_text_is_not_marked() -> None:
    item = item_of(email(body="Đèn đường tổ 5 hỏng đã một tháng.".encode()))
    assert item.text.original_length is None
    assert "cắt bớt" not in item.text.original


def test_a_huge_subject_and_thousands_of_attachments_are_capped() -> None:
    subject = "Kiến nghị " * 20_000
    mail = email(body="Xem tiêu đề.".encode(), subject=subject)
    item = item_of(mail)
    assert item.text.subject is not None
    assert len(item.text.subject) <= 1_000
    assert len(item.to_bytes()) < 100_000


async def test_an_item_still_too_large_is_a_dead_letter_not_a_stalled_partition() -> None:
    world = intake_world(publisher=RecordingPublisher(max_record_bytes=3_000))
    raw = mail_raw(email(body=("Cống thoát nước tắc nghẽn, ngập cả xóm. " * 200).encode()))
    with pytest.raises(RecordTooLargeError):
        await world.parts.normalise(raw)


def test_a_limit_under_1_kib_is_refused_when_the_settings_load() -> None:
    # A limit that small would refuse every real submission.
    with pytest.raises(ValueError, match="greater than or equal"):
        intake_world(max_body_bytes_by_endpoint={"web": 10})
