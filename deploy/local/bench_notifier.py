"""Notifier throughput: notifications/s sustained from Kafka to a local SMTP server.

Starts its own notifier process (a free port, its own topics, group and database, never the
demo's 8001-8003) and its own aiosmtpd server, pre-loads `--events` routed events on Kafka (each
is two emails: the body and the citizen), then times the notifier from its start until the SMTP
server holds every message. Prints JSON. Usage:
  python deploy/local/bench_notifier.py [--events 300] [--consumers 3]
"""

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiosmtpd.controller import Controller
from pymongo import AsyncMongoClient

from hoiam_shared.events import (
    BodyContact,
    BodyRef,
    CategoryRef,
    Channel,
    Citizen,
    Contacts,
    FeedbackRouted,
    Origin,
    OriginKind,
    Status,
)
from hoiam_shared.ids import new_id, new_tracking_code
from hoiam_shared.kafka import ensure_topics
from hoiam_shared.topics import Topics

KAFKA = os.environ.get("HOIAM_BENCH_KAFKA", "127.0.0.1:9092")
MONGO = os.environ.get("HOIAM_BENCH_MONGO", "mongodb://127.0.0.1:27017/")
REPO = Path(__file__).resolve().parents[2]


class Counter:
    def __init__(self) -> None:
        self.count = 0
        self.first: float | None = None
        self.last: float | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.monotonic()
        self.first = self.first or now
        self.last = now
        self.count += 1
        return "250 2.0.0 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def event(n: int) -> FeedbackRouted:
    item_id = new_id()
    return FeedbackRouted(
        correlation_id=item_id,
        item_id=item_id,
        tracking_code=new_tracking_code(),
        status=Status.ROUTED,
        category=CategoryRef(code="electricity", name="Điện"),
        body=BodyRef(
            id="dl",
            name="Công ty Điện lực Vĩnh Long",
            level="utility",
            contacts=(BodyContact(channel=Channel.EMAIL, address="cskh@dienluc.example"),),
        ),
        confidence=0.9,
        reasons=("từ khóa: mất điện",),
        channel=Channel.EMAIL,
        citizen=Citizen(
            name=f"Cử tri {n}",
            contacts=Contacts(email=f"cutri{n}@example.vn"),
            preferred_channel=Channel.EMAIL,
        ),
        text="Ấp Phú Thọ mất điện nhiều lần trong tuần, đề nghị điện lực kiểm tra.",
        origin=Origin(kind=OriginKind.EMAIL, message_id=f"<bench{n}@mail.example>"),
        received_at=datetime.now(UTC),
    )


async def cleanup(prefix: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        doomed = [t for t in await admin.list_topics() if t.startswith(prefix)]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO)
    try:
        await mongo.drop_database(f"{prefix}_notifier")
    finally:
        await mongo.close()


async def read_metrics(url: str, within: float = 30) -> str:
    """The notifier's metrics; its consumers start before uvicorn listens, so a short run can
    finish its sends before the HTTP port is open: wait for it."""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient() as client:
        while True:
            try:
                return (await client.get(url)).text
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(events: int, consumers: int) -> dict[str, Any]:
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    topics = Topics(prefix=f"{prefix}.")
    counter = Counter()
    smtp_port, http_port = free_port(), free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    await ensure_topics(KAFKA, topics.everything(), partitions=6, replication_factor=1)
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, linger_ms=5)
    await producer.start()
    try:
        for n in range(events):
            e = event(n)
            await producer.send(
                topics.name("feedback.routed.v1"), e.to_bytes(), key=str(e.item_id).encode()
            )
        await producer.flush()
    finally:
        await producer.stop()
    p = "HOIAM_NOTIFIER_"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOIAM_")} | {
        f"{p}KAFKA_BOOTSTRAP_SERVERS": KAFKA,
        f"{p}KAFKA_TOPIC_PREFIX": f"{prefix}.",
        f"{p}KAFKA_GROUP_ID": f"{prefix}-notifier",
        f"{p}KAFKA_CONSUMERS": str(consumers),
        f"{p}MONGO_URL": MONGO,
        f"{p}MONGO_DATABASE": f"{prefix}_notifier",
        f"{p}HTTP_PORT": str(http_port),
        f"{p}SMTP_PORT": str(smtp_port),
        f"{p}LOG_LEVEL": "WARNING",
        # Every service seals personal data through the vault (docs/erasure.md); the bench's own.
        f"{p}VAULT_SECRET": "bench-only-vault-secret",
        f"{p}VAULT_DATABASE": f"{prefix}_vault",
    }
    log = REPO / ".local" / "logs" / f"{prefix}-notifier.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uvicorn", "--factory", "hoiam_notifier.app:create_app",
        "--host", "127.0.0.1", "--port", str(http_port), "--no-access-log",
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    expected = events * 2
    try:
        deadline = started + 600
        while counter.count < expected and time.monotonic() < deadline:
            if process.returncode is not None:
                raise SystemExit(f"notifier exited: {log.read_text()[-2000:]}")
            await asyncio.sleep(0.2)
        metrics = await read_metrics(f"http://127.0.0.1:{http_port}/metrics")
        cpu_seconds = process_cpu_seconds(process.pid)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
        controller.stop()
        await cleanup(prefix)
    first, last = counter.first or started, counter.last or time.monotonic()
    steady = counter.count / (last - first) if last > first else None
    send_count = next(
        (float(line.split()[-1]) for line in metrics.splitlines()
         if line.startswith('notifier_send_seconds_count{channel="email"}')),
        None,
    )  # fmt: skip
    send_sum = next(
        (float(line.split()[-1]) for line in metrics.splitlines()
         if line.startswith('notifier_send_seconds_sum{channel="email"}')),
        None,
    )  # fmt: skip
    commands = sum(
        float(line.split()[-1])
        for line in metrics.splitlines()
        if line.startswith("hoiam_mongo_commands_total{")
    )
    return {
        "events": events,
        # Every store command of the run (indexes at start included) per routed event.
        "mongo_commands_per_event": round(commands / events, 2),
        # The notifier's CPU from its start (imports and start-up included) per routed event.
        "notifier_cpu_ms_per_event": round(cpu_seconds * 1000 / events, 1),
        "emails_expected": expected,
        "emails_received": counter.count,
        "consumers": consumers,
        "notifications_per_s_first_to_last": round(steady, 1) if steady else None,
        "seconds_first_to_last_email": round(last - first, 2),
        "seconds_from_process_start": round(last - started, 2),
        "mean_smtp_send_ms": round(send_sum / send_count * 1000, 1)
        if send_sum and send_count
        else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--consumers", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.events, args.consumers)), indent=2))


if __name__ == "__main__":
    main()
