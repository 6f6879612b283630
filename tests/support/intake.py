"""Run one intake process on a free port for intake's e2e tests, and read its topics back."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient

from hoiam_shared.events import Event, RawFeedbackAccepted
from hoiam_shared.sealing import open_event
from hoiam_shared.vault import MongoKeyStore, Vault, sealed_box
from support.clock import TestClock
from support.services import VAULT_SECRET, service_env, start, stop, vault_database, wait_healthy
from support.stack import Stack, free_port

ZALO_SECRET = "zalo-oa-secret-e2e"
FACEBOOK_SECRET = "facebook-app-secret-e2e"
VERIFY_TOKEN = "verify-me"
OPERATOR_TOKEN = "operator-e2e-token"
ZALO_APP = "3482178216594085616"


@dataclass
class Intake:
    url: str
    prefix: str
    env: dict[str, str]
    port: int
    log: Path
    process: Any = field(default=None)

    def topic(self, name: str) -> str:
        return f"{self.prefix}.{name}"

    def restart(self, *, kill: bool = True, extra_env: dict[str, str] | None = None) -> None:
        stop(self.process, kill=kill)
        self.env |= extra_env or {}
        self.log = self.log.with_suffix(f".{time.monotonic_ns()}.log")
        self.process = start("intake", self.env, self.port, self.log)
        wait_healthy(self.url, self.process, self.log)


def intake_env(stack: Stack, prefix: str, port: int, **extra: str) -> dict[str, str]:
    env = service_env(
        "intake", stack=stack, prefix=prefix, port=port, smtp_port=0, clock=TestClock.shifted()
    )
    p = "HOIAM_INTAKE_"
    env |= {
        f"{p}ZALO_APP_ID": ZALO_APP,
        f"{p}ZALO_OA_SECRET": ZALO_SECRET,
        f"{p}FACEBOOK_APP_SECRET": FACEBOOK_SECRET,
        f"{p}FACEBOOK_VERIFY_TOKEN": VERIFY_TOKEN,
        f"{p}OPERATOR_TOKEN": OPERATOR_TOKEN,
        f"{p}ID_SECRET": f"e2e-{prefix}",
        f"{p}ACCOUNT_PROVINCES": '{"1900": "86", "579745863508352884": "86"}',
        f"{p}KAFKA_CONSUMERS": "1",
    }
    return env | {f"{p}{k.upper()}": v for k, v in extra.items()}


@contextmanager
def running_intake(stack: Stack, prefix: str, log_dir: Path, **extra: str) -> Iterator[Intake]:
    port = free_port()
    env = intake_env(stack, prefix, port, **extra)
    log = log_dir / f"intake-{prefix}.log"
    intake = Intake(url=f"http://127.0.0.1:{port}", prefix=prefix, env=env, port=port, log=log)
    intake.process = start("intake", env, port, log)
    try:
        wait_healthy(intake.url, intake.process, log)
        yield intake
    finally:
        stop(intake.process)


async def read_all(stack: Stack, topic: str, *, want: int, within: float = 30) -> list[Any]:
    """Records of `topic` from the start until `want` arrived or `within` seconds passed."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=stack.kafka, auto_offset_reset="earliest")
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and len(records) < want:
            for batch in (await consumer.getmany(timeout_ms=300)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def opened[E: Event](stack: Stack, intake: "Intake", event: E) -> E:
    """`event` as read from a topic, with its sealed personal fields opened through the vault of
    the intake under test (what every service's consumer does; docs/erasure.md)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    try:
        keys = MongoKeyStore(client[vault_database(intake.prefix)])
        vault = Vault(keys, secret=VAULT_SECRET.encode(), clock=TestClock.shifted())
        if isinstance(event, RawFeedbackAccepted) and event.sealed_with is not None:
            plain = await vault.open(sealed_box(event.sealed_with, event.payload))
            assert plain is not None, "the raw record's key is gone"
            return event.model_copy(update={"payload": plain, "sealed_with": None})
        return await open_event(event, vault)
    finally:
        await client.close()
