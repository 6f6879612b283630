"""One minimal valid instance of every event type, for round-trip and schema tests."""

import base64
from datetime import UTC, date, datetime
from typing import Any

import pytest

from hoiam_shared.events import (
    AnswerPublished,
    BodyContact,
    BodyRef,
    CategoryRef,
    Channel,
    CitizenErased,
    ContactReachabilityChanged,
    DeadLetterRecorded,
    Event,
    FeedbackMessageAdded,
    FeedbackRouted,
    FrontLevel,
    ItemRated,
    NoteAdded,
    NoteKind,
    NotificationFailed,
    NotificationSent,
    OperatorTaskOpened,
    Origin,
    OriginKind,
    RawFeedbackAccepted,
    RecipientKind,
    Status,
    StatusChanged,
)
from hoiam_shared.ids import new_id, new_tracking_code
from support.samples import make_received

RECEIVED_AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def example_events() -> dict[str, Event]:
    item = make_received("Khu vực ấp Long Hòa bị mất điện kéo dài 3 ngày.", address="tỉnh Trà Vinh")
    common: dict[str, Any] = {"correlation_id": item.item_id, "item_id": item.item_id}
    code = item.tracking_code
    examples: list[Event] = [
        RawFeedbackAccepted(
            **common,
            tracking_code=new_tracking_code(),
            channel=Channel.WEB,
            received_at=RECEIVED_AT,
            content_type="application/json",
            payload=base64.b64encode(b'{"text": "m\xe1\xba\xa5t \xc4\x91i\xe1\xbb\x87n"}'),
        ),
        item,
        FeedbackRouted(
            **common,
            causation_id=item.event_id,
            tracking_code=code,
            status=Status.ROUTED,
            category=CategoryRef(code="electricity", name="Điện"),
            body=BodyRef(
                id="vl-dien-luc",
                name="Công ty Điện lực Vĩnh Long",
                level="utility",
                contacts=(
                    BodyContact(channel=Channel.EMAIL, address="cskh@dienluc-vinhlong.example"),
                ),
            ),
            confidence=0.857,
            reasons=("category electricity from words 'mất điện'",),
            due_on=date(2026, 12, 11),
            channel=item.channel,
            citizen=item.citizen,
            text=item.text.normalised,
        ),
        StatusChanged(**common, tracking_code=code, status=Status.RESOLVED, answer="Đã sửa."),
        NotificationSent(
            **common,
            tracking_code=code,
            delivery_id="d-1",
            recipient_kind=RecipientKind.CITIZEN,
            channel=Channel.EMAIL,
            attempts=1,
        ),
        NotificationFailed(
            **common,
            tracking_code=code,
            delivery_id="d-2",
            recipient_kind=RecipientKind.BODY,
            channel=Channel.EMAIL,
            error="550 mailbox unavailable",
            attempts=3,
        ),
        DeadLetterRecorded(
            correlation_id=new_id(),
            service="intake",
            source_topic="intake.raw.v1",
            partition=0,
            offset=42,
            key="k1",
            headers={"traceparent": "00-abc"},
            value=base64.b64encode(b"\xff not json"),
            error_type="JSONDecodeError",
            error="Expecting value",
        ),
        FeedbackMessageAdded(
            **common,
            tracking_code=code,
            channel=Channel.EMAIL,
            source_ref="<reply-1@mail.example>",
            kind="reply",
            received_at=RECEIVED_AT,
            text=item.text,
            origin=Origin(kind=OriginKind.EMAIL, message_id="<reply-1@mail.example>"),
        ),
        ContactReachabilityChanged(
            correlation_id=new_id(),
            channel=Channel.ZALO,
            address="8432871234567",
            reachable=False,
            reason="unfollowed",
            changed_at=RECEIVED_AT,
        ),
        OperatorTaskOpened(
            correlation_id=new_id(),
            task_id="call-back:1700000000.42",
            kind="call_back",
            phone="+84901234567",
            reason="missed call",
            opened_at=RECEIVED_AT,
        ),
        ItemRated(
            **common,
            tracking_code=item.tracking_code,
            score=2,
            reason="Vá xong lại bể",
            body_id="29341-ubnd-xa",
            body_name="Ủy ban nhân dân xã Tiểu Cần",
            rated_at=RECEIVED_AT,
        ),
        NoteAdded(
            **common,
            tracking_code=code,
            kind=NoteKind.FORWARD,
            text="Cử tri bức xúc, nhờ tỉnh đôn đốc.",
            actor="operator:mttq-xa",
            from_level=FrontLevel.COMMUNE,
            to_level=FrontLevel.PROVINCE,
            province_code="86",
            commune_code="29050",
        ),
        AnswerPublished(
            **common,
            publication_id="pub-" + code,
            tracking_code=code,
            summary="Cử tri ấp Phú Thọ đề nghị sửa đường đal, số điện thoại [đã ẩn].",
            answer="UBND xã đã bố trí kinh phí sửa chữa trong quý II.",
            body_id="29341-ubnd-xa",
            body_name="Ủy ban nhân dân xã Tiểu Cần",
            category_code="giao_thong",
            province_code="86",
            commune_code="29050",
            answered_on=date(2026, 3, 2),
            approved_by="operator:mttq-tinh",
            published_at=RECEIVED_AT,
        ),
        CitizenErased(
            **common,
            citizen_id="cit-0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
            verified_by="CCCD checked in person at the commune Front office",
            request_ref="DN-2026-014",
            actor="operator:mttq-tinh",
            erased_at=RECEIVED_AT,
        ),
    ]
    return {event.type: event for event in examples}


@pytest.fixture
def examples() -> dict[str, Event]:
    return example_events()
