"""The whole pipeline as it runs in production: HTTP in, real Kafka and FerretDB, SMTP out."""

import asyncio
import re
import time
import uuid
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient

from hoiam_shared.events import DeadLetterRecorded
from hoiam_shared.ids import is_tracking_code
from hoiam_shared.topics import FEEDBACK_RECEIVED, Topics
from support.services import OPERATOR_TOKEN, Running
from support.smtp import SmtpServer
from support.stack import Stack

OPERATOR = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
SUBMISSION = {
    "name": "Lê Thị Hồng",
    "email": "hong.le@Example.COM",
    "phone": "0168 345 6789",
    "address": "ấp Phú Thọ, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh",
    "subject": "Mất điện kéo dài",
    "text": "Từ tối 20/11 ấp Phú Thọ bị mất điện liên tục, đường dây hạ thế bị võng sát mặt đường, "
    "rất nguy hiểm cho người đi đường. Đề nghị điện lực kiểm tra, khắc phục.",
    "consent": True,
}

type Mongo = AsyncMongoClient[dict[str, Any]]


def another_citizen() -> dict[str, object]:
    """The same matter from someone else: the same citizen sending it again would be told the
    first item's code (issue 10), not given a new item."""
    return SUBMISSION | {"email": f"cutri-{uuid.uuid4().hex[:8]}@example.com", "phone": None}


async def submit(services: Running, payload: dict[str, object] = SUBMISSION) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=services.urls["intake"], timeout=10) as client:
        response = await client.post("/v1/intake/web", json=payload)
    assert response.status_code == 202, response.text
    body: dict[str, str] = response.json()
    return body


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text exposition (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}(\{{[^}}]*\}})? ([0-9.e+-]+)$"
    total = 0.0
    for match in re.finditer(pattern, text, re.MULTILINE):
        if all(part in (match.group(1) or "") for part in wanted.split(",") if part):
            total += float(match.group(2))
    return total


async def metrics_of(services: Running, service: str) -> str:
    async with httpx.AsyncClient(timeout=5) as client:
        return (await client.get(f"{services.urls[service]}/metrics")).text


async def wait_metric(
    services: Running, service: str, name: str, at_least: float, **labels: str
) -> None:
    deadline = time.monotonic() + 60
    value = 0.0
    while time.monotonic() < deadline:
        value = metric(await metrics_of(services, service), name, **labels)
        if value >= at_least:
            return
        await asyncio.sleep(0.3)
    raise AssertionError(f"{service} {name}{labels} stayed at {value}, expected ≥ {at_least}")


async def read_topic(stack: Stack, topic: str, want: int = 1, within: float = 30) -> list[Any]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=stack.kafka, auto_offset_reset="earliest")
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and len(records) < want:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def test_a_web_submission_reaches_the_body_and_the_citizen_by_email(
    services: Running, smtp: SmtpServer, mongo: Mongo
) -> None:
    accepted = await submit(services)
    assert is_tracking_code(accepted["tracking_code"])

    mails = await smtp.recorder.wait_for(accepted["tracking_code"], 2)

    by_recipient = {str(m["To"]): m for m in mails}
    assert set(by_recipient) == {"hong.le@example.com", "cskh@dienluc-vinhlong.example"}
    to_body = by_recipient["cskh@dienluc-vinhlong.example"].get_body(("plain",))
    assert to_body is not None
    body_text = to_body.get_content()
    assert "đường dây hạ thế bị võng" in body_text
    assert "Công ty Điện lực Vĩnh Long" in body_text
    citizen = by_recipient["hong.le@example.com"]
    assert "Công ty Điện lực Vĩnh Long" in str(citizen["Subject"])
    assert accepted["tracking_code"] in str(citizen["Subject"])

    stored = await mongo[services.database("router")]["assignments"].find_one(
        {"_id": accepted["id"]}
    )
    assert stored is not None
    assert stored["body_id"] == "86-dien-luc"
    async with httpx.AsyncClient(base_url=services.urls["intake"]) as client:
        assert (await client.get(f"/v1/feedback/{accepted['id']}")).status_code == 401
        item = (await client.get(f"/v1/feedback/{accepted['id']}", headers=OPERATOR)).json()
    assert item["citizen"]["contacts"]["phone"] == "+84383456789"  # 0168 → 038 (2018 renumbering)


async def test_the_same_event_delivered_twice_routes_once_and_emails_once(
    services: Running, smtp: SmtpServer, stack: Stack, mongo: Mongo
) -> None:
    accepted = await submit(services, another_citizen())
    await smtp.recorder.wait_for(accepted["tracking_code"], 2)
    topic = Topics(prefix=f"{services.prefix}.").name(FEEDBACK_RECEIVED)
    records = [r for r in await read_topic(stack, topic, want=1000, within=5)
               if r.key == accepted["id"].encode()]  # fmt: skip
    assert len(records) == 1
    skipped_before = metric(
        await metrics_of(services, "notifier"), "notifier_notifications_total",
        outcome="duplicate_skipped",
    )  # fmt: skip

    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, records[0].value, key=records[0].key)
    finally:
        await producer.stop()

    # The duplicate has gone all the way through once both services say they saw it again.
    await wait_metric(services, "router", "router_redeliveries_total", 1)
    await wait_metric(
        services, "notifier", "notifier_notifications_total", skipped_before + 2,
        outcome="duplicate_skipped",
    )  # fmt: skip
    assert len(smtp.recorder.about(accepted["tracking_code"])) == 2
    assignments = mongo[services.database("router")]["assignments"]
    assert await assignments.count_documents({"_id": accepted["id"]}) == 1
    notifier = mongo[services.database("notifier")]
    assert await notifier["deliveries"].count_documents({"item_id": accepted["id"]}) == 2
    outcomes = notifier["delivery_outcomes"]
    assert await outcomes.count_documents({"item_id": accepted["id"], "status": "sent"}) == 2


async def test_an_undecodable_record_is_dead_lettered_and_the_consumer_keeps_going(
    services: Running, smtp: SmtpServer, stack: Stack
) -> None:
    topics = Topics(prefix=f"{services.prefix}.")
    poison = b'{"type": "FeedbackReceived", "schema_version": 1, "oops": \xff'
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topics.name(FEEDBACK_RECEIVED), poison, key=b"poison-1")
    finally:
        await producer.stop()

    # The router and the console both consume the topic: each parks its own copy, named.
    records = await read_topic(stack, topics.dlq(FEEDBACK_RECEIVED), want=2)
    letters = [DeadLetterRecorded.model_validate_json(record.value) for record in records]
    assert sorted(letter.service for letter in letters) == ["console", "router"]
    for letter in letters:
        assert letter.value == poison
        assert letter.key == "poison-1"
        assert letter.error

    accepted = await submit(services, another_citizen())
    await smtp.recorder.wait_for(accepted["tracking_code"], 2)


async def test_bad_input_gets_a_4xx_with_a_reason_and_is_counted(services: Running) -> None:
    async with httpx.AsyncClient(base_url=services.urls["intake"], timeout=10) as client:
        wrong_type = await client.post(
            "/v1/intake/web", content="xin chào", headers={"content-type": "text/plain"}
        )
        missing_text = await client.post("/v1/intake/web", json={"name": "An"})
        bad_phone = await client.post("/v1/intake/web", json={"text": "Đường hỏng", "phone": "12"})
        not_json = await client.post(
            "/v1/intake/web", content=b"{", headers={"content-type": "application/json"}
        )
        too_big = await client.post("/v1/intake/web", json={"text": "x" * 2_000_000})

    assert wrong_type.status_code == 415
    assert missing_text.status_code == 422
    assert any(e["loc"] == ["text"] for e in missing_text.json()["detail"])
    assert bad_phone.status_code == 422
    assert "phone" in bad_phone.text
    assert not_json.status_code == 422
    assert too_big.status_code == 413
    exposition = await metrics_of(services, "intake")
    assert metric(exposition, "intake_rejected_total", channel="web", reason="invalid") >= 3
    assert metric(exposition, "intake_rejected_total", reason="too_large") >= 1


async def test_every_service_reports_health_and_metrics(services: Running) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        for name, url in services.urls.items():
            health = await client.get(f"{url}/health")
            assert health.status_code == 200
            assert health.json() == {"status": "ok", "service": name, "broker": "ok", "store": "ok"}
            exposition = (await client.get(f"{url}/metrics")).text
            assert "# HELP faststream_" in exposition
            assert f"# HELP {name}_" in exposition
