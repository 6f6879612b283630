"""The three services as processes, the notifier configured by environment for the fake
providers exactly as `services.sh` does: a web submission is acknowledged, and its resolution,
published as a status event, reaches the citizen on the channel they chose."""

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from hoiam_shared.events import Status, StatusChanged
from hoiam_shared.topics import FEEDBACK_STATUS, Topics
from support.clock import TestClock
from support.notifier_providers import FakeProviders, notifier_env
from support.services import Running, running_services
from support.smtp import SmtpServer
from support.stack import Stack, free_port, remove_test_leftovers


@pytest.fixture
def answering(stack: Stack, tmp_path: Path) -> Iterator[tuple[Running, FakeProviders, SmtpServer]]:
    prefix = f"a{uuid.uuid4().hex[:10]}"
    with (
        FakeProviders(free_port()) as fake,
        SmtpServer(free_port()) as smtp,
        running_services(
            stack=stack,
            prefix=prefix,
            smtp_port=smtp.port,
            log_dir=tmp_path,
            # Zalo and SMS answers go out at once only outside quiet hours (21:00-07:00).
            clock=TestClock.daytime(),
            extra_env={"notifier": notifier_env(fake.url)},
        ) as running,
    ):
        yield running, fake, smtp
    asyncio.run(remove_test_leftovers(stack, prefix))


async def wait_sms(fake: FakeProviders, code: str, count: int) -> list[dict[str, object]]:
    for _ in range(600):
        found = [r for r in fake.received("sms", accepted=True) if code in str(r["body"])]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"{count} SMS about {code}: {fake.received()}")


async def test_a_resolution_reaches_a_web_citizen_by_sms_and_the_body_by_email(
    answering: tuple[Running, FakeProviders, SmtpServer], stack: Stack
) -> None:
    services, fake, smtp = answering
    async with httpx.AsyncClient(base_url=services.urls["intake"], timeout=10) as client:
        response = await client.post(
            "/v1/intake/web",
            json={
                "name": "Đặng Văn Hùng",
                "phone": "0903 123 456",
                "address": "ấp Phú Thọ, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh",
                "text": "Ấp Phú Thọ mất điện liên tục, đường dây hạ thế võng sát mặt đường.",
                "preferred_channel": "phone",
                "consent": True,
            },
        )
    assert response.status_code == 202, response.text
    accepted = response.json()
    code = accepted["tracking_code"]

    [ack] = await wait_sms(fake, code, 1)
    [to_body] = await smtp.recorder.wait_for(code, 1)
    assert str(to_body["To"]) == "cskh@dienluc-vinhlong.example"

    resolution = StatusChanged(
        correlation_id=uuid.UUID(accepted["id"]),
        item_id=uuid.UUID(accepted["id"]),
        tracking_code=code,
        status=Status.RESOLVED,
        answer="Điện lực đã căng lại đường dây ngày 26/11.",
    )
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            Topics(prefix=f"{services.prefix}.").name(FEEDBACK_STATUS),
            resolution.to_bytes(),
            key=accepted["id"].encode(),
        )
    finally:
        await producer.stop()

    _, answer = await wait_sms(fake, code, 2)
    body = answer["body"]
    assert isinstance(body, dict)
    assert body["to"] == "+84903123456"
    assert "đã giải quyết" in body["text"]
    assert f"nêu mã theo dõi {code}" in body["text"]  # no public site yet: no link
    assert body["client_ref"] != ack["body"]["client_ref"]  # type: ignore[index]
