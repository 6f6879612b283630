"""An answer evaluated as unsatisfactory: sent back, its body is asked again and the voters told
it was reopened; marked for questioning, nobody is messaged (the console shows the mark)."""

from datetime import UTC, date, datetime
from uuid import UUID

from hoiam_notifier.domain.knowledge import ItemRecord, Links, Policy
from hoiam_notifier.domain.notifications import Notification
from hoiam_notifier.domain.plans import plan_status
from hoiam_shared.events import (
    BodyContact,
    BodyRef,
    Channel,
    Citizen,
    Contacts,
    RecipientKind,
    Status,
    StatusChange,
    StatusChanged,
)

LINKS = Links(console_url="https://console.example", public_url="https://hoiam.example")
NOON = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)
BODY = BodyRef(
    id="86-so-xay-dung",
    name="Sở Xây dựng tỉnh Vĩnh Long",
    level="province_department",
    contacts=(BodyContact(channel=Channel.EMAIL, address="soxaydung@vinhlong.example"),),
)
RECORD = ItemRecord(
    item_id=UUID(int=1),
    tracking_code="HA-TEST-0001",
    channel=Channel.EMAIL,
    citizen=Citizen(
        name="Nguyễn Văn An",
        contacts=Contacts(email="an@example.vn"),
        preferred_channel=Channel.EMAIL,
    ),
    text="Đường ấp Phú Thọ xuống cấp, đề nghị nâng cấp.",
    category="Giao thông",
    body=BODY,
    status=Status.RESOLVED,
)


def evaluated(**fields: object) -> StatusChanged:
    return StatusChanged.model_validate(
        {
            "correlation_id": UUID(int=1),
            "item_id": UUID(int=1),
            "tracking_code": "HA-TEST-0001",
            "previous_status": Status.RESOLVED,
            "body": BODY,
        }
        | fields
    )


def plan(event: StatusChanged) -> list[Notification]:
    return plan_status(event, records=[RECORD], reaches={}, links=LINKS, now=NOON, policy=Policy())


def test_a_sent_back_item_asks_its_body_again_with_the_evaluation_and_tells_the_citizen() -> None:
    event = evaluated(
        status=Status.REOPENED,
        reason="Trả lời chung chung, chưa nêu lộ trình",
        reason_code="sent_back",
        due_on=date(2026, 12, 18),
    )

    notifications = plan(event)

    [to_body] = [n for n in notifications if n.recipient_kind is RecipientKind.BODY]
    assert to_body.targets[0].address == "soxaydung@vinhlong.example"
    assert "chưa đạt yêu cầu" in to_body.text
    assert "Đánh giá: Trả lời chung chung, chưa nêu lộ trình" in to_body.text
    assert "18/12/2026" in to_body.text
    assert "Đường ấp Phú Thọ xuống cấp" in to_body.text  # the petition itself, again
    [citizen] = [n for n in notifications if n.recipient_kind is RecipientKind.CITIZEN]
    assert "mở lại" in citizen.text


def test_a_plain_reopening_does_not_write_to_the_body() -> None:
    notifications = plan(evaluated(status=Status.REOPENED, reason="the citizen rated it 1/5"))
    assert [n.recipient_kind for n in notifications] == [RecipientKind.CITIZEN]


def test_a_questioning_mark_messages_nobody() -> None:
    event = evaluated(
        status=Status.RESOLVED,
        change=StatusChange.QUESTIONED,
        reason="Đưa ra chất vấn",
        reason_code="questioning",
        session_id="ky-hop-11",
    )
    assert plan(event) == []
