"""Issue 10, conversations: a chat conversation is one item; a re-sent matter is no new item."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import SecretStr

from fakes import IntakeWorld, intake_world
from hoiam_intake.domain.matters import fold_words, likeness
from hoiam_shared.events import (
    Channel,
    FeedbackMessageAdded,
    FeedbackReceived,
    RawFeedbackAccepted,
)
from support.clock import TestClock
from support.intake_samples import (
    facebook_message,
    raw_record,
    to_tcvn3,
    zalo_image,
    zalo_text,
)

SECRET = "test"
AT = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
MATTER = "Đường ấp 3 xã Long Hữu ngập nước sâu nửa mét, xe máy không đi được, đề nghị khơi thông"


def world() -> IntakeWorld:
    return intake_world(
        clock=TestClock.frozen(AT),
        id_secret=SecretStr(SECRET),
        duplicate_window_hours=72,
        gather_seconds=120,
    )


async def feed(
    w: IntakeWorld, channel: Channel, body: dict[str, Any] | bytes, *, ref: str, at: datetime
) -> RawFeedbackAccepted:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    raw = raw_record(channel, payload, secret=SECRET, at=at, ref=ref)
    await w.parts.normalise(raw)
    return raw


def web(text: str, **fields: Any) -> bytes:
    return json.dumps({"text": text, "consent": True} | fields).encode()


async def flush_at(w: IntakeWorld, moment: datetime) -> int:
    w.clock.set(moment)
    return await w.parts.normalise.flush()


# --- 1. a Zalo or Messenger conversation is one item ----------------------------------------------


async def test_hello_a_photo_and_the_matter_on_zalo_are_one_item() -> None:
    w = world()
    hello = await feed(w, Channel.ZALO, zalo_text(text="Xin chào", msg_id="z1"), ref="z1", at=AT)
    await feed(w, Channel.ZALO, zalo_image(), ref="zmsg-img-1", at=AT + timedelta(seconds=40))
    await feed(w, Channel.ZALO, zalo_text(text=MATTER, msg_id="z3"), ref="z3",
               at=AT + timedelta(seconds=90))  # fmt: skip
    assert w.published.of(FeedbackReceived) == []  # the sender is still writing
    assert await flush_at(w, AT + timedelta(seconds=90 + 119)) == 0
    assert await flush_at(w, AT + timedelta(seconds=90 + 120)) == 1
    [item] = w.published.of(FeedbackReceived)
    assert (item.item_id, item.tracking_code) == (hello.item_id, hello.tracking_code)
    assert item.text.normalised.splitlines() == ["Xin chào", "Ảnh ổ gà trước nhà", MATTER]
    assert [a.content_type for a in item.attachments] == ["image/*"]
    assert await flush_at(w, AT + timedelta(hours=1)) == 0  # published once


async def test_a_gathered_message_pasted_in_tcvn3_is_read_repaired_in_the_one_item() -> None:
    w = world()
    pasted = to_tcvn3(MATTER).decode("cp1252")  # from a .VnTime document, into Zalo
    await feed(w, Channel.ZALO, zalo_text(text="Xin chào", msg_id="z1"), ref="z1", at=AT)
    await feed(w, Channel.ZALO, zalo_text(text=pasted, msg_id="z2"), ref="z2",
               at=AT + timedelta(seconds=30))  # fmt: skip
    await flush_at(w, AT + timedelta(minutes=3))
    [item] = w.published.of(FeedbackReceived)
    assert item.text.normalised.splitlines() == ["Xin chào", MATTER]
    assert item.text.original.splitlines() == ["Xin chào", pasted]  # kept as it came


async def test_a_later_message_in_the_conversation_is_a_reply_to_its_item() -> None:
    w = world()
    await feed(w, Channel.ZALO, zalo_text(text=MATTER, msg_id="z1"), ref="z1", at=AT)
    await flush_at(w, AT + timedelta(minutes=3))
    [item] = w.published.of(FeedbackReceived)
    later = AT + timedelta(hours=5)
    raw = await feed(w, Channel.ZALO, zalo_text(text="Nước vẫn chưa rút", msg_id="z2"),
                     ref="z2", at=later)  # fmt: skip
    await w.parts.normalise(raw)  # redelivered: still one message
    await flush_at(w, later + timedelta(minutes=3))
    [reply] = w.published.of(FeedbackMessageAdded)
    assert (reply.kind, reply.item_id, reply.source_ref) == ("reply", item.item_id, "z2")
    assert reply.citizen is not None
    assert reply.citizen.citizen_id == item.citizen.citizen_id
    assert len(w.published.of(FeedbackReceived)) == 1


async def test_a_redelivered_message_of_a_published_conversation_changes_nothing() -> None:
    w = world()
    raw = await feed(w, Channel.ZALO, zalo_text(text=MATTER, msg_id="z1"), ref="z1", at=AT)
    await flush_at(w, AT + timedelta(minutes=3))
    await w.parts.normalise(raw)
    assert len(w.published.of(FeedbackReceived)) == 1
    assert w.published.of(FeedbackMessageAdded) == []


async def test_after_a_long_silence_the_same_sender_starts_a_new_item() -> None:
    w = world()
    await feed(w, Channel.ZALO, zalo_text(text=MATTER, msg_id="z1"), ref="z1", at=AT)
    await flush_at(w, AT + timedelta(minutes=3))
    later = AT + timedelta(days=10)
    await feed(w, Channel.ZALO, zalo_text(text="Đèn đường trước chợ Long Hữu hỏng hai tuần nay",
               msg_id="z9"), ref="z9", at=later)  # fmt: skip
    await flush_at(w, later + timedelta(minutes=3))
    assert len(w.published.of(FeedbackReceived)) == 2


async def test_a_gathering_survives_a_restart() -> None:
    before = world()
    await feed(before, Channel.ZALO, zalo_text(text="Xin chào", msg_id="z1"), ref="z1", at=AT)
    await feed(before, Channel.ZALO, zalo_text(text=MATTER, msg_id="z2"), ref="z2",
               at=AT + timedelta(seconds=30))  # fmt: skip
    after = before.restarted()  # a new process on the same stores (Mongo: integration test)
    assert await flush_at(after, AT + timedelta(minutes=5)) == 1
    [item] = after.published.of(FeedbackReceived)
    assert item.text.normalised == f"Xin chào\n{MATTER}"


async def test_a_messenger_conversation_is_gathered_too() -> None:
    w = world()
    await feed(w, Channel.FACEBOOK, facebook_message(mid="m1", text="Chào trang"), ref="m1", at=AT)
    await feed(w, Channel.FACEBOOK, facebook_message(mid="m2", text=MATTER), ref="m2",
               at=AT + timedelta(seconds=20))  # fmt: skip
    await flush_at(w, AT + timedelta(minutes=3))
    [item] = w.published.of(FeedbackReceived)
    assert item.text.normalised == f"Chào trang\n{MATTER}"


async def test_a_greeting_alone_still_becomes_an_item() -> None:
    # Our choice: nothing a citizen sends is dropped; a bare greeting reaches triage, where an
    # operator can answer it.
    w = world()
    await feed(w, Channel.ZALO, zalo_text(text="Xin chào", msg_id="z1"), ref="z1", at=AT)
    await flush_at(w, AT + timedelta(minutes=3))
    [item] = w.published.of(FeedbackReceived)
    assert item.text.normalised == "Xin chào"


# --- 2. re-sending the same matter ----------------------------------------------------------------


def test_likeness_is_measured_on_folded_word_pairs_and_says_why() -> None:
    again = (
        "duong ap 3 xa long huu ngap nuoc sau nua met, xe may khong di duoc. De nghi khoi thong!"
    )
    found = likeness(fold_words(again), fold_words(MATTER), threshold=0.6)
    assert found.same
    assert found.score == 1.0
    other = likeness(
        fold_words("Đèn đường ấp 3 hỏng đã hai tuần"), fold_words(MATTER), threshold=0.6
    )
    assert not other.same
    assert "word-pair similarity" in other.why
    assert likeness(("den", "hong"), ("den", "hong"), threshold=0.6).same  # short: same words


async def test_the_same_matter_again_is_a_message_on_the_first_item() -> None:
    w = world()
    first = await feed(w, Channel.WEB, web(MATTER, phone="0912345678", email="an@example.vn"),
                       ref="w1", at=AT)  # fmt: skip
    retyped = "Xin chào. " + MATTER.lower().replace("nửa mét", "khoảng nửa mét") + "!!"
    await feed(w, Channel.WEB, web(retyped, email="an@example.vn"), ref="w2",
               at=AT + timedelta(hours=20))  # fmt: skip
    [item] = w.published.of(FeedbackReceived)  # no second item, no second code
    assert item.item_id == first.item_id
    [resent] = w.published.of(FeedbackMessageAdded)
    assert (resent.kind, resent.item_id, resent.tracking_code) == (
        "resent", first.item_id, first.tracking_code,
    )  # fmt: skip
    assert resent.citizen is not None
    assert resent.citizen.contacts.email == "an@example.vn"


async def test_a_resend_sharing_any_contact_is_recognised() -> None:
    w = world()
    first = await feed(w, Channel.WEB, web(MATTER, phone="0912345678"), ref="w1", at=AT)
    await feed(w, Channel.WEB, web(MATTER, phone="0912345678", email="an@example.vn"), ref="w2",
               at=AT + timedelta(hours=1))  # fmt: skip
    [resent] = w.published.of(FeedbackMessageAdded)
    assert resent.item_id == first.item_id


async def test_a_different_matter_or_a_late_resend_is_a_new_item() -> None:
    w = world()
    await feed(w, Channel.WEB, web(MATTER, phone="0912345678"), ref="w1", at=AT)
    await feed(w, Channel.WEB, web("Đèn đường trước chợ Long Hữu hỏng hai tuần nay",
               phone="0912345678"), ref="w2", at=AT + timedelta(hours=1))  # fmt: skip
    await feed(w, Channel.WEB, web(MATTER, phone="0912345678"), ref="w3",
               at=AT + timedelta(days=4))  # fmt: skip
    assert len(w.published.of(FeedbackReceived)) == 3
    assert w.published.of(FeedbackMessageAdded) == []


async def test_other_citizens_with_the_same_matter_are_each_an_item() -> None:
    w = world()
    await feed(w, Channel.WEB, web(MATTER, phone="0912345678"), ref="w1", at=AT)
    await feed(w, Channel.WEB, web(MATTER, phone="0987654321"), ref="w2", at=AT)
    assert len(w.published.of(FeedbackReceived)) == 2  # the router makes them one case


async def test_a_gathered_conversation_repeating_a_matter_is_no_new_item() -> None:
    w = world()
    first = await feed(w, Channel.ZALO, zalo_text(text=MATTER, msg_id="z1"), ref="z1", at=AT)
    await flush_at(w, AT + timedelta(minutes=3))
    later = AT + timedelta(days=3)  # past the conversation, within the duplicate period
    await feed(w, Channel.ZALO, zalo_text(text=MATTER, msg_id="z7"), ref="z7", at=later)
    await flush_at(w, later + timedelta(minutes=3))
    [resent] = w.published.of(FeedbackMessageAdded)
    assert (resent.kind, resent.item_id) == ("resent", first.item_id)
    # ...and a message after that continues the conversation on the first item.
    await feed(w, Channel.ZALO, zalo_text(text="Còn nữa", msg_id="z8"), ref="z8",
               at=later + timedelta(minutes=10))  # fmt: skip
    assert w.published.of(FeedbackMessageAdded)[-1].item_id == first.item_id


async def test_the_web_form_answers_a_resent_matter_with_the_first_code() -> None:
    w = world()
    async with w.http() as client:
        first = await client.post(
            "/v1/intake/web", json={"text": MATTER, "phone": "0912345678", "consent": True}
        )
        assert first.status_code == 202
        [raw] = w.published.of(RawFeedbackAccepted)
        await w.parts.normalise(raw)
        again = await client.post(
            "/v1/intake/web",
            json={"text": MATTER + " Xin cảm ơn.", "phone": "0912 345 678", "consent": True},
        )
    assert again.status_code == 200
    assert again.json()["tracking_code"] == first.json()["tracking_code"]
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["already_sent"] is True
    # The raw record is still written first: nothing the citizen sent is lost.
    assert len(w.published.of(RawFeedbackAccepted)) == 2


async def test_the_web_form_reads_a_resent_matter_pasted_in_tcvn3_as_the_normaliser_does() -> None:
    w = world()
    pasted = to_tcvn3(MATTER).decode("cp1252")  # the same words from a .VnTime document
    async with w.http() as client:
        first = await client.post(
            "/v1/intake/web", json={"text": MATTER, "phone": "0912345678", "consent": True}
        )
        [raw] = w.published.of(RawFeedbackAccepted)
        await w.parts.normalise(raw)
        again = await client.post(
            "/v1/intake/web", json={"text": pasted, "phone": "0912345678", "consent": True}
        )
    await w.parts.normalise(w.published.of(RawFeedbackAccepted)[-1])
    [resent] = w.published.of(FeedbackMessageAdded)
    assert resent.kind == "resent"  # the normaliser repaired it and found the first item...
    # ...so the door must have told the citizen that first item's code, not a code of its own.
    assert again.json()["tracking_code"] == first.json()["tracking_code"]
    assert again.json()["already_sent"] is True


async def test_open311_answers_a_resent_request_with_the_first_code() -> None:
    w = world()
    form = {
        "service_code": "giao-thong", "description": MATTER, "address_string": "ấp 3, xã Long Hữu",
        "email": "an@example.vn",
    }  # fmt: skip
    async with w.http() as client:
        [first] = (await client.post("/v1/open311/requests", data=form)).json()
        [raw] = w.published.of(RawFeedbackAccepted)
        await w.parts.normalise(raw)
        [again] = (await client.post("/v1/open311/requests", data=form)).json()
    assert again["service_request_id"] == first["service_request_id"]
    assert again["id"] == first["id"]
    assert "trước đây" in again["service_notice"]


async def test_a_late_redelivery_after_a_new_gathering_began_is_still_known() -> None:
    w = world()
    raw = await feed(w, Channel.ZALO, zalo_text(text=MATTER, msg_id="z1"), ref="z1", at=AT)
    await flush_at(w, AT + timedelta(minutes=3))
    later = AT + timedelta(days=5)
    await feed(w, Channel.ZALO, zalo_text(text="Đèn đường trước chợ Long Hữu hỏng hai tuần nay",
               msg_id="z9"), ref="z9", at=later)  # fmt: skip
    await w.parts.normalise(raw)  # the first message again, while the new gathering is open
    await flush_at(w, later + timedelta(minutes=3))
    second = w.published.of(FeedbackReceived)[-1]
    assert second.text.normalised == "Đèn đường trước chợ Long Hữu hỏng hai tuần nay"
