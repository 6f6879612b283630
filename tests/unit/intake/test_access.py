"""Who may do what at intake's door: operator-only imports, idempotency keys that cannot be
borrowed, and signed webhooks that are fresh and processed once."""

from datetime import datetime

from pydantic import SecretStr

from fakes import intake_world
from hoiam_shared.events import RawFeedbackAccepted
from support.clock import TestClock
from support.intake_samples import CDR_LINES

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
