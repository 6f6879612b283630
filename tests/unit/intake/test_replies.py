"""What a citizen adds by reply: attached to their item only when the sender is one of its citizen's
contacts, kept on the item, and the reply's 202 names the item it joined."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from fakes import IntakeWorld, intake_world
from hoiam_intake.domain.channels.email import EMAIL_CONTENT_TYPE
from hoiam_shared.events import (
    FeedbackMessageAdded,
    FeedbackReceived,
    RawFeedbackAccepted,
)
from support.clock import TestClock
from support.intake_samples import email

AT = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
TOKEN = "op"
AUTH = {"authorization": f"Bearer {TOKEN}"}
MAIL = {"content-type": EMAIL_CONTENT_TYPE}


@pytest.fixture
def world() -> IntakeWorld:
    return intake_world(clock=TestClock.frozen(AT), operator_token=SecretStr(TOKEN))


async def submit(world: IntakeWorld, client: httpx.AsyncClient, path: str, **kw: Any) -> Any:
    """POST, then let the normaliser read what went onto `intake.raw`, as the subscriber would."""
    before = len(world.published.of(RawFeedbackAccepted))
    answer = await client.post(path, **kw)
    assert answer.status_code in (200, 202), answer.text
    for raw in world.published.of(RawFeedbackAccepted)[before:]:
        await world.parts.normalise(raw)
    return answer.json()


def mail(
    body: str, *, message_id: str, sender: str, subject: str = "Góp ý", extra: str = ""
) -> bytes:
    return email(
        body=body.encode(), message_id=message_id, sender=sender, subject=subject, extra=extra
    )


async def test_the_202_to_a_reply_names_the_item_it_joined(world: IntakeWorld) -> None:
    async with world.http() as client:
        first = await submit(world, client, "/v1/intake/email", headers=MAIL, content=mail(
            "Đường ấp 3 ngập sâu.", message_id="<m1@mail.vn>", sender="an@mail.vn"))  # fmt: skip
        by_thread = await submit(world, client, "/v1/intake/email", headers=MAIL, content=mail(
            "Nay nước còn cao hơn.", message_id="<m2@mail.vn>", sender="An <an@MAIL.vn>",
            extra="In-Reply-To: <m1@mail.vn>\r\nReferences: <m1@mail.vn>\r\n"))  # fmt: skip
        by_code = await submit(world, client, "/v1/intake/email", headers=MAIL, content=mail(
            "Xin hỏi tiến độ.", message_id="<m3@mail.vn>", sender="an@mail.vn",
            subject=f"Re: [Hồi Âm {first['tracking_code']}] Đã tiếp nhận"))  # fmt: skip
        again = await client.post("/v1/intake/email", headers=MAIL, content=mail(
            "Nay nước còn cao hơn.", message_id="<m2@mail.vn>", sender="An <an@MAIL.vn>",
            extra="In-Reply-To: <m1@mail.vn>\r\nReferences: <m1@mail.vn>\r\n"))  # fmt: skip

    assert by_thread == first
    assert by_code == first
    assert (again.status_code, again.json()) == (200, first)  # the same reply posted again
    assert len(world.published.of(FeedbackReceived)) == 1
    messages = world.published.of(FeedbackMessageAdded)
    assert [(m.kind, str(m.item_id)) for m in messages] == [("reply", first["id"])] * 2


@pytest.mark.parametrize("by", ["code", "thread"])
async def test_a_stranger_quoting_the_tracking_code_or_thread_starts_a_new_item(
    world: IntakeWorld, by: str
) -> None:
    async with world.http() as client:
        first = await submit(world, client, "/v1/intake/email", headers=MAIL, content=mail(
            "Đường ấp 3 ngập sâu.", message_id="<s1@mail.vn>", sender="an@mail.vn"))  # fmt: skip
        quoting = (
            {"subject": f"Re: [Hồi Âm {first['tracking_code']}] Đã tiếp nhận"}
            if by == "code"
            else {"extra": "In-Reply-To: <s1@mail.vn>\r\nReferences: <s1@mail.vn>\r\n"}
        )
        stranger = await submit(world, client, "/v1/intake/email", headers=MAIL, content=mail(
            "Tôi cũng bị ngập.", message_id="<s2@other.vn>", sender="binh@other.vn",
            **quoting))  # fmt: skip

    assert stranger["tracking_code"] != first["tracking_code"]
    assert world.published.of(FeedbackMessageAdded) == []
    new = [r for r in world.published.of(FeedbackReceived) if str(r.item_id) == stranger["id"]]
    assert [r.tracking_code for r in new] == [stranger["tracking_code"]]
    assert new[0].citizen.contacts.email == "binh@other.vn"


async def test_another_contact_of_the_same_citizen_may_reply(world: IntakeWorld) -> None:
    async with world.http() as client:
        # A web form gives phone and email: one citizen; a later email from that address joins.
        first = await submit(world, client, "/v1/intake/web", json={
            "text": "Đèn đường ấp Chợ hỏng", "consent": True, "phone": "0912345678",
            "email": "lam@mail.vn"})  # fmt: skip
        reply = await submit(world, client, "/v1/intake/email", headers=MAIL, content=mail(
            "Đèn vẫn chưa sáng.", message_id="<w2@mail.vn>", sender="lam@mail.vn",
            subject=f"[Hồi Âm {first['tracking_code']}]"))  # fmt: skip

    assert reply == first
    [message] = world.published.of(FeedbackMessageAdded)
    assert message.citizen is not None
    assert message.citizen.contacts.email == "lam@mail.vn"


async def test_a_reply_is_kept_on_the_item(world: IntakeWorld) -> None:
    async with world.http() as client:
        first = await submit(world, client, "/v1/intake/email", headers=MAIL, content=mail(
            "Đường ấp 3 ngập sâu.", message_id="<k1@mail.vn>", sender="an@mail.vn"))  # fmt: skip
        await submit(world, client, "/v1/intake/email", headers=MAIL, content=mail(
            "Bổ sung: có ảnh đính kèm.", message_id="<k2@mail.vn>", sender="an@mail.vn",
            extra="In-Reply-To: <k1@mail.vn>\r\n"))  # fmt: skip
        item = (await client.get(f"/v1/feedback/{first['id']}", headers=AUTH)).json()

    assert [(m["kind"], m["text"]["normalised"]) for m in item["messages"]] == [
        ("reply", "Bổ sung: có ảnh đính kèm.")
    ]
