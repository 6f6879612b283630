"""The resolution message invites the citizen to rate the answer: a link to the rating form in
every text, and one button per score for the chats; nothing while no public site exists, and
nothing on other status changes."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from hoiam_notifier.domain.knowledge import ItemRecord, Links, Policy
from hoiam_notifier.domain.plans import plan_status
from hoiam_shared.events import BodyRef, Channel, Citizen, Status, StatusChange, StatusChanged

LINKS = Links(console_url="https://console.example", public_url="https://hoiam.example")
NOON = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)


def resolved(**fields: object) -> StatusChanged:
    return StatusChanged.model_validate(
        {
            "correlation_id": UUID(int=1),
            "item_id": UUID(int=1),
            "tracking_code": "HA-TEST-0001",
            "status": Status.RESOLVED,
            "answer": "Điện lực đã nối lại đường dây ngày 26/11.",
            "body": BodyRef(id="b", name="Công ty Điện lực Vĩnh Long", level="utility"),
        }
        | fields
    )


def petitioner(**citizen: object) -> ItemRecord:
    person = Citizen.model_validate(
        {"name": "Cử tri", "contacts": {"zalo_user_id": "zuser-9", "email": "c@example.vn"}}
        | {"preferred_channel": Channel.ZALO, "last_inbound_at": NOON - timedelta(hours=2)}
        | citizen
    )
    return ItemRecord.model_validate(
        {
            "item_id": UUID(int=1),
            "tracking_code": "HA-TEST-0001",
            "channel": Channel.ZALO,
            "citizen": person,
            "received_at": NOON - timedelta(hours=3),
        }
    )


def test_a_resolution_carries_the_rating_link_and_five_score_buttons() -> None:
    [message] = plan_status(
        resolved(), records=[petitioner()], reaches={}, links=LINKS, now=NOON, policy=Policy()
    )
    assert message.rating is not None
    page = "https://hoiam.example/t/HA-TEST-0001#rate"
    assert message.rating.page_url == page
    assert f"đánh giá từ 1 đến 5 sao: {page}" in message.text
    assert [b.score for b in message.rating.buttons] == [5, 4, 3, 2, 1]
    assert message.rating.buttons[0].url == "https://hoiam.example/t/HA-TEST-0001?score=5#rate"
    assert message.rating.buttons[-1].title == "1 ★ Rất không hài lòng"
    assert len(message.rating.title) <= 20  # Messenger's limit for a button title
    # The answer still comes first; the invitation follows it.
    assert message.text.index("Điện lực đã nối lại") < message.text.index(page)


def test_in_english_on_request() -> None:
    [message] = plan_status(
        resolved(),
        records=[petitioner(locale="en")],
        reaches={},
        links=LINKS,
        now=NOON,
        policy=Policy(),
    )
    assert message.rating is not None
    assert message.rating.title == "Rate the answer"
    assert "Rate it from 1 to 5: https://hoiam.example/t/HA-TEST-0001#rate" in message.text
    assert message.rating.buttons[0].title == "5 ★ Very satisfied"


@pytest.mark.parametrize(
    "event",
    [
        resolved(status=Status.ACKNOWLEDGED, answer=None),
        resolved(status=Status.REJECTED, answer=None, reason="x"),
        resolved(status=Status.REOPENED, answer=None),
        resolved(status=Status.ROUTED, change=StatusChange.REASSIGNED, answer=None),
    ],
)
def test_no_invitation_before_an_answer(event: StatusChanged) -> None:
    [message] = plan_status(
        event, records=[petitioner()], reaches={}, links=LINKS, now=NOON, policy=Policy()
    )
    assert message.rating is None
    assert "#rate" not in message.text


def test_no_invitation_without_a_public_site() -> None:
    [message] = plan_status(
        resolved(),
        records=[petitioner()],
        reaches={},
        links=Links(console_url=None, public_url=None),
        now=NOON,
        policy=Policy(),
    )
    assert message.rating is None
    assert "http" not in message.text
