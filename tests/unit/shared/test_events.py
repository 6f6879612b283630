"""The event envelope, frozen values, and decoding with versions, upcasters and unknown fields."""

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from hoiam_shared.events import (
    EVENT_TYPES,
    UPCASTERS,
    Channel,
    DeadLetterRecorded,
    Event,
    FeedbackReceived,
    RawFeedbackAccepted,
    Status,
    StatusChanged,
    UnknownEventError,
    decode_event,
)
from hoiam_shared.ids import new_id, new_tracking_code


def status_changed(**overrides: Any) -> StatusChanged:
    item_id = new_id()
    fields: dict[str, Any] = {
        "correlation_id": item_id,
        "item_id": item_id,
        "tracking_code": new_tracking_code(),
        "status": Status.ACKNOWLEDGED,
    } | overrides
    return StatusChanged.model_validate(fields)


def test_the_envelope_defaults_to_a_uuid7_id_and_the_current_utc_time() -> None:
    before = datetime.now(UTC)
    event = status_changed()
    after = datetime.now(UTC)

    assert event.event_id.version == 7
    assert event.occurred_at.utcoffset() == timedelta(0)
    assert before <= event.occurred_at <= after
    assert event.type == "StatusChanged"
    assert event.schema_version == 1
    assert event.causation_id is None


def test_two_events_get_different_ids() -> None:
    assert status_changed().event_id != status_changed().event_id


def test_occurred_at_in_another_time_zone_is_stored_in_utc() -> None:
    hanoi = timezone(timedelta(hours=7))

    event = status_changed(occurred_at=datetime(2026, 11, 28, 7, 15, tzinfo=hanoi))

    assert event.occurred_at.tzinfo == UTC
    assert event.occurred_at == datetime(2026, 11, 28, 0, 15, tzinfo=UTC)
    assert event.model_dump(mode="json")["occurred_at"].startswith("2026-11-28T00:15:00")


def test_a_naive_occurred_at_is_rejected() -> None:
    with pytest.raises(ValidationError, match="occurred_at"):
        status_changed(occurred_at=datetime(2026, 11, 28, 7, 15))


def test_events_and_their_values_are_frozen(examples: dict[str, Event]) -> None:
    item = examples["FeedbackReceived"]
    assert isinstance(item, FeedbackReceived)

    with pytest.raises(ValidationError, match="frozen"):
        item.tracking_code = "HA-0000-0000"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        item.citizen.contacts.email = "someone@else.example"  # type: ignore[misc]


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_every_event_type_survives_a_round_trip(name: str, examples: dict[str, Event]) -> None:
    event = examples[name]
    cls = EVENT_TYPES[name]

    decoded = decode_event(cls, event.to_bytes())

    assert type(decoded) is cls
    assert decoded == event
    assert decode_event(cls, event.to_bytes().decode()) == event  # str input as well as bytes


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_the_type_tag_matches_the_registry(name: str) -> None:
    cls = EVENT_TYPES[name]
    assert name == cls.TYPE
    assert cls.model_fields["type"].default == name
    assert cls.model_fields["schema_version"].default == cls.VERSION


def test_an_event_of_another_type_is_refused() -> None:
    raw = status_changed().to_bytes()

    with pytest.raises(UnknownEventError, match="FeedbackReceived"):
        decode_event(FeedbackReceived, raw)


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"{}", b'{"type": null}'])
def test_json_that_is_not_an_event_is_refused(raw: bytes) -> None:
    with pytest.raises(UnknownEventError):
        decode_event(StatusChanged, raw)


def test_a_newer_schema_version_is_refused_not_misread() -> None:
    data = json.loads(status_changed().to_bytes())
    data["schema_version"] = 2

    with pytest.raises(UnknownEventError, match="schema_version 2"):
        decode_event(StatusChanged, json.dumps(data))


def test_an_older_version_without_an_upcaster_is_refused() -> None:
    data = json.loads(status_changed().to_bytes())
    data["schema_version"] = 0

    with pytest.raises(UnknownEventError, match="no upcaster"):
        decode_event(StatusChanged, json.dumps(data))


def test_a_registered_upcaster_reads_an_old_version_as_the_current_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pretend v0 called the field `state` and wrote statuses in upper case.
    def v0_to_v1(data: dict[str, Any]) -> dict[str, Any]:
        upgraded = {k: v for k, v in data.items() if k != "state"}
        return upgraded | {"status": data["state"].lower(), "schema_version": 1}

    monkeypatch.setitem(UPCASTERS, ("StatusChanged", 0), v0_to_v1)
    current = status_changed(status=Status.RESOLVED)
    old = json.loads(current.to_bytes())
    del old["status"]
    old |= {"schema_version": 0, "state": "RESOLVED"}

    decoded = decode_event(StatusChanged, json.dumps(old))

    assert decoded.status is Status.RESOLVED
    assert decoded.schema_version == 1
    assert decoded.event_id == current.event_id


def test_unknown_fields_from_a_newer_writer_are_ignored(examples: dict[str, Event]) -> None:
    item = examples["FeedbackReceived"]
    data = json.loads(item.to_bytes())
    data["sentiment"] = "angry"
    data["citizen"]["contacts"]["viber"] = "+84912345678"

    decoded = decode_event(FeedbackReceived, json.dumps(data))

    assert decoded == item
    assert "sentiment" not in decoded.model_dump()


def test_an_invalid_field_is_a_value_error_for_the_dead_letter_path() -> None:
    data = json.loads(status_changed().to_bytes())
    data["status"] = "lost"

    with pytest.raises(ValueError, match="status"):
        decode_event(StatusChanged, json.dumps(data))


@given(payload=st.binary(max_size=300))
def test_raw_payload_bytes_round_trip_exactly(payload: bytes) -> None:
    item_id = new_id()
    raw = RawFeedbackAccepted(
        correlation_id=item_id,
        item_id=item_id,
        tracking_code="HA-0000-0000",
        channel=Channel.EMAIL,
        received_at=datetime(2026, 11, 27, tzinfo=UTC),
        content_type="message/rfc822",
        payload=base64.b64encode(payload),
    )

    assert raw.payload == payload
    assert decode_event(RawFeedbackAccepted, raw.to_bytes()).payload == payload


def test_dead_letter_value_keeps_non_utf8_bytes() -> None:
    value = b"\xff\xfe\x00 kh\xf4ng ph\xe1i UTF-8"
    letter = DeadLetterRecorded(
        correlation_id=new_id(),
        service="router",
        source_topic="feedback.received.v1",
        value=base64.b64encode(value),
        error_type="UnicodeDecodeError",
        error="invalid start byte",
    )

    assert decode_event(DeadLetterRecorded, letter.to_bytes()).value == value
