"""The notifier killed (SIGKILL) between a provider's acceptance and the offset commit, then
restarted: each recipient gets exactly one message from the provider's point of view."""

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from hoiam_shared.events import (
    Channel,
    Citizen,
    Contacts,
    OperatorTaskOpened,
    Origin,
    OriginKind,
    decode_event,
)
from hoiam_shared.ids import new_id
from hoiam_shared.topics import FEEDBACK_ROUTED, OPERATOR_TASKS
from support.apps import CRASH_VARIABLE
from support.clock import TestClock
from support.notifier_events import routed
from support.notifier_providers import FakeProviders, notifier_env
from support.services import service_env, start, stop, wait_healthy
from support.smtp import SmtpServer
from support.stack import Stack, free_port, remove_test_leftovers


@pytest.fixture
def fake() -> Iterator[FakeProviders]:
    with FakeProviders(free_port()) as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer(free_port()) as server:
        yield server


async def wait_until(check: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {within}s: {what}")


@pytest.mark.parametrize(
    ("crash_after", "way"),
    [("send", "zalo"), ("record", "zalo"), ("send", "email")],
)
async def test_killed_between_send_and_commit_then_restarted(
    stack: Stack,
    fake: FakeProviders,
    smtp: SmtpServer,
    tmp_path: Path,
    crash_after: str,
    way: str,
) -> None:
    prefix = f"c{new_id().hex[:10]}"
    port = free_port()
    # 10:00 in Việt Nam: Zalo goes out at once (quiet hours are 21:00-07:00).
    clock = TestClock.daytime()
    env = service_env(
        "notifier", stack=stack, prefix=prefix, port=port, smtp_port=smtp.port, clock=clock
    )
    env |= notifier_env(fake.url) | {"HOIAM_NOTIFIER_KAFKA_CONSUMERS": "1"}
    url = f"http://127.0.0.1:{port}"
    if way == "zalo":
        citizen = Citizen(
            contacts=Contacts(zalo_user_id="crash-user", phone="+84911000099"),
            preferred_channel=Channel.ZALO,
            last_inbound_at=clock() - timedelta(minutes=5),
        )
        origin = Origin(kind=OriginKind.ZALO_MESSAGE)
        item = routed(citizen, origin=origin, received_at=clock() - timedelta(minutes=5))
    else:
        citizen = Citizen(
            contacts=Contacts(email="crash@example.vn"), preferred_channel=Channel.EMAIL
        )
        origin = Origin(kind=OriginKind.EMAIL, message_id="<c@x>")
        item = routed(
            citizen,
            origin=origin,
            received_at=clock() - timedelta(minutes=5),
            channel=Channel.EMAIL,
        )

    def accepted() -> list[object]:
        if way == "zalo":
            return list(fake.received("zalo_cs", accepted=True))
        return list(smtp.recorder.about(item.tracking_code))

    log = tmp_path / "notifier.log"
    crashing = env | {CRASH_VARIABLE: crash_after}
    process = start("notifier", crashing, port, log, factory="notifier_crashing")
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka)
    try:
        wait_healthy(url, process, log)
        await producer.start()
        await producer.send_and_wait(
            f"{prefix}.{FEEDBACK_ROUTED}", item.to_bytes(), key=str(item.item_id).encode()
        )
        await wait_until(lambda: process.poll() is not None, 60, "the notifier kills itself")
        assert process.returncode == -9
        assert len(accepted()) == 1  # the provider took it; no outcome or no commit followed

        process = start("notifier", env, port, tmp_path / "notifier-restarted.log")
        wait_healthy(url, process, tmp_path / "notifier-restarted.log")
        consumer = AIOKafkaConsumer(
            f"{prefix}.{OPERATOR_TASKS}",
            bootstrap_servers=stack.kafka,
            group_id=f"{prefix}-observer",
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            if crash_after == "send" and way == "zalo":
                # Interrupted before the outcome was recorded: not sent again, a person checks.
                record = await asyncio.wait_for(consumer.getone(), 60)
                task = decode_event(OperatorTaskOpened, record.value)
                assert task.reason == "delivery_outcome_unknown"
                assert task.item_id == item.item_id
            elif crash_after == "record":
                # The restarted notifier read the event again and found its outcome recorded.
                await wait_until(
                    lambda: 'outcome="duplicate_skipped"' in httpx.get(f"{url}/metrics").text,
                    60,
                    "the redelivered event recognised as a duplicate",
                )
        finally:
            await consumer.stop()
        if crash_after == "send" and way == "email":
            # Email is resent with the same Message-ID: one message in the citizen's mailbox.
            await wait_until(lambda: len(accepted()) == 2, 60, "the email resent")
            ids = {str(m["Message-ID"]).strip() for m in accepted() if isinstance(m, EmailMessage)}
            assert len(ids) == 1
        else:
            assert len(accepted()) == 1
    finally:
        stop(process)
        await producer.stop()
        await remove_test_leftovers(stack, prefix)
