"""Open311 GeoReport v2 requests, and the derived identities that make retries one item."""

import json
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from hoiam_intake.domain.channels.open311 import FORM_CONTENT_TYPE, open311_outcome
from hoiam_intake.domain.items import accept_raw
from hoiam_intake.domain.keys import (
    contact_keys,
    item_id_for,
    name_key,
    tracking_code_for,
)
from hoiam_intake.domain.outcomes import NewItem
from hoiam_intake.domain.rules import Rules
from hoiam_shared.events import Channel, Contacts, OriginKind
from hoiam_shared.ids import is_tracking_code, new_id, new_tracking_code

RULES = Rules(secret="test", account_provinces={"vinhlong.gov.vn": "86"})
FIELDS = {
    "jurisdiction_id": "vinhlong.gov.vn", "service_code": "giao-thong",
    "description": "Ổ gà lớn trên quốc lộ 53", "address_string": "Quốc lộ 53, xã Long Hồ",
    "lat": "10.2", "long": "105.95", "email": "hai.ly@Example.VN", "first_name": "Hải",
    "last_name": "Lý", "phone": "0903 123 456", "media_url": "https://example.vn/o-ga.jpg",
}  # fmt: skip


def outcome(payload: bytes, content_type: str) -> NewItem:
    raw = accept_raw(
        item_id=new_id(), tracking_code=new_tracking_code(), channel=Channel.OPEN311,
        payload=payload, content_type=content_type,
        received_at=datetime(2026, 11, 27, 3, 0, tzinfo=UTC),
    )  # fmt: skip
    result = open311_outcome(raw, RULES)
    assert isinstance(result, NewItem)
    return result


@pytest.mark.parametrize(
    ("payload", "content_type"),
    [
        (urlencode(FIELDS).encode(), FORM_CONTENT_TYPE),
        (json.dumps(FIELDS).encode(), "application/json"),
    ],
)
def test_an_open311_request_in_either_encoding(payload: bytes, content_type: str) -> None:
    item = outcome(payload, content_type).item
    assert item.channel is Channel.OPEN311
    assert item.text.normalised == "Ổ gà lớn trên quốc lộ 53"
    assert item.text.subject == "giao-thong"
    assert item.citizen.name == "Hải Lý"
    assert item.citizen.contacts == Contacts(email="hai.ly@example.vn", phone="+84903123456")
    assert item.citizen.preferred_channel is Channel.EMAIL
    assert item.location.raw_address == "Quốc lộ 53, xã Long Hồ"
    assert item.location.province_hint == "86"
    assert item.origin is not None
    assert item.origin.kind is OriginKind.OPEN311
    assert [a.filename for a in item.attachments] == ["https://example.vn/o-ga.jpg"]


def test_coordinates_alone_are_a_location() -> None:
    fields = {"service_code": "x", "description": "Cây đổ chắn đường", "lat": "10", "long": "106"}
    assert outcome(urlencode(fields).encode(), FORM_CONTENT_TYPE).item.location.raw_address == (
        "10.0,106.0"
    )


def test_an_open311_request_without_a_location_is_refused() -> None:
    with pytest.raises(ValueError, match="location"):
        outcome(urlencode({"service_code": "x", "description": "abc"}).encode(), FORM_CONTENT_TYPE)


def test_derived_ids_are_stable_and_keyed() -> None:
    one = item_id_for(Channel.ZALO, "msg-1", secret="a")
    assert one == item_id_for(Channel.ZALO, "msg-1", secret="a")
    assert one != item_id_for(Channel.ZALO, "msg-1", secret="b")
    assert one != item_id_for(Channel.FACEBOOK, "msg-1", secret="a")
    assert one.version == 5
    code = tracking_code_for(one, secret="a")
    assert is_tracking_code(code)
    assert code == tracking_code_for(one, secret="a")


def test_contact_and_name_keys() -> None:
    contacts = Contacts(phone="+84912345678", email="An@Example.vn", zalo_user_id="z1")
    assert contact_keys(contacts) == ["phone:+84912345678", "email:an@example.vn", "zalo:z1"]
    assert name_key("  Nguyễn   Văn Đức ") == name_key("nguyen van duc") == "nguyen van duc"
