"""Issue 10's loops through the real Kafka and FerretDB: what the notifier opens for a person
reaches intake's task list; what a citizen adds by reply reaches the router's history and the body.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from pydantic import MongoDsn, SecretStr

from hoiam_intake.app import create_app as create_intake
from hoiam_intake.settings import IntakeSettings
from hoiam_notifier.app import create_app as create_notifier
from hoiam_notifier.settings import NotifierSettings
from hoiam_router.app import create_app as create_router
from hoiam_router.settings import RouterSettings
from hoiam_shared.events import Channel, Citizen, Event
from hoiam_shared.topics import FEEDBACK_ROUTED, Topics
from support.clock import TestClock
from support.intake_samples import email
from support.notifier_events import routed
from support.services import VAULT_SECRET, vault_database
from support.smtp import SmtpServer
from support.stack import Stack, free_port

TOKEN = "loops-operator"
AUTH = {"authorization": f"Bearer {TOKEN}"}


def common(stack: Stack, prefix: str, service: str) -> dict[str, Any]:
    return {
        "kafka_bootstrap_servers": stack.kafka,
        "kafka_topic_prefix": f"{prefix}.",
        "kafka_group_id": f"{prefix}-{service}",
        "kafka_partitions": 2,
        "kafka_consumers": 1,
        "mongo_url": MongoDsn(stack.mongo_url),
        "mongo_database": f"{prefix}_{service}",
        "retry_backoff_seconds": 0.05,
        "vault_secret": VAULT_SECRET,
        "vault_database": vault_database(prefix),
    }


@dataclass
class Site:
    topics: Topics
    producer: AIOKafkaProducer
    intake: httpx.AsyncClient
    router: httpx.AsyncClient
    smtp: SmtpServer
    clock: TestClock

    async def publish(self, topic: str, event: Event) -> None:
        await self.producer.send_and_wait(
            self.topics.name(topic), event.to_bytes(), key=str(event.correlation_id).encode()
        )


async def eventually[T](
    read: Callable[[], Awaitable[T]], ok: Callable[[T], bool], within: float = 30
) -> T:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = await read()
        if ok(value) or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.2)


@pytest.fixture
async def site(stack: Stack, prefix: str) -> AsyncIterator[Site]:
    clock = TestClock.daytime()
    intake_settings = IntakeSettings.model_validate(
        common(stack, prefix, "intake")
        | {"id_secret": SecretStr(f"loops-{prefix}"), "operator_token": SecretStr(TOKEN)}
    )
    router_settings = RouterSettings.model_validate(
        common(stack, prefix, "router")
        | {"fallback_province": "86", "operator_token": SecretStr(TOKEN)}
    )
    async with AsyncExitStack() as running:
        smtp = running.enter_context(SmtpServer(free_port()))
        notifier_settings = NotifierSettings.model_validate(
            common(stack, prefix, "notifier")
            | {"flush_enabled": False, "smtp_port": smtp.port, "mail_domain": "loops.test"}
        )
        apps: list[FastAPI] = [
            create_intake(intake_settings, clock=clock),
            create_router(router_settings, clock=clock),
            create_notifier(notifier_settings, clock=clock),
        ]
        for app in apps:
            await running.enter_async_context(app.router.lifespan_context(app))
        producer = AIOKafkaProducer(bootstrap_servers=stack.kafka, acks="all")
        await producer.start()
        running.push_async_callback(producer.stop)
        clients = [
            await running.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc")
            )
            for app in apps[:2]
        ]
        yield Site(intake_settings.topics, producer, clients[0], clients[1], smtp, clock)


async def test_a_task_the_notifier_opens_reaches_intakes_task_list(site: Site) -> None:
    # Nobody can reach this citizen: the notifier opens a task for a person.
    nobody = Citizen(name="Cử tri không liên lạc được", preferred_channel=Channel.WEB)
    item = routed(nobody, origin=None, received_at=site.clock(), body=None, status="triage")

    await site.publish(FEEDBACK_ROUTED, item)

    async def listed() -> list[dict[str, Any]]:
        answer = await site.intake.get("/v1/operator/tasks", headers=AUTH)
        assert answer.status_code == 200
        return [t for t in answer.json() if t["item_id"] == str(item.item_id)]

    [task] = await eventually(listed, lambda found: len(found) >= 1)
    assert (task["kind"], task["state"], task["tracking_code"]) == (
        "unreachable_citizen", "open", item.tracking_code,
    )  # fmt: skip
    assert task["opened_at"].endswith("+07:00")

    taken = await site.intake.post(
        f"/v1/operator/tasks/{task['task_id']}/assign", json={"actor": "lan"}, headers=AUTH
    )
    done = await site.intake.post(
        f"/v1/operator/tasks/{task['task_id']}/done", json={"actor": "lan"}, headers=AUTH
    )
    assert (taken.status_code, done.status_code) == (200, 200)
    assert done.json()["done_by"] == "service:operator-token/lan"


MAIL = {"content-type": "message/rfc822"}
POWER_CUT = "Mất điện cả ấp 3 từ hôm qua, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh."


async def test_a_reply_reaches_the_item_the_router_history_and_the_body(
    site: Site, prefix: str
) -> None:
    first_id = f"{prefix}-1@mail.vn"
    first = await site.intake.post("/v1/intake/email", headers=MAIL, content=email(
        body=POWER_CUT.encode(), message_id=f"<{first_id}>", sender="An <an@mail.vn>",
        subject="Mất điện ấp 3"))  # fmt: skip
    assert first.status_code == 202
    code = first.json()["tracking_code"]
    # The acknowledgement threads under the citizen's mail (a bracketed msg-id, though intake
    # keeps ids without brackets) and carries no link while no public site is configured.
    await site.smtp.recorder.wait_for(code, 2)  # the body and the citizen
    [ack] = [m for m in site.smtp.recorder.about(code) if str(m["To"]) == "an@mail.vn"]
    assert str(ack["In-Reply-To"]).strip() == f"<{first_id}>"
    plain = ack.get_body(("plain",))
    assert plain is not None
    assert "http" not in plain.get_content()
    body_address = next(str(m["To"]) for m in site.smtp.recorder.about(code) if m is not ack)

    reply = await site.intake.post("/v1/intake/email", headers=MAIL, content=email(
        body="Bổ sung: cột điện đầu ấp đã ngã.".encode(), message_id=f"<{prefix}-2@mail.vn>",
        sender="an@mail.vn", subject=f"Re: [Hồi Âm {code}]",
        extra=f"In-Reply-To: <{first_id}>\r\nReferences: <{first_id}>\r\n"))  # fmt: skip
    stranger = await site.intake.post("/v1/intake/email", headers=MAIL, content=email(
        body="Tôi ở ấp khác.".encode(), message_id=f"<{prefix}-3@other.vn>",
        sender="binh@other.vn", subject=f"Re: [Hồi Âm {code}]"))  # fmt: skip

    assert (reply.status_code, reply.json()) == (202, first.json())
    assert stranger.json()["tracking_code"] != code
    told = await site.smtp.recorder.wait_for(code, 3)
    [added] = [m for m in told if "Cử tri bổ sung ý kiến" in str(m["Subject"])]
    assert str(added["To"]) == body_address
    added_text = added.get_body(("plain",))
    assert added_text is not None
    assert "Bổ sung: cột điện đầu ấp đã ngã." in added_text.get_content()

    item_id = first.json()["id"]

    async def history() -> list[dict[str, Any]]:
        answer = await site.router.get(f"/v1/items/{item_id}", headers=AUTH)
        return list(answer.json().get("history", [])) if answer.status_code == 200 else []

    entries = await eventually(
        history, lambda found: any(e["type"] == "FeedbackMessageAdded" for e in found)
    )
    [message] = [e for e in entries if e["type"] == "FeedbackMessageAdded"]
    assert message["summary"] == "Cử tri bổ sung: Bổ sung: cột điện đầu ấp đã ngã."
    stored = (await site.intake.get(f"/v1/feedback/{item_id}", headers=AUTH)).json()
    assert [m["text"]["normalised"] for m in stored["messages"]] == [
        "Bổ sung: cột điện đầu ấp đã ngã."
    ]
