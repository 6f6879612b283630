"""Webhook accept latency at a fixed offered rate: signed Zalo events against a running intake.

Open loop: requests are sent on a fixed schedule whether or not earlier ones have answered, so a
slow intake shows up as latency (and a lower achieved rate), not as a politely lower offer.
Latency is from send to the 200, i.e. signature check + raw record acknowledged by Kafka
(acks=all). Prints one JSON line.

    python deploy/local/bench_intake.py --url http://127.0.0.1:8001 --rate 50 --seconds 10

The Zalo app id and OA secret must be the intake's (HOIAM_INTAKE_ZALO_APP_ID/_OA_SECRET).
"""

import argparse
import asyncio
import hashlib
import json
import os
import statistics
import time
import uuid

import httpx


def signed_event(app_id: str, secret: str, n: int, run: str) -> tuple[bytes, dict[str, str]]:
    timestamp = str(int(time.time() * 1000))
    event = {
        "app_id": app_id, "event_name": "user_send_text", "timestamp": timestamp,
        "sender": {"id": f"bench-{run}-{n % 500}"}, "recipient": {"id": "579745863508352884"},
        "message": {"msg_id": f"bench-{run}-{n}",
                    "text": f"Phản ánh thử tải số {n}: đèn đường hỏng ở tổ {n % 40}."},
    }  # fmt: skip
    body = json.dumps(event, ensure_ascii=False).encode()
    mac = hashlib.sha256(app_id.encode() + body + timestamp.encode() + secret.encode())
    return body, {
        "content-type": "application/json",
        "x-zevent-signature": f"mac={mac.hexdigest()}",
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def bench(
    url: str, *, rate: float, seconds: float, app_id: str, secret: str
) -> dict[str, object]:
    run = uuid.uuid4().hex[:8]
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def one(n: int) -> None:
            body, headers = signed_event(app_id, secret, n, run)
            started = time.perf_counter()
            try:
                answer = await client.post("/webhooks/zalo", content=body, headers=headers)
                key = str(answer.status_code)
            except httpx.HTTPError as error:
                key = type(error).__name__
            latencies.append(time.perf_counter() - started)
            statuses[key] = statuses.get(key, 0) + 1

        total = int(rate * seconds)
        start = time.perf_counter()
        tasks = []
        for n in range(total):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    ms = [x * 1000 for x in latencies]
    return {
        "endpoint": "POST /webhooks/zalo",
        "offered_per_second": rate,
        "seconds": seconds,
        "requests": total,
        "achieved_per_second": round(total / elapsed, 1),
        "statuses": statuses,
        "p50_ms": round(percentile(ms, 0.50), 2),
        "p99_ms": round(percentile(ms, 0.99), 2),
        "max_ms": round(max(ms), 2) if ms else None,
        "mean_ms": round(statistics.fmean(ms), 2) if ms else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8001")
    parser.add_argument("--rate", type=float, default=50, help="requests per second offered")
    parser.add_argument("--seconds", type=float, default=10)
    # Defaults: the local stack's credentials (deploy/local/services.sh), so `make bench-intake`
    # works against `make up` as it is.
    parser.add_argument(
        "--app-id",
        default=os.environ.get(
            "HOIAM_INTAKE_ZALO_APP_ID",
            os.environ.get("HOIAM_DEMO_ZALO_APP_ID", "1234567890123456789"),
        ),
    )
    parser.add_argument(
        "--secret",
        default=os.environ.get(
            "HOIAM_INTAKE_ZALO_OA_SECRET", os.environ.get("HOIAM_DEMO_SECRET", "local-demo-only")
        ),
    )
    args = parser.parse_args()
    if not args.app_id or not args.secret:
        parser.error("the intake's Zalo app id and OA secret are needed to sign the events")
    result = asyncio.run(
        bench(
            args.url, rate=args.rate, seconds=args.seconds, app_id=args.app_id, secret=args.secret
        )
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
