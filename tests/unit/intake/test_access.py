"""Who may do what at intake's door: operator-only imports, idempotency keys that cannot be
borrowed, and signed webhooks that are fresh and processed once."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from pymongo.errors import ConnectionFailure

from fakes import IntakeWorld, intake_world
from hoiam_shared.events import Channel, RawFeedbackAccepted
from support.clock import TestClock
from support.intake_samples import (
    CDR_LINES,
    ZALO_APP,
    facebook_comment,
    facebook_message,
    facebook_signed,
    sent_at,
    zalo_signed,
    zalo_text,
)

OPERATOR = {"authorization": "Bearer op-token"}
NOON = datetime(2026, 3, 2, 12, 0)  # naive: Việt Nam time


async def test_a_call_log_is_imported_only_with_the_operator_token() -> None:
    world = intake_world(clock=TestClock.frozen(NOON), operator_token=SecretStr("op-token"))
    headers = {"content-type": "text/csv"}
    log = CDR_LINES
    async with world.http() as client:
        for wrong in ({}, {"authorization": "op-token"}, {"authorization": "Bearer guess"}):
            refused = await client.post("/v1/intake/calls", content=log, headers=headers | wrong)
            assert refused.status_code == 401, wrong
            assert "tracking_code" not in refused.text
        assert world.published.of(RawFeedbackAccepted) == []
        answer = await client.post("/v1/intake/calls", content=log, headers=headers | OPERATOR)
        assert answer.status_code == 200, answer.text
        # The same log again, without the token: a known call id does not give its code away.
        again = await client.post("/v1/intake/calls", content=log, headers=headers)
        assert again.status_code == 401
    assert answer.json()["accepted"] == 2
    assert len(world.published.of(RawFeedbackAccepted)) == 2


# --- Idempotency-Key: the first answer for the same body, 409 for another --------------------


async def test_an_idempotency_key_answers_its_own_body_and_refuses_another() -> None:
    world = intake_world(clock=TestClock.frozen(NOON))
    key = {"idempotency-key": "form-7f3a"}
    mine = {"name": "Lê Thị Hoa", "email": "hoa@example.vn", "text": "Cống ấp 3 bị nghẹt",
            "consent": True}  # fmt: skip
    async with world.http() as client:
        first = await client.post("/v1/intake/web", json=mine, headers=key)
        # A retry of the same submission (keys in another order) hears the first answer.
        retry = await client.post("/v1/intake/web", json=dict(reversed(mine.items())), headers=key)
        other = await client.post(
            "/v1/intake/web", json={"text": "Cho tôi xin mã của người khác"}, headers=key
        )
    assert (first.status_code, retry.status_code) == (202, 200)
    assert retry.json() == first.json()
    assert other.status_code == 409
    assert "Idempotency-Key" in other.json()["detail"]
    assert first.json()["tracking_code"] not in other.text
    # The refused body was not accepted: only the first submission (and its retry) went out.
    assert {r.tracking_code for r in world.published.of(RawFeedbackAccepted)} == {
        first.json()["tracking_code"]
    }


def mail(text: str, *, trace: str = "") -> bytes:
    return (
        f"{trace}From: Lê Thị Hoa <hoa@example.vn>\r\nTo: hopthu@mttq.vn\r\n"
        "Subject: Cống ấp 3\r\nMessage-ID: <abc.123@example.vn>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{text}\r\n"
    ).encode()


async def test_a_message_id_reused_by_another_message_is_refused() -> None:
    world = intake_world(clock=TestClock.frozen(NOON))
    headers = {"content-type": "message/rfc822"}
    async with world.http() as client:
        first = await client.post("/v1/intake/email", content=mail("Cống nghẹt"), headers=headers)
        # The same message again, having passed one more relay: the same item.
        relayed = mail("Cống nghẹt", trace="Received: from mx2.example.vn by mx.mttq.vn\r\n")
        again = await client.post("/v1/intake/email", content=relayed, headers=headers)
        other = await client.post("/v1/intake/email", content=mail("Mã của ai?"), headers=headers)
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json() == first.json()
    assert other.status_code == 409
    assert "Message-ID" in other.json()["detail"]
    assert first.json()["tracking_code"] not in other.text


# --- signed webhooks: fresh, and processed once -----------------------------------------------


def zalo_world(clock: TestClock, **fields: Any) -> IntakeWorld:
    return intake_world(clock=clock, zalo_app_id=ZALO_APP, zalo_oa_secret=SecretStr("oa"), **fields)


def facebook_world(clock: TestClock, **fields: Any) -> IntakeWorld:
    return intake_world(clock=clock, facebook_app_secret=SecretStr("app"), **fields)


@pytest.mark.parametrize(
    ("age", "code"),
    [
        (timedelta(minutes=9), 200),
        (timedelta(minutes=11), 403),
        (timedelta(hours=-1), 403),  # from the future: a clock that far off is not the provider's
    ],
)
async def test_a_zalo_event_older_than_ten_minutes_is_refused(age: timedelta, code: int) -> None:
    clock = TestClock.frozen(NOON)
    world = zalo_world(clock)
    body, headers = zalo_signed(sent_at(zalo_text(), clock() - age), secret="oa")
    async with world.http() as client:
        answer = await client.post("/webhooks/zalo", content=body, headers=headers)
    assert answer.status_code == code, answer.text
    if code == 403:
        assert "timestamp" in answer.json()["detail"]
        assert world.published.of(RawFeedbackAccepted) == []


@pytest.mark.parametrize(
    ("event", "age", "code"),
    [
        (facebook_message(), timedelta(minutes=9), 200),
        (facebook_message(), timedelta(minutes=11), 403),
        (facebook_comment(), timedelta(minutes=9), 200),  # feed entries count in seconds
        (facebook_comment(), timedelta(minutes=11), 403),
    ],
)
async def test_a_meta_webhook_older_than_ten_minutes_is_refused(
    event: dict[str, Any], age: timedelta, code: int
) -> None:
    clock = TestClock.frozen(NOON)
    world = facebook_world(clock)
    body, headers = facebook_signed(sent_at(event, clock() - age), secret="app")
    async with world.http() as client:
        answer = await client.post("/webhooks/facebook", content=body, headers=headers)
    assert answer.status_code == code, answer.text
    assert len(world.published.of(RawFeedbackAccepted)) == (code == 200)


async def test_the_webhook_tolerance_is_a_setting() -> None:
    clock = TestClock.frozen(NOON)
    world = zalo_world(clock, webhook_max_age_seconds=60)
    body, headers = zalo_signed(sent_at(zalo_text(), clock() - timedelta(seconds=90)), secret="oa")
    async with world.http() as client:
        assert (
            await client.post("/webhooks/zalo", content=body, headers=headers)
        ).status_code == 403


async def test_a_signed_webhook_without_its_timestamp_is_refused() -> None:
    clock = TestClock.frozen(NOON)
    zalo = zalo_text()
    zalo["timestamp"] = ""
    body, headers = zalo_signed(zalo, secret="oa")
    meta = facebook_message()
    del meta["entry"][0]["time"]
    fb_body, fb_headers = facebook_signed(meta, secret="app")
    async with zalo_world(clock).http() as client:
        assert (
            await client.post("/webhooks/zalo", content=body, headers=headers)
        ).status_code == 400
    async with facebook_world(clock).http() as client:
        answer = await client.post("/webhooks/facebook", content=fb_body, headers=fb_headers)
        assert answer.status_code == 400


async def test_a_replayed_webhook_is_acknowledged_and_not_processed_again() -> None:
    clock = TestClock.frozen(NOON)
    world = intake_world(
        clock=clock, zalo_app_id=ZALO_APP, zalo_oa_secret=SecretStr("oa"),
        facebook_app_secret=SecretStr("app"),
    )  # fmt: skip
    zalo, zalo_headers = zalo_signed(sent_at(zalo_text(), clock()), secret="oa")
    meta, meta_headers = facebook_signed(sent_at(facebook_message(), clock()), secret="app")
    async with world.http() as client:
        for _ in range(3):
            answer = await client.post("/webhooks/zalo", content=zalo, headers=zalo_headers)
            assert (answer.status_code, answer.json()) == (200, {"received": True})
            answer = await client.post("/webhooks/facebook", content=meta, headers=meta_headers)
            assert (answer.status_code, answer.text) == (200, "EVENT_RECEIVED")
    assert [r.channel for r in world.published.of(RawFeedbackAccepted)] == [
        Channel.ZALO,
        Channel.FACEBOOK,
    ]


# --- rate limits on the public endpoints ------------------------------------------------------

LIMITS: dict[str, Any] = {"rate_window_seconds": 600, "rate_per_ip": 3, "rate_per_contact": 2}


def web(email: str | None = None, phone: str | None = None) -> dict[str, Any]:
    return {"email": email, "phone": phone, "text": "Đèn đường tổ 5 hỏng", "consent": True}


async def test_the_web_form_limits_each_address_and_tells_when_to_come_back() -> None:
    clock = TestClock.frozen(datetime(2026, 3, 2, 12, 7, 30))  # 7.5 min into a 10 min window
    world = intake_world(clock=clock, **(LIMITS | {"rate_per_contact": 100}))
    async with world.http(client_ip="203.0.113.7") as client:
        codes = [(await client.post("/v1/intake/web", json=web())).status_code for _ in range(3)]
        refused = await client.post("/v1/intake/web", json=web())
    assert codes == [202, 202, 202]
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "150"
    assert "too many" in refused.json()["detail"]
    async with world.http(client_ip="203.0.113.8") as other:
        assert (await other.post("/v1/intake/web", json=web())).status_code == 202
    clock.advance(timedelta(seconds=150))  # the next window
    async with world.http(client_ip="203.0.113.7") as client:
        assert (await client.post("/v1/intake/web", json=web())).status_code == 202
    assert len(world.published.of(RawFeedbackAccepted)) == 5


async def test_one_contact_cannot_be_sent_acknowledgements_from_many_addresses() -> None:
    world = intake_world(clock=TestClock.frozen(NOON), **LIMITS)
    answers = []
    # The victim's address, written three ways, from three machines: one contact.
    for n, email in enumerate(("nan@example.vn", "NaN@Example.VN", " nan@example.vn")):
        async with world.http(client_ip=f"198.51.100.{n}") as client:
            answers.append(await client.post("/v1/intake/web", json=web(email=email)))
    assert [a.status_code for a in answers] == [202, 202, 429]
    phones = ("0912 345 678", "+84912345678", "84-912-345-678")
    answers = []
    for n, phone in enumerate(phones):
        async with world.http(client_ip=f"192.0.2.{n}") as client:
            answers.append(await client.post("/v1/intake/web", json=web(phone=phone)))
    assert [a.status_code for a in answers] == [202, 202, 429]
    async with world.http(client_ip="192.0.2.99") as client:
        assert (await client.post("/v1/intake/web", json=web(email="b@x.vn"))).status_code == 202


async def test_open311_and_the_email_upload_are_limited_too() -> None:
    world = intake_world(clock=TestClock.frozen(NOON), **LIMITS)
    form = {"service_code": "roads", "address_string": "Ấp 3", "description": "Ổ gà lớn",
            "email": "nan@example.vn"}  # fmt: skip
    async with world.http(client_ip="198.51.100.1") as client:
        codes = [(await client.post("/v1/open311/requests", data=form)).status_code
                 for _ in range(3)]  # fmt: skip
        refused = await client.post("/v1/open311/requests", data=form | {"email": "x@y.vn"})
    assert codes == [201, 201, 429]  # the third is one too many for that contact
    assert refused.status_code == 429  # and the fourth one too many for that address
    assert int(refused.headers["retry-after"]) > 0
    assert refused.json()[0]["code"] == 429  # GeoReport's error shape
    mails = [mail(f"Lần {n}").replace(b"abc.123", f"m{n}".encode()) for n in range(3)]
    async with world.http(client_ip="198.51.100.2") as client:
        codes = [
            (await client.post("/v1/intake/email", content=m,
                               headers={"content-type": "message/rfc822"})).status_code
            for m in mails
        ]  # fmt: skip
    assert codes == [202, 202, 429]  # one sender (From) at most twice per window


async def test_a_mail_pipe_host_can_be_exempt_from_the_address_limit() -> None:
    world = intake_world(
        clock=TestClock.frozen(NOON), **LIMITS, rate_exempt_ips=frozenset({"10.0.0.25"})
    )
    async with world.http(client_ip="10.0.0.25") as client:
        codes = []
        for n in range(6):
            message = mail("Cống nghẹt").replace(b"abc.123", f"m{n}".encode())
            message = message.replace(b"hoa@example.vn", f"c{n}@example.vn".encode())
            answer = await client.post(
                "/v1/intake/email", content=message, headers={"content-type": "message/rfc822"}
            )
            codes.append(answer.status_code)
    assert codes == [202] * 6


async def test_a_store_outage_does_not_close_the_door(monkeypatch: pytest.MonkeyPatch) -> None:
    """The replay mark and the rate counts are defences; while the store is down a submission
    is still taken in (freshness still holds), as before they existed."""
    clock = TestClock.frozen(NOON)
    world = zalo_world(clock, **LIMITS)

    async def down(*_: object) -> None:
        raise ConnectionFailure("store down")

    for name in ("claimed", "claim", "count_hit"):
        monkeypatch.setattr(world.store, name, down)
    body, headers = zalo_signed(sent_at(zalo_text(), clock()), secret="oa")
    async with world.http() as client:
        assert (
            await client.post("/webhooks/zalo", content=body, headers=headers)
        ).status_code == 200
        assert (await client.post("/v1/intake/web", json=web(email="a@b.vn"))).status_code == 202
    assert len(world.published.of(RawFeedbackAccepted)) == 2
