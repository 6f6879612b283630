"""Intake as a real process on the real broker: every channel in, duplicates, bad input, DLQ."""

import asyncio
import base64
import importlib.util
import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from hoiam_shared.events import (
    Channel,
    ContactReachabilityChanged,
    DeadLetterRecorded,
    FeedbackMessageAdded,
    FeedbackReceived,
    OperatorTaskOpened,
    RawFeedbackAccepted,
)
from hoiam_shared.ids import is_tracking_code, new_id, new_tracking_code
from hoiam_shared.topics import (
    CITIZEN_CONTACTS,
    FEEDBACK_MESSAGES,
    FEEDBACK_RECEIVED,
    INTAKE_RAW,
    OPERATOR_TASKS,
    dead_letter_topic,
)
from support.clock import TestClock
from support.intake import (
    FACEBOOK_SECRET,
    OPERATOR_TOKEN,
    VERIFY_TOKEN,
    ZALO_APP,
    ZALO_SECRET,
    Intake,
    opened,
    read_all,
    running_intake,
)
from support.intake_samples import (
    CDR_LINES,
    QUEUE_LOG,
    SENTENCE,
    email,
    facebook_comment,
    facebook_signed,
    sent_at,
    to_tcvn3,
    zalo_follow,
    zalo_image,
    zalo_signed,
    zalo_text,
)
from support.stack import Stack, remove_test_leftovers

REPO = Path(__file__).resolve().parents[2]
AUTH = {"authorization": f"Bearer {OPERATOR_TOKEN}"}
JSON = {"content-type": "application/json"}
MAIL = {"content-type": "message/rfc822"}


def now() -> datetime:
    """The moment the intake process reads (its clock is the suite's shifted now)."""
    return TestClock.shifted()()


def stamp(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def load_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "demo_intake", REPO / "deploy/local/demo_intake.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def intake(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Intake]:
    prefix = f"i{uuid.uuid4().hex[:10]}"
    columns = json.dumps(
        {
            "call_id": "Mã",
            "caller": "Số gọi",
            "name": "Họ tên",
            "started_at": "Thời điểm",
            "status": "Trạng thái",
            "text": "Nội dung",
        }
    )
    logs = tmp_path_factory.mktemp("intake-logs")
    with running_intake(stack, prefix, logs, calls_csv_columns=columns) as running:
        yield running
    asyncio.run(remove_test_leftovers(stack, prefix))


async def by_source(intake: Intake, channel: str, ref: str) -> dict[str, Any]:
    """The item a provider message became, once the normaliser has made it."""
    async with httpx.AsyncClient(base_url=intake.url, timeout=10) as client:
        for _ in range(100):
            found = await client.get(f"/v1/feedback/by-source/{channel}/{ref}", headers=AUTH)
            if found.status_code == 200:
                item: dict[str, Any] = found.json()
                return item
            await asyncio.sleep(0.3)
    raise AssertionError(f"{channel} {ref} never normalised: {found.text}")


async def received(
    stack: Stack, intake: Intake, ids: set[str], within: float = 60
) -> dict[str, FeedbackReceived]:
    """The FeedbackReceived of each id, read back from the topic with a real consumer."""
    found: dict[str, FeedbackReceived] = {}
    deadline = asyncio.get_running_loop().time() + within
    while set(found) < ids and asyncio.get_running_loop().time() < deadline:
        for record in await read_all(stack, intake.topic(FEEDBACK_RECEIVED), want=10_000, within=2):
            event = await opened(stack, intake, FeedbackReceived.model_validate_json(record.value))
            found[str(event.item_id)] = event
    missing = ids - set(found)
    assert not missing, f"never normalised: {missing}\n{intake.log.read_text()[-3000:]}"
    return found


async def test_every_channel_reaches_feedback_received(stack: Stack, intake: Intake) -> None:
    demo = load_demo()
    sent = await demo.send_every_channel(
        intake.url, zalo_app_id=ZALO_APP, zalo_secret=ZALO_SECRET,
        facebook_app_secret=FACEBOOK_SECRET, operator_token=OPERATOR_TOKEN,
        sent_at=now().timestamp(),
    )  # fmt: skip
    items = [s for s in sent if s.kind == "item"]
    assert {s.channel for s in items} == {"web", "email", "phone", "zalo", "facebook", "open311"}
    assert len(items) == 8
    assert all(is_tracking_code(s.tracking_code) for s in items)
    events = await received(stack, intake, {s.id for s in items})

    mail = events[next(s.id for s in items if s.channel == "email")]
    assert "Đoạn đường liên ấp Phú Thọ, xã Phú Cần bị ngập sâu" in mail.text.normalised
    assert mail.text.subject == "Phản ánh đường ngập ở ấp Phú Thọ"
    assert mail.citizen.name == "Nguyễn Văn An"
    assert mail.origin is not None
    assert mail.origin.message_id is not None
    by_channel = {e.channel: e for e in events.values()}
    assert by_channel[Channel.ZALO].location.province_hint == "86"
    assert by_channel[Channel.ZALO].citizen.preferred_channel is Channel.ZALO
    assert by_channel[Channel.OPEN311].location.raw_address == "Quốc lộ 53, xã Long Hồ"
    assert all(e.citizen.citizen_id for e in events.values() if e.citizen.contacts.model_dump(
        exclude_none=True))  # fmt: skip

    [missed] = [s for s in sent if s.kind == "call_back"]
    tasks = [await opened(stack, intake, OperatorTaskOpened.model_validate_json(r.value))
             for r in await read_all(stack, intake.topic(OPERATOR_TASKS), want=1)]  # fmt: skip
    assert [t.phone for t in tasks] == ["+84383456789"]
    assert missed.note.endswith(tasks[0].task_id.removeprefix("call_back:"))
    async with httpx.AsyncClient(base_url=intake.url, timeout=10) as client:
        assert (await client.get("/v1/operator/tasks")).status_code == 401
        listed = (await client.get("/v1/operator/tasks", headers=AUTH)).json()
        assert [t["task_id"] for t in listed] == [tasks[0].task_id]
        web = next(s for s in items if s.channel == "web")
        assert (await client.get(f"/v1/feedback/{web.id}")).status_code == 401
        item = (await client.get(f"/v1/feedback/{web.id}", headers=AUTH)).json()
        assert item["tracking_code"] == web.tracking_code


async def test_legacy_tcvn3_mail_through_the_broker(stack: Stack, intake: Intake) -> None:
    data = email(body=to_tcvn3(SENTENCE), charset="iso-8859-1", encoding="base64",
                 message_id=f"<tcvn3-{uuid.uuid4().hex}@x.vn>")  # fmt: skip
    async with httpx.AsyncClient(base_url=intake.url, timeout=10) as client:
        answer = await client.post("/v1/intake/email", content=data,
                                   headers={"content-type": "message/rfc822"})  # fmt: skip
    assert answer.status_code == 202
    events = await received(stack, intake, {answer.json()["id"]})
    assert events[answer.json()["id"]].text.normalised == SENTENCE


async def test_the_same_source_twice_is_one_item(stack: Stack, intake: Intake) -> None:
    ref = uuid.uuid4().hex
    data = email(body="Lần đầu".encode(), message_id=f"<{ref}@x.vn>")
    body, headers = zalo_signed(
        sent_at(zalo_text(msg_id=f"z-{ref}", text="Cùng một tin", user=f"u1-{ref}"), now()),
        secret=ZALO_SECRET,
    )
    log = CDR_LINES.replace("1732674600.1", f"{ref}.1").replace("1732676400.2", f"{ref}.2")
    async with httpx.AsyncClient(base_url=intake.url, timeout=10) as client:
        first = await client.post(
            "/v1/intake/email", content=data, headers={"content-type": "message/rfc822"}
        )
        again = await client.post(
            "/v1/intake/email", content=data, headers={"content-type": "message/rfc822"}
        )
        webhooks = await asyncio.gather(
            *(client.post("/webhooks/zalo", content=body, headers=headers) for _ in range(5))
        )
        log_once = await client.post(
            "/v1/intake/calls?format=asterisk-cdr",
            content=log,
            headers={"content-type": "text/csv"} | AUTH,
        )
        log_again = await client.post("/v1/intake/calls?format=asterisk-cdr", content=log,
                                      headers={"content-type": "text/csv"} | AUTH)  # fmt: skip
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.json() == again.json()
    assert {w.status_code for w in webhooks} == {200}
    assert (log_once.json()["accepted"], log_once.json()["duplicates"]) == (2, 0)
    assert (log_again.json()["accepted"], log_again.json()["duplicates"]) == (0, 2)
    assert [r["line"] for r in log_once.json()["rejected"]] == [3, 4]

    zalo_item = await by_source(intake, "zalo", f"z-{ref}")
    await received(stack, intake, {first.json()["id"], zalo_item["item_id"]})
    await asyncio.sleep(2)  # let every copy of the repeated submissions be normalised
    records = [
        FeedbackReceived.model_validate_json(r.value)
        for r in await read_all(stack, intake.topic(FEEDBACK_RECEIVED), want=10_000, within=3)
    ]
    for item_id in (first.json()["id"], zalo_item["item_id"]):
        copies = {e.event_id for e in records if str(e.item_id) == item_id}
        assert len(copies) == 1, f"{item_id} became {len(copies)} different events"


async def test_bad_input_is_a_counted_4xx_never_a_5xx(intake: Intake) -> None:
    body, headers = zalo_signed(sent_at(zalo_text(), now()), secret=ZALO_SECRET)
    fb_body, fb_headers = facebook_signed({"object": "page", "entry": []}, secret="not-ours")
    async with httpx.AsyncClient(base_url=intake.url, timeout=10) as client:
        answers = {
            "zalo unsigned": await client.post("/webhooks/zalo", content=body, headers=JSON),
            "zalo forged": await client.post("/webhooks/zalo", content=body + b" ",
                                             headers=headers),
            "zalo not json": await client.post("/webhooks/zalo", content=b"{oops",
                                               headers=headers),
            "facebook forged": await client.post("/webhooks/facebook", content=fb_body,
                                                 headers=fb_headers),
            "facebook bad token": await client.get("/webhooks/facebook", params={
                "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "42"}),
            "email as text": await client.post("/v1/intake/email", content=b"hi",
                                               headers={"content-type": "text/plain"}),
            "email no headers": await client.post("/v1/intake/email", content=b"\r\n\r\nhello",
                                                  headers={"content-type": "message/rfc822"}),
            "email too big": await client.post("/v1/intake/email", content=b"x" * 1_100_000,
                                               headers={"content-type": "message/rfc822"}),
            "calls bad format": await client.post("/v1/intake/calls?format=excel", content=b"a",
                                                  headers={"content-type": "text/csv"} | AUTH),
            "calls no token": await client.post("/v1/intake/calls", content=b"a",
                                                headers={"content-type": "text/csv"}),
            "manual no token": await client.post("/v1/intake/calls/manual", json={}),
            "manual invalid": await client.post("/v1/intake/calls/manual", json={"caller": "1"},
                                                headers=AUTH),
            "open311 no location": await client.post("/v1/open311/requests", data={
                "service_code": "x", "description": "Đường hỏng nặng"}),
        }  # fmt: skip
        challenge = await client.get("/webhooks/facebook", params={"hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"})  # fmt: skip
        metrics = (await client.get("/metrics")).text
    codes = {name: answer.status_code for name, answer in answers.items()}
    assert codes == {
        "zalo unsigned": 401, "zalo forged": 403, "zalo not json": 400, "facebook forged": 403,
        "facebook bad token": 403, "email as text": 415, "email no headers": 400,
        "email too big": 413, "calls bad format": 422, "calls no token": 401,
        "manual no token": 401, "manual invalid": 422, "open311 no location": 400,
    }  # fmt: skip
    assert "location" in answers["open311 no location"].json()[0]["description"]
    assert (challenge.status_code, challenge.text) == (200, "1158201444")
    for channel, reason in (("zalo", "bad_signature"), ("facebook", "bad_signature"),
                            ("email", "unsupported_media_type"), ("email", "too_large"),
                            ("open311", "invalid"), ("phone", "invalid")):  # fmt: skip
        assert f'intake_rejected_total{{channel="{channel}",reason="{reason}"}}' in metrics


async def produce(stack: Stack, topic: str, value: bytes, key: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def test_a_bad_record_is_dead_lettered_and_a_replay_refeeds_it(
    stack: Stack, intake: Intake
) -> None:
    raw_topic = intake.topic(INTAKE_RAW)
    dlq = dead_letter_topic(raw_topic)
    # A Zalo event the normaliser cannot read (no msg_id): parked with its cause.
    broken = {"app_id": ZALO_APP, "event_name": "user_send_text", "timestamp": stamp(now()),
              "sender": {"id": "1"}, "message": {"text": "thiếu msg_id"}}  # fmt: skip
    body, headers = zalo_signed(broken, secret=ZALO_SECRET)
    async with httpx.AsyncClient(base_url=intake.url, timeout=10) as client:
        assert (
            await client.post("/webhooks/zalo", content=body, headers=headers)
        ).status_code == 200
    [letter_record] = await read_all(stack, dlq, want=1)
    letter = DeadLetterRecorded.model_validate_json(letter_record.value)
    assert "msg_id" in letter.error
    sealed = RawFeedbackAccepted.model_validate_json(letter.value)
    assert body not in sealed.payload  # the letter holds the sealed record
    assert (await opened(stack, intake, sealed)).payload == body

    # A letter parked by an earlier, buggy version: the record itself is fine today.
    ref = f"z-replay-{uuid.uuid4().hex}"
    good = RawFeedbackAccepted(
        correlation_id=(item_id := new_id()), item_id=item_id, tracking_code=new_tracking_code(),
        channel=Channel.ZALO, received_at=letter.occurred_at, content_type="application/json",
        payload=base64.b64encode(json.dumps(zalo_text(msg_id=ref, user=f"u-{ref}")).encode()),
    )  # fmt: skip
    parked = DeadLetterRecorded(
        correlation_id=item_id, service="intake", source_topic=raw_topic, key=str(item_id),
        value=base64.b64encode(good.to_bytes()), error_type="KeyError", error="old bug",
    )  # fmt: skip
    await produce(stack, dlq, parked.to_bytes(), str(item_id).encode())

    async def replay() -> dict[str, Any]:
        process = await asyncio.create_subprocess_exec(
            str(REPO / ".venv/bin/python"), "-m", "hoiam_intake.replay",
            "--bootstrap-servers", stack.kafka, "--topic-prefix", f"{intake.prefix}.",
            "--group", f"{intake.prefix}-replay",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        summary: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
        return summary

    first = await replay()
    assert first["replayed"] == 2
    await by_source(intake, "zalo", ref)
    # The still-broken record went round again and is parked again, with the same cause: three
    # letters (the two first, the broken one again), and no fourth follows (the good one flowed).
    await read_all(stack, dlq, want=3)
    letters = await read_all(stack, dlq, want=4, within=3)
    assert len(letters) == 3
    assert (
        sum("msg_id" in DeadLetterRecorded.model_validate_json(r.value).error for r in letters) == 2
    )
    assert (await replay())["replayed"] == 1  # only the new letter; the group remembers
    records = await read_all(stack, intake.topic(FEEDBACK_RECEIVED), want=10_000, within=3)
    events = {FeedbackReceived.model_validate_json(r.value).event_id for r in records
              if FeedbackReceived.model_validate_json(r.value).source_ref == ref}  # fmt: skip
    assert len(events) == 1


async def test_a_reply_by_email_is_added_to_its_item(stack: Stack, intake: Intake) -> None:
    async with httpx.AsyncClient(base_url=intake.url, timeout=10) as client:
        web = (await client.post("/v1/intake/web", json={
            "email": "hoa@example.vn", "text": "Cống bể ở tổ 3 chưa sửa"})).json()  # fmt: skip
        reply = email(body="Vẫn chưa ai đến sửa.".encode(), sender="hoa@example.vn",
                      subject=f"Re: [{web['tracking_code']}] Cong be",
                      message_id=f"<reply-{uuid.uuid4().hex}@x.vn>")  # fmt: skip
        await received(stack, intake, {web["id"]})
        answer = await client.post("/v1/intake/email", content=reply, headers=MAIL)
        assert answer.status_code == 202
    messages = []
    for _ in range(20):
        messages = [
            FeedbackMessageAdded.model_validate_json(r.value)
            for r in await read_all(stack, intake.topic(FEEDBACK_MESSAGES), want=100, within=2)
        ]
        if any(m.item_id == uuid.UUID(web["id"]) for m in messages):
            break
    [mine] = [m for m in messages if m.item_id == uuid.UUID(web["id"])]
    assert (mine.kind, mine.tracking_code) == ("reply", web["tracking_code"])


async def test_queue_logs_mapped_csv_zalo_media_and_comment_changes(
    stack: Stack, intake: Intake
) -> None:
    run = uuid.uuid4().hex[:8]
    queue_log = QUEUE_LOG.replace("|17326", f"|{run}-17326")
    csv_log = (
        "Mã,Số gọi,Họ tên,Thời điểm,Trạng thái,Nội dung\n"
        f"csv-{run},0912 345 678,Phạm Văn Bình,27/11/2026 08:15,ANSWERED,Hỏi về trợ cấp\n"
    )
    comment_id = f"106540352242922_111_{run}"
    async with httpx.AsyncClient(base_url=intake.url, timeout=10) as client:
        queue = (
            await client.post(
                "/v1/intake/calls?format=queue-log",
                content=queue_log,
                headers={"content-type": "text/plain"} | AUTH,
            )
        ).json()
        mapped = (
            await client.post(
                "/v1/intake/calls?format=csv",
                content=csv_log.encode(),
                headers={"content-type": "text/csv; charset=utf-8"} | AUTH,
            )
        ).json()
        for event in (
            zalo_image()
            | {"message": zalo_image()["message"] | {"msg_id": f"i-{run}"}}
            | {"sender": {"id": f"img-{run}"}},
            zalo_follow("unfollow") | {"follower": {"id": f"u-{run}"}},
        ):
            body, headers = zalo_signed(sent_at(event, now()), secret=ZALO_SECRET)
            assert (
                await client.post("/webhooks/zalo", content=body, headers=headers)
            ).status_code == 200
        for verb, text in (
            ("add", "Giá điện tăng"),
            ("edited", "Giá điện tháng 11 tăng"),
            ("remove", ""),
        ):
            body, headers = facebook_signed(
                sent_at(facebook_comment(verb=verb, comment_id=comment_id, message=text), now()),
                secret=FACEBOOK_SECRET,
            )
            assert (
                await client.post("/webhooks/facebook", content=body, headers=headers)
            ).status_code == 200
    assert (queue["accepted"], mapped["accepted"]) == (3, 1)
    assert [r["reason"] for r in queue["rejected"]] == ["fewer than 5 fields"]
    answered = {c["id"] for c in queue["calls"] + mapped["calls"] if c["kind"] == "item"}
    events = await received(stack, intake, answered)
    assert {events[i].citizen.contacts.phone for i in answered} == {"+84912000111", "+84912345678"}
    tasks = [
        OperatorTaskOpened.model_validate_json(r.value)
        for r in await read_all(stack, intake.topic(OPERATOR_TASKS), want=10_000, within=3)
    ]
    assert {t.reason for t in tasks if run in t.task_id} == {"abandon", "exitwithtimeout"}

    changes = [
        await opened(stack, intake, ContactReachabilityChanged.model_validate_json(r.value))
        for r in await read_all(stack, intake.topic(CITIZEN_CONTACTS), want=10_000, within=3)
    ]
    assert [(c.address, c.reachable) for c in changes if c.address == f"u-{run}"] == [
        (f"u-{run}", False)
    ]
    image = await by_source(intake, "zalo", f"i-{run}")
    comment = await by_source(intake, "facebook", comment_id)
    assert [a["content_type"] for a in image["attachments"]] == ["image/*"]
    messages = []
    for _ in range(20):
        messages = [
            FeedbackMessageAdded.model_validate_json(r.value)
            for r in await read_all(stack, intake.topic(FEEDBACK_MESSAGES), want=10_000, within=2)
        ]
        mine = [m.kind for m in messages if str(m.item_id) == comment["item_id"]]
        if len(mine) == 2:
            break
    assert mine == ["edit", "remove"]
