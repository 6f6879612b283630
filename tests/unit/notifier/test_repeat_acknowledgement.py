"""A routed item that repeats a published answer: the citizen's acknowledgement says so and links
the answer, on every way it goes (the full text for email, Zalo and Messenger, the short form for
SMS and public comment replies), in Vietnamese or English."""

from datetime import UTC, datetime

from hoiam_notifier.domain.knowledge import Links, Policy, Reachability
from hoiam_notifier.domain.notifications import Notification, Way
from hoiam_notifier.domain.plans import plan_routed
from hoiam_router.domain import route
from hoiam_router.domain.events import routed_event
from hoiam_shared.events import (
    Channel,
    Citizen,
    Contacts,
    FeedbackRouted,
    Origin,
    OriginKind,
    RecipientKind,
    RepeatMatch,
)
from hoiam_shared.ids import new_id
from support.router import bundled_directory
from support.samples import make_received

LINKS = Links(console_url="https://console.example", public_url="https://hoiam.example")
NOON = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)
ROAD = "Đường ấp 3 bị sạt lở, nhiều ổ gà nguy hiểm cho học sinh"
ANSWER_URL = "https://hoiam.example/answers/pub-42"
REPEAT = RepeatMatch(
    item_id=new_id(),
    tracking_code="HA-7K3Q-92",
    publication_id="pub-42",
    score=0.61,
    threshold=0.35,
    shared_terms=("sạt lở", "ổ gà"),
    place="29341",
)


def repeating(citizen: Citizen | None = None, *, origin: Origin | None = None) -> FeedbackRouted:
    item = make_received(ROAD, address="ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh")
    update: dict[str, object] = {"last_inbound_at": item.received_at}
    item = item.model_copy(
        update={"citizen": (citizen or item.citizen).model_copy(update=update), "origin": origin}
    )
    decision = route(item, bundled_directory(), fallback_province=None)
    return routed_event(item, decision, at=item.received_at, repeat_of=REPEAT)


def acknowledgement(routed: FeedbackRouted, links: Links = LINKS) -> Notification:
    plan = plan_routed(routed, reach=Reachability(), links=links, now=NOON, policy=Policy())
    [citizen] = [n for n in plan if n.recipient_kind is RecipientKind.CITIZEN]
    return citizen


def test_the_email_says_it_was_answered_before_and_links_the_answer() -> None:
    routed = repeating()
    ack = acknowledgement(routed)
    assert [t.way for t in ack.targets] == [Way.EMAIL]
    assert "Một kiến nghị tương tự ở cùng địa phương đã được trả lời" in ack.text
    assert f"Xem câu trả lời: {ANSWER_URL}" in ack.text
    assert ANSWER_URL in ack.html
    # Still routed as usual, and its own status page beside the answer's.
    assert f"https://hoiam.example/t/{routed.tracking_code}" in ack.text
    assert "vẫn được xem xét, giải quyết như thường lệ" in ack.text


def test_zalo_messenger_and_sms_carry_the_link_too() -> None:
    zalo = Citizen(
        contacts=Contacts(zalo_user_id="z1", phone="+84912345678"),
        preferred_channel=Channel.ZALO,
    )
    ack = acknowledgement(repeating(zalo, origin=Origin(kind=OriginKind.ZALO_MESSAGE)))
    ways = [t.way for t in ack.targets]
    assert Way.ZALO_CS in ways
    assert Way.SMS in ways
    assert ANSWER_URL in ack.text  # the Zalo consultation message is the text
    assert ack.short_text.endswith(f"Đã có trả lời tương tự: {ANSWER_URL}")  # the SMS
    assert len(ack.short_text) <= 480
    messenger = Citizen(
        contacts=Contacts(facebook_psid="psid-1"), preferred_channel=Channel.FACEBOOK
    )
    ack = acknowledgement(repeating(messenger, origin=Origin(kind=OriginKind.MESSENGER)))
    assert [t.way for t in ack.targets] == [Way.MESSENGER]
    assert ANSWER_URL in ack.text[:2000]  # what Messenger sends


def test_in_english_on_request() -> None:
    english = Citizen(
        name="Jane",
        contacts=Contacts(email="jane@example.org"),
        preferred_channel=Channel.EMAIL,
        locale="en",
    )
    ack = acknowledgement(repeating(english))
    assert "A similar petition from the same place has already been answered" in ack.text
    assert f"Read it: {ANSWER_URL}" in ack.text
    assert ack.short_text.endswith(f"Answered before: {ANSWER_URL}")


def test_without_a_public_site_it_names_the_answers_tracking_code() -> None:
    ack = acknowledgement(repeating(), Links(console_url=None, public_url=None))
    assert "/answers/" not in ack.text
    assert "Mã theo dõi: HA-7K3Q-92." in ack.text
    assert ack.short_text.endswith("Đã có trả lời tương tự: HA-7K3Q-92")


def test_an_item_repeating_nothing_says_nothing_of_it() -> None:
    routed = repeating().model_copy(update={"repeat_of": None})
    ack = acknowledgement(routed)
    assert "tương tự" not in ack.text
    assert "/answers/" not in ack.short_text
