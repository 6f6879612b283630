"""The normaliser's effects: citizens across channels, duplicates, replies, edits, tasks, drops."""

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr

from fakes import IntakeWorld, intake_world
from hoiam_intake.domain.channels.calls import CALL_CONTENT_TYPE, ManualCall, parse_cdr
from hoiam_intake.domain.channels.email import EMAIL_CONTENT_TYPE
from hoiam_intake.domain.keys import item_id_for
from hoiam_shared.events import (
    Channel,
    ContactReachabilityChanged,
    FeedbackMessageAdded,
    FeedbackReceived,
    OperatorTaskOpened,
    RawFeedbackAccepted,
)
from support.clock import TestClock
from support.intake_samples import (
    CDR_LINES,
    email,
    facebook_comment,
    raw_record,
    zalo_follow,
    zalo_text,
)

SECRET = "test"
AT = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


class Setup:
    """Intake on fakes, its clock stopped at `AT`; `feed` hands the normaliser a raw record."""

    def __init__(self) -> None:
        self.world: IntakeWorld = intake_world(
            clock=TestClock.frozen(AT),
            id_secret=SecretStr(SECRET),
            account_provinces={"1900": "86"},
            duplicate_window_hours=72,
        )
        self.store = self.world.store
        self.out = self.world.published
        self.handle = self.world.parts.normalise

    async def feed(
        self, channel: Channel, payload: bytes, content_type: str, ref: str | None = None,
        at: datetime = AT,
    ) -> RawFeedbackAccepted:  # fmt: skip
        raw = raw_record(channel, payload, secret=SECRET, at=at, ref=ref, content_type=content_type)
        await self.handle(raw)
        return raw


@pytest.fixture
def setup() -> Setup:
    return Setup()


def web(**fields: Any) -> bytes:
    return json.dumps({"text": "Đèn đường ấp Chợ hỏng", "consent": True} | fields).encode()


def call(caller: str, text: str, call_id: str) -> bytes:
    record = ManualCall(call_id=call_id, caller=caller, text=text).record(AT)
    return record.model_dump_json().encode()


async def test_one_person_on_three_channels_is_one_citizen(setup: Setup) -> None:
    await setup.feed(Channel.WEB, web(phone="0912345678", name="Ngô Văn Lâm"), "application/json")
    await setup.feed(
        Channel.PHONE, call("+84 912 345 678", "Cầu yếu", "c-1"), CALL_CONTENT_TYPE, "c-1"
    )
    await setup.feed(Channel.WEB, web(phone="0912345678", email="lam@example.vn", text="Khác"),
                     "application/json")  # fmt: skip
    await setup.feed(Channel.EMAIL, email(body=b"Thu tu email", sender="lam@example.vn",
                     message_id="<e1@x.vn>"), EMAIL_CONTENT_TYPE, "e1@x.vn")  # fmt: skip
    received = setup.out.of(FeedbackReceived)
    assert len(received) == 4
    assert len({r.citizen.citizen_id for r in received}) == 1
    assert received[0].citizen.citizen_id is not None


async def test_one_person_filing_at_once_on_three_channels_is_one_citizen(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The store answers after a pause, as a database does, so the three records of one batch
    # (three partitions, worked at once) interleave between looking a contact up and binding it.
    find, bind = setup.store.find_contacts, setup.store.bind_contact

    async def slow_find(keys: Sequence[str]) -> dict[str, str]:
        await asyncio.sleep(0.01)
        return await find(keys)

    async def slow_bind(key: str, citizen_id: str) -> str:
        await asyncio.sleep(0.01)
        return await bind(key, citizen_id)

    monkeypatch.setattr(setup.store, "find_contacts", slow_find)
    monkeypatch.setattr(setup.store, "bind_contact", slow_bind)
    await asyncio.gather(
        setup.feed(Channel.WEB, web(phone="0912345678", email="lam@example.vn"),
                   "application/json"),
        setup.feed(Channel.EMAIL, email(body=b"Thu tu email", sender="lam@example.vn",
                   message_id="<e2@x.vn>"), EMAIL_CONTENT_TYPE, "e2@x.vn"),
        setup.feed(Channel.PHONE, call("0912345678", "Cầu yếu", "c-2"), CALL_CONTENT_TYPE, "c-2"),
    )  # fmt: skip
    received = setup.out.of(FeedbackReceived)
    assert len(received) == 3
    assert len({r.citizen.citizen_id for r in received}) == 1
    assert await setup.store.suggestions() == []
    assert len(setup.handle._binding) == 0  # no lock outlives its holders


async def test_a_same_name_is_only_a_suggestion(setup: Setup) -> None:
    await setup.feed(Channel.WEB, web(phone="0912345678", name="Nguyễn Văn An"), "application/json")
    await setup.feed(Channel.WEB, web(phone="0987654321", name="nguyen van  an", text="Việc khác"),
                     "application/json")  # fmt: skip
    first, second = setup.out.of(FeedbackReceived)
    assert first.citizen.citizen_id != second.citizen.citizen_id
    [suggestion] = await setup.store.suggestions()
    assert suggestion.reason == "same_name"
    assert suggestion.created_at == AT  # the service's clock, not the wall's
    assert set(suggestion.citizen_ids) == {first.citizen.citizen_id, second.citizen.citizen_id}


async def test_the_same_text_again_within_the_window_is_no_new_item(setup: Setup) -> None:
    first = await setup.feed(Channel.WEB, web(phone="0912345678"), "application/json")
    await setup.feed(Channel.WEB, web(phone="0912345678", text="ĐÈN đường  ấp Chợ hỏng"),
                     "application/json", at=AT + timedelta(hours=5))  # fmt: skip
    await setup.feed(Channel.WEB, web(phone="0912345678"), "application/json",
                     at=AT + timedelta(days=10))  # fmt: skip
    one, three = setup.out.of(FeedbackReceived)
    [two] = setup.out.of(FeedbackMessageAdded)  # issue 10: told the first item, not a new one
    assert (two.kind, two.item_id) == ("resent", first.item_id)
    assert one.duplicate_of is None
    assert three.duplicate_of is None  # outside the window: a new matter


async def test_a_redelivered_record_changes_nothing(setup: Setup) -> None:
    raw = await setup.feed(Channel.WEB, web(phone="0912345678"), "application/json")
    await setup.handle(raw)
    first, again = setup.out.of(FeedbackReceived)
    assert first == again  # the stored event, same event_id
    assert again.duplicate_of is None


async def test_an_email_quoting_a_tracking_code_is_a_reply(setup: Setup) -> None:
    raw = await setup.feed(Channel.WEB, web(email="an@example.vn"), "application/json")
    reply = email(body="Vẫn chưa sửa.".encode(), subject=f"Re: [{raw.tracking_code}] Phản ánh",
                  message_id="<r1@x.vn>", sender="an@example.vn")  # fmt: skip
    await setup.feed(Channel.EMAIL, reply, EMAIL_CONTENT_TYPE, "r1@x.vn")
    [message] = setup.out.of(FeedbackMessageAdded)
    assert (message.kind, message.item_id, message.tracking_code) == (
        "reply", raw.item_id, raw.tracking_code,
    )  # fmt: skip
    assert message.text is not None
    assert message.text.normalised == "Vẫn chưa sửa."
    assert len(setup.out.of(FeedbackReceived)) == 1


async def test_an_email_in_a_known_thread_is_a_reply(setup: Setup) -> None:
    first = await setup.feed(Channel.EMAIL, email(body=b"Lan dau", message_id="<t1@x.vn>"),
                             EMAIL_CONTENT_TYPE, "t1@x.vn")  # fmt: skip
    second = email(body=b"Bo sung", subject="Re: cong", message_id="<t2@x.vn>",
                   extra="In-Reply-To: <t1@x.vn>\r\nReferences: <t1@x.vn>\r\n")  # fmt: skip
    await setup.feed(Channel.EMAIL, second, EMAIL_CONTENT_TYPE, "t2@x.vn")
    third = email(body=b"Them nua", subject="Re: cong", message_id="<t3@x.vn>",
                  extra="In-Reply-To: <t2@x.vn>\r\n")  # fmt: skip
    await setup.feed(Channel.EMAIL, third, EMAIL_CONTENT_TYPE, "t3@x.vn")
    messages = setup.out.of(FeedbackMessageAdded)
    assert [m.item_id for m in messages] == [first.item_id, first.item_id]


async def test_an_auto_reply_is_counted_and_dropped(setup: Setup) -> None:
    await setup.feed(Channel.EMAIL, email(body=b"Away", extra="Auto-Submitted: auto-replied\r\n"),
                     EMAIL_CONTENT_TYPE, "ooo@x.vn")  # fmt: skip
    assert setup.out.published == []


async def test_missed_calls_open_one_task_each_however_often_seen(setup: Setup) -> None:
    calls, _ = parse_cdr(CDR_LINES, timezone=ZoneInfo("Asia/Ho_Chi_Minh"))
    for _ in range(2):
        for record in calls:
            payload = record.model_dump_json().encode()
            await setup.feed(Channel.PHONE, payload, CALL_CONTENT_TYPE, record.call_id)
    tasks = setup.out.of(OperatorTaskOpened)
    assert len(tasks) == 2
    assert tasks[0] == tasks[1]  # the stored task republished, same event id
    assert len(await setup.world.tasks.find()) == 1
    received = setup.out.of(FeedbackReceived)
    assert {r.item_id for r in received} == {
        item_id_for(Channel.PHONE, "1732674600.1", secret=SECRET)
    }
    assert received[0].location.province_hint == "86"


async def test_an_operator_keying_a_logged_call_adds_an_edit(setup: Setup) -> None:
    calls, _ = parse_cdr(CDR_LINES, timezone=ZoneInfo("Asia/Ho_Chi_Minh"))
    logged = calls[0]
    await setup.feed(Channel.PHONE, logged.model_dump_json().encode(), CALL_CONTENT_TYPE,
                     logged.call_id)  # fmt: skip
    await setup.feed(Channel.PHONE, call("0912345678", "Ổ gà lớn trên tỉnh lộ 912", logged.call_id),
                     CALL_CONTENT_TYPE, logged.call_id)  # fmt: skip
    [edit] = setup.out.of(FeedbackMessageAdded)
    assert edit.kind == "edit"
    assert edit.text is not None
    assert edit.text.normalised == "Ổ gà lớn trên tỉnh lộ 912"


async def test_facebook_comment_edit_and_remove_follow_the_item(setup: Setup) -> None:
    await setup.feed(Channel.FACEBOOK, json.dumps(facebook_comment()).encode(), "application/json")
    await setup.feed(Channel.FACEBOOK, json.dumps(facebook_comment(verb="edited",
                     message="Đã sửa nội dung")).encode(), "application/json")  # fmt: skip
    await setup.feed(Channel.FACEBOOK, json.dumps(facebook_comment(verb="remove")).encode(),
                     "application/json")  # fmt: skip
    [item] = setup.out.of(FeedbackReceived)
    messages = setup.out.of(FeedbackMessageAdded)
    assert [(m.kind, m.item_id) for m in messages] == [
        ("edit", item.item_id),
        ("remove", item.item_id),
    ]


async def test_removing_an_unknown_comment_is_dropped(setup: Setup) -> None:
    await setup.feed(Channel.FACEBOOK, json.dumps(facebook_comment(verb="remove")).encode(),
                     "application/json")  # fmt: skip
    assert setup.out.published == []


async def test_zalo_follow_reports_reachability_for_the_known_citizen(setup: Setup) -> None:
    await setup.feed(Channel.ZALO, json.dumps(zalo_text()).encode(), "application/json")
    setup.world.clock.set(AT + timedelta(minutes=3))
    await setup.world.parts.normalise.flush()  # the gathered conversation becomes its item
    await setup.feed(Channel.ZALO, json.dumps(zalo_follow("unfollow")).encode(), "application/json")
    [item] = setup.out.of(FeedbackReceived)
    [change] = setup.out.of(ContactReachabilityChanged)
    assert change.citizen_id == item.citizen.citizen_id
    assert change.reachable is False


async def test_contacts_of_two_records_in_one_message_are_a_suggestion(setup: Setup) -> None:
    await setup.feed(Channel.WEB, web(phone="0912345678", text="Thứ một"), "application/json")
    await setup.feed(Channel.WEB, web(email="lan@example.vn", text="Thứ hai"), "application/json")
    await setup.feed(Channel.WEB, web(phone="0912345678", email="lan@example.vn", text="Thứ ba"),
                     "application/json")  # fmt: skip
    by_phone, by_email, both = setup.out.of(FeedbackReceived)
    assert by_phone.citizen.citizen_id != by_email.citizen.citizen_id
    assert both.citizen.citizen_id == by_phone.citizen.citizen_id  # the phone is the surer key
    [suggestion] = await setup.store.suggestions()
    assert suggestion.reason == "contacts_meet"
    assert set(suggestion.citizen_ids) == {by_phone.citizen.citizen_id, by_email.citizen.citizen_id}


async def test_a_reply_carries_its_citizen(setup: Setup) -> None:
    raw = await setup.feed(Channel.WEB, web(email="an@example.vn"), "application/json")
    reply = email(body=b"Van chua sua", subject=f"Re: {raw.tracking_code}",
                  message_id="<r9@x.vn>", sender="an@example.vn")  # fmt: skip
    await setup.feed(Channel.EMAIL, reply, EMAIL_CONTENT_TYPE, "r9@x.vn")
    [item] = setup.out.of(FeedbackReceived)
    [message] = setup.out.of(FeedbackMessageAdded)
    assert message.citizen is not None
    assert message.citizen.citizen_id == item.citizen.citizen_id
