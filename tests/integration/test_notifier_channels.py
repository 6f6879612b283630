"""Channel adapters against the fake providers (real HTTP) and aiosmtpd (real SMTP): request
shapes, auth, token refresh, error classes; and one contract run against the fake and the real."""

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import httpx
import pytest

from fakes import InMemorySender, InMemoryTokenStore
from hoiam_notifier.channels.errors import ErrorKind, Verdict
from hoiam_notifier.channels.meta import MetaSender
from hoiam_notifier.channels.port import Outgoing, Sender, SendError
from hoiam_notifier.channels.sms import SmsSender
from hoiam_notifier.channels.smtp import SmtpSender
from hoiam_notifier.channels.zalo import TokenStore, ZaloSender, ZaloToken, ZaloTokens
from hoiam_notifier.domain.notifications import HUMAN_AGENT, Notification, Target, Way
from hoiam_shared.events import RecipientKind
from support import notifier_providers as fake_api
from support.clock import TestClock
from support.notifier_providers import FakeProviders
from support.smtp import SmtpServer
from support.stack import free_port

NOTIFICATION = Notification(
    event_id=UUID(int=11),
    item_id=UUID(int=12),
    tracking_code="HA-7K3Q-92AB",
    recipient_kind=RecipientKind.CITIZEN,
    recipient="citizen:12",
    subject="[Hồi Âm HA-7K3Q-92AB] Thông báo",
    text="Kính gửi Ông/Bà,\n\nĐiện lực đã giải quyết. Mã theo dõi: HA-7K3Q-92AB",
    html="<p>Kính gửi Ông/Bà,</p>",
    short_text="Hồi Âm HA-7K3Q-92AB: đã giải quyết",
    template_data={"customer_name": "Ông/Bà", "tracking_code": "HA-7K3Q-92AB", "status": "xong"},
    in_reply_to="<orig@mail.example>",
    references=("<first@mail.example>", "<orig@mail.example>"),
)


CLOCK = TestClock.shifted()  # token expiry and Retry-After dates are read against it


def outgoing(way: Way, address: str, **target: Any) -> Outgoing:
    t = Target(way=way, address=address, **target)
    return Outgoing(NOTIFICATION, t, NOTIFICATION.delivery_id(t))


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProviders]:
    with FakeProviders(free_port()) as server:
        yield server


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as http:
        yield http


def zalo(
    fake: FakeProviders,
    client: httpx.AsyncClient,
    *,
    access: str = fake_api.ACCESS_TOKEN,
    refresh: str = fake_api.REFRESH_TOKEN,
    expires_at: datetime | None = None,
    store: TokenStore | None = None,
) -> ZaloSender:
    initial = ZaloToken(
        access_token=access,
        refresh_token=refresh,
        expires_at=expires_at or CLOCK() + timedelta(hours=20),
    )
    tokens = ZaloTokens(
        client=client,
        oauth_base=f"{fake.url}/oauth",
        app_id=fake_api.APP_ID,
        secret_key=fake_api.SECRET_KEY,
        initial=initial,
        store=store or InMemoryTokenStore(),
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


def meta(fake: FakeProviders, client: httpx.AsyncClient) -> MetaSender:
    return MetaSender(
        client=client,
        graph_base=f"{fake.url}/graph/v21.0",
        page_id="me",
        page_token=fake_api.PAGE_TOKEN,
        clock=CLOCK,
    )


def sms(fake: FakeProviders, client: httpx.AsyncClient) -> SmsSender:
    return SmsSender(
        client=client, url=f"{fake.url}/sms/send", token=fake_api.SMS_TOKEN, clock=CLOCK
    )


def last(fake: FakeProviders, provider: str) -> dict[str, Any]:
    return fake.received(provider)[-1]


async def test_zalo_consultation_message_shape(
    fake: FakeProviders, client: httpx.AsyncClient
) -> None:
    provider_id = await zalo(fake, client).send(outgoing(Way.ZALO_CS, "zuser-1"))

    request = last(fake, "zalo_cs")
    assert request["path"] == "/zalo/v3.0/oa/message/cs"
    assert request["headers"]["access_token"] == fake_api.ACCESS_TOKEN
    assert request["body"] == {
        "recipient": {"user_id": "zuser-1"},
        "message": {"text": NOTIFICATION.text},
    }
    assert provider_id == request["answer"]["data"]["message_id"]


async def test_zns_template_message_shape(fake: FakeProviders, client: httpx.AsyncClient) -> None:
    out = outgoing(Way.ZALO_ZNS, "+84912345678")

    provider_id = await zalo(fake, client).send(out)

    request = last(fake, "zns")
    assert request["path"] == "/zns/message/template"
    assert request["body"] == {
        "phone": "84912345678",
        "template_id": "tpl-42",
        "template_data": NOTIFICATION.template_data,
        "tracking_id": out.delivery_id,
    }
    assert provider_id == request["answer"]["data"]["msg_id"]


async def test_an_invalid_zalo_token_is_refreshed_and_the_new_refresh_token_kept(
    fake: FakeProviders, client: httpx.AsyncClient
) -> None:
    store = InMemoryTokenStore()
    sender = zalo(fake, client, store=store, refresh=fake.state.refresh_token)
    fake.expire_zalo_token()

    await sender.send(outgoing(Way.ZALO_CS, "zuser-2"))

    refused, accepted = fake.received("zalo_cs")[-2:]
    assert refused["answer"]["error"] == -216
    [refresh] = [r for r in fake.received("zalo_oauth") if r["accepted"]][-1:]
    assert refresh["headers"]["secret_key"] == fake_api.SECRET_KEY
    assert refresh["body"]["grant_type"] == "refresh_token"
    assert refresh["body"]["app_id"] == fake_api.APP_ID
    assert accepted["accepted"]
    assert accepted["headers"]["access_token"] == refresh["answer"]["access_token"]
    assert store.token is not None
    assert (
        store.token.refresh_token == refresh["answer"]["refresh_token"] == fake.state.refresh_token
    )


async def test_an_expiring_zalo_token_is_refreshed_before_sending(
    fake: FakeProviders, client: httpx.AsyncClient
) -> None:
    sender = zalo(
        fake,
        client,
        access="stale",
        refresh=fake.state.refresh_token,
        expires_at=CLOCK() - timedelta(minutes=1),
    )
    refused_before = len(fake.received("zalo_cs", accepted=False))

    await sender.send(outgoing(Way.ZALO_CS, "zuser-3"))

    assert len(fake.received("zalo_cs", accepted=False)) == refused_before
    assert last(fake, "zalo_cs")["accepted"]


async def test_messenger_response_and_human_agent_shapes(
    fake: FakeProviders, client: httpx.AsyncClient
) -> None:
    sender = meta(fake, client)

    await sender.send(outgoing(Way.MESSENGER, "psid-1"))
    await sender.send(outgoing(Way.MESSENGER, "psid-1", tag=HUMAN_AGENT))

    response, tagged = fake.received("messenger")[-2:]
    assert response["path"] == "/graph/v21.0/me/messages"
    assert response["query"] == {}  # the page token never in a URL that proxies and logs keep
    assert response["headers"]["authorization"] == f"Bearer {fake_api.PAGE_TOKEN}"
    assert response["body"] == {
        "recipient": {"id": "psid-1"},
        "messaging_type": "RESPONSE",
        "message": {"text": NOTIFICATION.text},
    }
    assert tagged["body"]["messaging_type"] == "MESSAGE_TAG"
    assert tagged["body"]["tag"] == "HUMAN_AGENT"
    assert tagged["accepted"]


async def test_a_comment_reply_goes_under_the_comment_without_personal_data(
    fake: FakeProviders, client: httpx.AsyncClient
) -> None:
    provider_id = await meta(fake, client).send(
        outgoing(Way.FB_COMMENT, "post1_c9", reply_to="post1_c9")
    )

    request = last(fake, "fb_comment")
    assert request["path"] == "/graph/v21.0/post1_c9/comments"
    assert request["body"] == {"message": NOTIFICATION.short_text}
    assert provider_id == request["answer"]["id"]


async def test_sms_gateway_shape(fake: FakeProviders, client: httpx.AsyncClient) -> None:
    out = outgoing(Way.SMS, "+84912345678")

    await sms(fake, client).send(out)

    request = last(fake, "sms")
    assert request["headers"]["authorization"] == f"Bearer {fake_api.SMS_TOKEN}"
    assert request["body"] == {
        "to": "+84912345678",
        "text": NOTIFICATION.short_text,
        "client_ref": out.delivery_id,
    }


ERRORS = [
    # (way, address, script or None for a naturally bad address, kind, retry_after)
    (Way.ZALO_CS, "z-window", {"zalo_error": -230}, ErrorKind.FALLBACK, None),
    (Way.ZALO_CS, "z-unfollowed", {"zalo_error": -213}, ErrorKind.FALLBACK, None),
    (Way.ZALO_CS, "z-busy", {"zalo_error": -32}, ErrorKind.RETRY, None),
    (Way.ZALO_ZNS, "+8412", None, ErrorKind.FAIL, None),
    (Way.MESSENGER, "p-window", {"meta_error": [10, 2018278]}, ErrorKind.FALLBACK, None),
    (Way.MESSENGER, "p-gone", {"meta_error": [551, 1545041]}, ErrorKind.FALLBACK, None),
    (Way.MESSENGER, "p-rate", {"meta_error": [613, None]}, ErrorKind.RETRY, None),
    (Way.MESSENGER, "p-5xx", {"status": 503}, ErrorKind.RETRY, None),
    (Way.SMS, "+84987654321", {"status": 429, "retry_after": 2}, ErrorKind.RETRY, 2.0),
    (Way.SMS, "0912", None, ErrorKind.FAIL, None),
]


@pytest.mark.parametrize(("way", "address", "script", "kind", "retry_after"), ERRORS)
async def test_provider_errors_are_classified(
    fake: FakeProviders,
    client: httpx.AsyncClient,
    way: Way,
    address: str,
    script: dict[str, Any] | None,
    kind: ErrorKind,
    retry_after: float | None,
) -> None:
    if script is not None:
        fake.script(address, script)
    senders: dict[Way, Sender] = {
        Way.ZALO_CS: zalo(fake, client, refresh=fake.state.refresh_token),
        Way.ZALO_ZNS: zalo(fake, client, refresh=fake.state.refresh_token),
        Way.MESSENGER: meta(fake, client),
        Way.SMS: sms(fake, client),
    }
    sender = senders[way]
    if way in (Way.ZALO_CS, Way.ZALO_ZNS):
        fake.state.access_tokens.add(fake_api.ACCESS_TOKEN)

    with pytest.raises(SendError) as raised:
        await sender.send(outgoing(way, address))

    assert raised.value.verdict.kind is kind
    assert raised.value.answer  # the provider's own words are kept
    assert raised.value.retry_after == retry_after


async def test_an_unreachable_provider_is_a_retry(client: httpx.AsyncClient) -> None:
    sender = SmsSender(
        client=client, url=f"http://127.0.0.1:{free_port()}/sms", token="t", clock=CLOCK
    )

    with pytest.raises(SendError) as raised:
        await sender.send(outgoing(Way.SMS, "+84912345678"))

    assert raised.value.verdict.kind is ErrorKind.RETRY


# --- email --------------------------------------------------------------------------------------


def smtp_sender(port: int) -> SmtpSender:
    return SmtpSender(
        host="127.0.0.1",
        port=port,
        username=None,
        password=None,
        starttls=False,
        timeout=5,
        mail_from="Hồi Âm <hoi-am@hoiam.example>",
        mail_domain="hoiam.example",
        clock=CLOCK,
    )


async def test_email_replies_in_the_citizens_thread_with_text_and_html() -> None:
    out = outgoing(Way.EMAIL, "cutri@example.vn")
    with SmtpServer(free_port()) as smtp:
        provider_id = await smtp_sender(smtp.port).send(out)
        [message] = smtp.recorder.messages

    assert isinstance(message, EmailMessage)
    assert message["Message-ID"].strip() == provider_id == f"<{out.delivery_id}@hoiam.example>"
    assert message["In-Reply-To"].strip() == "<orig@mail.example>"
    assert message["References"].split() == ["<first@mail.example>", "<orig@mail.example>"]
    assert "HA-7K3Q-92AB" in message["Subject"]
    plain, rich = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None
    assert rich is not None
    assert "Điện lực đã giải quyết" in plain.get_content()


async def test_a_refused_mailbox_fails_and_a_busy_server_retries() -> None:
    with SmtpServer(free_port()) as smtp:
        smtp.recorder.refuse_next = 1  # answers 451
        with pytest.raises(SendError) as busy:
            await smtp_sender(smtp.port).send(outgoing(Way.EMAIL, "cutri@example.vn"))
    with pytest.raises(SendError) as down:
        await smtp_sender(free_port()).send(outgoing(Way.EMAIL, "cutri@example.vn"))

    assert busy.value.verdict.kind is ErrorKind.RETRY
    assert busy.value.answer is not None
    assert "451" in busy.value.answer
    assert down.value.verdict.kind is ErrorKind.RETRY


async def test_email_reuses_its_session_and_opens_a_new_one_after_a_failure_or_a_restart() -> None:
    port = free_port()
    sender = smtp_sender(port)
    with SmtpServer(port) as smtp:
        for n in range(3):
            await sender.send(outgoing(Way.EMAIL, f"cutri{n}@example.vn"))
        smtp.recorder.refuse_next = 1
        with pytest.raises(SendError):
            await sender.send(outgoing(Way.EMAIL, "busy@example.vn"))
        await sender.send(outgoing(Way.EMAIL, "after@example.vn"))
        peers = list(smtp.recorder.peers)
        delivered = [str(m["To"]) for m in smtp.recorder.messages]
    # The server went away with our idle session; the next send reconnects and is delivered.
    with SmtpServer(port) as restarted:
        await sender.send(outgoing(Way.EMAIL, "restarted@example.vn"))
        again = [str(m["To"]) for m in restarted.recorder.messages]
    await sender.close()

    assert delivered == [f"cutri{n}@example.vn" for n in range(3)] + ["after@example.vn"]
    assert len(set(peers[:4])) == 1  # one session for the first messages and the refused one
    assert peers[4] != peers[3]  # a session that failed is not used again
    assert again == ["restarted@example.vn"]


# --- one contract, the fake and the real adapter ------------------------------------------------


@pytest.fixture(params=["memory", "real"])
def contract(
    request: pytest.FixtureRequest, fake: FakeProviders, client: httpx.AsyncClient
) -> tuple[Sender, Callable[[str], None]]:
    """A sender and a way to make its provider say 'window closed' for an address."""
    if request.param == "memory":
        memory = InMemorySender()

        def close_window(address: str) -> None:
            memory.script.setdefault(address, []).append(
                SendError(Verdict(ErrorKind.FALLBACK, "window closed"), answer="window")
            )

        return memory, close_window
    fake.state.access_tokens.add(fake_api.ACCESS_TOKEN)
    return zalo(fake, client, refresh=fake.state.refresh_token), (
        lambda address: fake.script(address, {"zalo_error": -230})
    )


async def test_contract_accepts_with_an_id_then_says_fallback_when_the_window_closed(
    contract: tuple[Sender, Callable[[str], None]],
) -> None:
    sender, close_window = contract

    first = await sender.send(outgoing(Way.ZALO_CS, "contract-user"))
    close_window("contract-user")
    with pytest.raises(SendError) as closed:
        await sender.send(outgoing(Way.ZALO_CS, "contract-user"))
    again = await sender.send(outgoing(Way.ZALO_CS, "contract-user"))

    assert first
    assert again
    assert first != again
    assert closed.value.verdict.kind is ErrorKind.FALLBACK
