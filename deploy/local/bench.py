"""End-to-end benchmark on the running local stack: offered load in, latency and throughput out.

Posts web submissions to intake at a fixed rate and reads `notification.sent.v1` to see when the
citizen's email was accepted by the SMTP server; prints JSON. In the same run a bare aiokafka relay
(produce → consume → re-produce → consume) at the same rate gives the ceiling the broker allows.
Usage: python deploy/local/bench.py [--rate 20] [--seconds 15]
"""

import argparse
import asyncio
import contextlib
import json
import statistics
import time
import uuid
from datetime import datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from hoiam_shared.kafka import ensure_topics
from hoiam_shared.topics import NOTIFICATION_SENT

KAFKA = "127.0.0.1:9092"
INTAKE = "http://127.0.0.1:8001"
TEXT = (
    "Khu vực ấp Phú Thọ, xã Phú Cần, tỉnh Trà Vinh mất điện nhiều lần trong tuần, đường dây "
    "hạ thế võng thấp. Đề nghị điện lực kiểm tra."
)


def summary(latencies: list[float], sent: int, elapsed: float) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pct(p: float) -> float | None:
        return (
            round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)
            if ordered
            else None
        )

    return {
        "offered": sent,
        "completed": len(ordered),
        "throughput_per_s": round(len(ordered) / elapsed, 1) if elapsed else None,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else None,
    }


async def paced(rate: float, seconds: float, send: Any) -> int:
    count = int(rate * seconds)
    start = time.monotonic()
    tasks = []
    for i in range(count):
        await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
        tasks.append(asyncio.create_task(send(i)))
    await asyncio.gather(*tasks)
    return count


async def pipeline(rate: float, seconds: float) -> dict[str, Any]:
    started_at: dict[str, float] = {}
    latencies: list[float] = []
    consumer = AIOKafkaConsumer(
        NOTIFICATION_SENT, bootstrap_servers=KAFKA, auto_offset_reset="latest",
        group_id=f"bench-{uuid.uuid4().hex[:8]}",
    )  # fmt: skip
    await consumer.start()
    await consumer.getmany(timeout_ms=1000)  # join the group before load starts
    done = asyncio.Event()
    expected = int(rate * seconds)

    async def collect() -> None:
        async for record in consumer:
            event = json.loads(record.value)
            item = event["item_id"]
            if event["recipient_kind"] == "citizen" and item in started_at:
                sent_at = datetime.fromisoformat(event["occurred_at"]).timestamp()
                latencies.append(sent_at - started_at.pop(item))
                if len(latencies) >= expected:
                    done.set()

    collector = asyncio.create_task(collect())
    # A new set of citizens each run: the same person re-sending the same text within intake's
    # window is answered "already sent" (no new item), a different path than a new petition.
    run = uuid.uuid4().hex[:8]
    async with httpx.AsyncClient(base_url=INTAKE, timeout=30) as client:

        async def send(i: int) -> None:
            begun = time.time()
            citizen = f"{run}-{i}"
            body = {"name": f"Cử tri {citizen}", "email": f"b{citizen}@example.com", "text": TEXT}
            response = await client.post("/v1/intake/web", json=body)
            response.raise_for_status()
            started_at[response.json()["id"]] = begun

        t0 = time.monotonic()
        offered = await paced(rate, seconds, send)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=120)
        elapsed = time.monotonic() - t0
    collector.cancel()
    await consumer.stop()
    return summary(latencies, offered, elapsed)


async def relay(rate: float, seconds: float) -> dict[str, Any]:
    """The ceiling: the same hops through Kafka with no service work in between."""
    a, b = f"bench.relay.{uuid.uuid4().hex[:8]}.a", f"bench.relay.{uuid.uuid4().hex[:8]}.b"
    await ensure_topics(KAFKA, [a, b], partitions=6, replication_factor=1)
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, acks="all", enable_idempotence=True)
    hop = AIOKafkaConsumer(
        a, bootstrap_servers=KAFKA, group_id=f"{a}-g", auto_offset_reset="earliest"
    )
    sink = AIOKafkaConsumer(
        b, bootstrap_servers=KAFKA, group_id=f"{b}-g", auto_offset_reset="earliest"
    )
    await asyncio.gather(producer.start(), hop.start(), sink.start())
    latencies: list[float] = []
    expected = int(rate * seconds)

    async def forward() -> None:
        async for record in hop:
            await producer.send_and_wait(b, record.value, key=record.key)
            await hop.commit()

    async def receive() -> None:
        async for record in sink:
            latencies.append(time.time() - float(record.value))
            await sink.commit()
            if len(latencies) >= expected:
                return

    forwarder = asyncio.create_task(forward())
    t0 = time.monotonic()
    receiver = asyncio.create_task(receive())

    async def send(i: int) -> None:
        await producer.send_and_wait(a, repr(time.time()).encode(), key=str(i).encode())

    offered = await paced(rate, seconds, send)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(receiver, timeout=120)
    elapsed = time.monotonic() - t0
    forwarder.cancel()
    await asyncio.gather(hop.stop(), sink.stop())
    await producer.stop()
    return summary(latencies, offered, elapsed)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=20.0, help="items offered per second")
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    result = {
        "offered_rate_per_s": args.rate,
        "seconds": args.seconds,
        "pipeline_intake_to_citizen_email": await pipeline(args.rate, args.seconds),
        "bare_aiokafka_relay_two_hops": await relay(args.rate, args.seconds),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
