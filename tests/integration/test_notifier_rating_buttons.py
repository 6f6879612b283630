"""The rating buttons under a resolution, over real HTTP to the fake providers (which check
the providers' documented shapes): Zalo's consultation message carries five `oa.open.url`
buttons, Messenger's answer is followed by a button template that opens the rating page."""

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest

from fakes import InMemoryTokenStore
from hoiam_notifier.channels.meta import MetaSender
from hoiam_notifier.channels.port import Outgoing
from hoiam_notifier.channels.zalo import ZaloSender, ZaloToken, ZaloTokens
from hoiam_notifier.domain.knowledge import Links
from hoiam_notifier.domain.notifications import Notification, Target, Way
from hoiam_notifier.domain.texts import rating_invite
from hoiam_shared.events import RecipientKind
from support import notifier_providers as fake_api
from support.clock import TestClock
from support.notifier_providers import FakeProviders
from support.stack import free_port

CLOCK = TestClock.shifted()
CODE = "HA-7K3Q-92AB"
INVITE = rating_invite(CODE, links=Links(console_url=None, public_url="https://hoiam.example"),
                       english=False)  # fmt: skip
RESOLVED = Notification(
    event_id=UUID(int=21),
    item_id=UUID(int=22),
    tracking_code=CODE,
    recipient_kind=RecipientKind.CITIZEN,
    recipient="citizen:22",
    subject=f"[Hồi Âm {CODE}] Điện lực đã giải quyết",
    text=f"Kính gửi Ông/Bà,\n\nĐiện lực đã giải quyết. Mã theo dõi: {CODE}\n" + "Đánh giá… " * 80,
    html="<p>Kính gửi Ông/Bà,</p>",
    short_text=f"Hồi Âm {CODE}: đã giải quyết",
    rating=INVITE,
)


def outgoing(way: Way, address: str) -> Outgoing:
    target = Target(way=way, address=address)
    return Outgoing(RESOLVED, target, RESOLVED.delivery_id(target))


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProviders]:
    with FakeProviders(free_port()) as server:
        yield server


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as http:
        yield http


def zalo(fake: FakeProviders, client: httpx.AsyncClient) -> ZaloSender:
    tokens = ZaloTokens(
        client=client,
        oauth_base=f"{fake.url}/oauth",
        app_id=fake_api.APP_ID,
        secret_key=fake_api.SECRET_KEY,
        initial=ZaloToken(
            access_token=fake_api.ACCESS_TOKEN,
            refresh_token=fake_api.REFRESH_TOKEN,
            expires_at=CLOCK() + timedelta(hours=20),
        ),
        store=InMemoryTokenStore(),
        clock=CLOCK,
    )
    return ZaloSender(
        client=client,
        api_base=f"{fake.url}/zalo",
        zns_base=f"{fake.url}/zns",
        tokens=tokens,
        zns_template_id="tpl-42",
        clock=CLOCK,
    )


async def test_zalo_shows_five_score_buttons_that_open_the_rating_form(
    fake: FakeProviders, client: httpx.AsyncClient
) -> None:
    provider_id = await zalo(fake, client).send(outgoing(Way.ZALO_CS, "zuser-7"))

    request = fake.received("zalo_cs")[-1]
    assert request["accepted"]
    assert provider_id == request["answer"]["data"]["message_id"]
    message: dict[str, Any] = request["body"]["message"]
    assert message["text"] == RESOLVED.text[:2000]
    buttons = message["attachment"]["payload"]["buttons"]
    assert [b["type"] for b in buttons] == ["oa.open.url"] * 5
    assert [b["payload"]["url"] for b in buttons] == [
        f"https://hoiam.example/t/{CODE}?score={s}#rate" for s in (5, 4, 3, 2, 1)
    ]
    assert buttons[0]["title"] == "5 ★ Rất hài lòng"


async def test_a_zalo_message_with_six_buttons_is_refused_by_the_fake_as_by_zalo(
    fake: FakeProviders, client: httpx.AsyncClient
) -> None:
    url = f"{fake.url}/zalo/v3.0/oa/message/cs"
    button = {"title": "x", "type": "oa.open.url", "payload": {"url": "https://hoiam.example"}}
    answer = await client.post(
        url,
        headers={"access_token": fake_api.ACCESS_TOKEN},
        json={
            "recipient": {"user_id": "zuser-7"},
            "message": {
                "text": "x",
                "attachment": {"type": "template", "payload": {"buttons": [button] * 6}},
            },
        },
    )
    assert answer.json()["error"] == -201


async def test_messenger_follows_the_answer_with_a_rating_button(
    fake: FakeProviders, client: httpx.AsyncClient
) -> None:
    sender = MetaSender(
        client=client,
        graph_base=f"{fake.url}/graph/v21.0",
        page_id="me",
        page_token=fake_api.PAGE_TOKEN,
        clock=CLOCK,
    )
    before = len(fake.received("messenger"))
    provider_id = await sender.send(outgoing(Way.MESSENGER, "psid-7"))

    answer, button = fake.received("messenger")[before:]
    assert provider_id == answer["answer"]["message_id"]  # the answer is the delivery
    assert answer["body"]["message"] == {"text": RESOLVED.text[:2000]}
    assert button["accepted"]
    template = button["body"]["message"]["attachment"]["payload"]
    assert template["template_type"] == "button"
    assert template["buttons"] == [
        {"type": "web_url", "url": f"https://hoiam.example/t/{CODE}#rate",
         "title": "Đánh giá câu trả lời"}
    ]  # fmt: skip
    assert button["body"]["messaging_type"] == answer["body"]["messaging_type"]
