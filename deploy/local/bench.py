"""End-to-end benchmark on the running local stack; prints one JSON document.

Phases, in one run:
- `fixed_rate`: web submissions posted to intake at each fixed offered rate (`--rates`, 20 and 200
  items/s by default); latency from the intake request to the citizen's email accepted by the SMTP
  catcher (the notifier's `notification.sent.v1`, stamped once the server said 250), p50/p99, and
  the intake accept (HTTP answer) p50/p99.
- `max_rate`: as many submissions as `--max-concurrency` requests in flight let intake take for
  `--max-seconds`; sustained throughput is the items notified per second from the first request to
  the last notification, so a backlog that drains slowly counts against it.
- for each phase, CPU ms per item of every process (utime+stime from /proc/<pid>/stat, deltas over
  the phase, divided by the items notified in it) and all together, and the resident memory of
  each (/proc/<pid>/status VmRSS, VmHWM the peak); store commands and Kafka records per item where
  the services export them (`/metrics`).
- `batched_relay`: the broker's ceiling, a bare aiokafka relay that consumes a batch (`getmany`),
  produces the batch (acks=all, idempotent, as the services do) and commits once per batch, then a
  sink reads it; our max-rate throughput is given as a ratio of it.

Kafka, FerretDB and PostgreSQL are shared with whatever else runs on the machine (other tests):
their CPU counts everything they did during the phase, not only for this bench.
Usage: python deploy/local/bench.py [--rates 20,200] [--seconds 10] [--max-seconds 20]
       [--relay-records 20000] [--skip-relay] [--skip-max] [--skip-fixed]
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from hoiam_shared.kafka import ensure_topics
from hoiam_shared.topics import NOTIFICATION_SENT

KAFKA = "127.0.0.1:9092"
INTAKE = "http://127.0.0.1:8001"
SERVICE_PORTS = {"intake": 8001, "router": 8002, "notifier": 8003}
REPO = Path(__file__).resolve().parents[2]
TEXT = (
    "Khu vực ấp Phú Thọ, xã Phú Cần, tỉnh Trà Vinh mất điện nhiều lần trong tuần, đường dây "
    "hạ thế võng thấp. Đề nghị điện lực kiểm tra."
)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- processes: who is measured, and how -------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _with_descendants(pid: int, tree: dict[int, list[int]]) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, []))
    return found


def _listener(port: int) -> int | None:
    """The pid listening on a local TCP port: its socket's inode in /proc/net/tcp, then the
    process holding that inode among its file descriptors (root or the same user sees them)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                cols = line.split()
                if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{cols[9]}]")
    if not inodes:
        return None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in inodes:
                        return int(entry.name)
    return None


def _pidfile(name: str) -> int | None:
    path = Path(os.environ.get("HOIAM_STATE_DIR", REPO / ".local")) / "run" / f"{name}.pid"
    with contextlib.suppress(OSError, ValueError):
        pid = int(path.read_text().strip())
        if Path(f"/proc/{pid}").exists():
            return pid
    return None


def find_processes() -> dict[str, int]:
    """Name → the root pid of each process the bench measures (descendants are added)."""
    found: dict[str, int | None] = {
        "intake": _pidfile("intake") or _listener(8001),
        "router": _pidfile("router") or _listener(8002),
        "notifier": _pidfile("notifier") or _listener(8003),
        "mail_catcher": _pidfile("mailcatcher") or _listener(2525),
        "fake_providers": _pidfile("fakeproviders") or _listener(8790),
        "kafka": _listener(9092),
        "ferretdb": _listener(27017),
        "postgresql": None,
    }
    # PostgreSQL: the postmaster (the parent of FerretDB's backends); its backends are its children.
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                stat = (entry / "stat").read_text()
                ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
                if (Path(f"/proc/{ppid}/comm").read_text().strip()) != "postgres":
                    found["postgresql"] = int(entry.name)
                    break
    return {name: pid for name, pid in found.items() if pid is not None}


def _cpu_ticks(pid: int) -> int:
    with contextlib.suppress(OSError, IndexError, ValueError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return 0


def _status_kb(pid: int, key: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def cpu_snapshot(roots: dict[str, int]) -> dict[str, dict[int, int]]:
    tree = _children()
    return {
        name: {pid: _cpu_ticks(pid) for pid in _with_descendants(root, tree)}
        for name, root in roots.items()
    }


def cpu_per_item(
    before: dict[str, dict[int, int]], after: dict[str, dict[int, int]], items: int
) -> dict[str, Any]:
    """CPU ms per item of each process; a backend that came and went in between is missed."""
    per: dict[str, float] = {}
    for name, pids in after.items():
        ticks = sum(t - before.get(name, {}).get(pid, 0) for pid, t in pids.items())
        per[name] = ticks * 1000 / CLOCK_TICKS
    total = sum(per.values())
    return {
        "cpu_seconds": {name: round(ms / 1000, 2) for name, ms in per.items()},
        "cpu_ms_per_item": {
            name: round(ms / items, 2) if items else None for name, ms in per.items()
        },
        "cpu_ms_per_item_all": round(total / items, 2) if items else None,
    }


def memory(roots: dict[str, int]) -> dict[str, dict[str, float]]:
    tree = _children()
    out = {}
    for name, root in roots.items():
        pids = _with_descendants(root, tree)
        out[name] = {
            "rss_mb": round(sum(_status_kb(p, "VmRSS") for p in pids) / 1024, 1),
            "peak_rss_mb": round(sum(_status_kb(p, "VmHWM") for p in pids) / 1024, 1),
        }
    return out


# --- the services' own counters ----------------------------------------------------------------

METRIC_LINE = re.compile(r"^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+([0-9.eE+-]+)$")


async def service_counters(client: httpx.AsyncClient) -> dict[str, float]:
    """Store commands and Kafka records published, summed per service from `/metrics`."""
    totals: dict[str, float] = {}
    for name, port in SERVICE_PORTS.items():
        try:
            text = (await client.get(f"http://127.0.0.1:{port}/metrics", timeout=10)).text
        except httpx.HTTPError:
            continue
        for line in text.splitlines():
            match = METRIC_LINE.match(line)
            if not match:
                continue
            metric, labels, value = match.group(1), match.group(2) or "", float(match.group(3))
            if metric == "hoiam_mongo_commands_total":
                key = f"{name}.store_commands"
            elif metric == "faststream_published_messages_total" and 'status="success"' in labels:
                key = f"{name}.kafka_records_published"
            elif metric == "faststream_received_messages_total":
                key = f"{name}.kafka_records_received"
            else:
                continue
            totals[key] = totals.get(key, 0.0) + value
    return totals


def per_item(before: dict[str, float], after: dict[str, float], items: int) -> dict[str, float]:
    if not items:
        return {}
    return {k: round((v - before.get(k, 0.0)) / items, 2) for k, v in sorted(after.items())}


# --- the pipeline ------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)


@dataclass
class Watcher:
    """Reads `notification.sent.v1` and pairs each citizen's email with its request."""

    started_at: dict[str, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    last_done: float = 0.0
    consumer: AIOKafkaConsumer | None = None
    task: asyncio.Task[None] | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        self.consumer = AIOKafkaConsumer(
            NOTIFICATION_SENT, bootstrap_servers=KAFKA, auto_offset_reset="latest",
            group_id=f"bench-{uuid.uuid4().hex[:8]}",
        )  # fmt: skip
        await self.consumer.start()
        await self.consumer.getmany(timeout_ms=1000)  # join the group before load starts
        self.task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        consumer = self.consumer
        if consumer is None:
            return
        while True:
            batch = await consumer.getmany(timeout_ms=500, max_records=1000)
            for records in batch.values():
                for record in records:
                    event = json.loads(record.value)
                    item = event["item_id"]
                    if event["recipient_kind"] == "citizen" and item in self.started_at:
                        sent_at = datetime.fromisoformat(event["occurred_at"]).timestamp()
                        self.latencies.append(sent_at - self.started_at.pop(item))
                        self.last_done = time.time()
            self.changed.set()

    def reset(self) -> None:
        # Items a phase left undelivered are not counted in the next one.
        self.latencies = []
        self.started_at.clear()

    async def wait_for(self, count: int, within: float) -> None:
        deadline = time.monotonic() + within
        while len(self.latencies) < count and time.monotonic() < deadline:
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), timeout=1)

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        if self.consumer:
            await self.consumer.stop()


class Submitter:
    """Posts web submissions from a new set of citizens each run (a citizen re-sending the same
    text within intake's window is answered "already sent", another path than a new petition)."""

    def __init__(self, client: httpx.AsyncClient, watcher: Watcher) -> None:
        self._client = client
        self._watcher = watcher
        self._run = uuid.uuid4().hex[:8]
        self._n = 0
        self.accept: list[float] = []
        self.failed = 0

    async def send(self) -> None:
        self._n += 1
        citizen = f"{self._run}-{self._n}"
        body = {"name": f"Cử tri {citizen}", "email": f"b{citizen}@example.com", "text": TEXT}
        begun, t0 = time.time(), time.perf_counter()
        try:
            response = await self._client.post("/v1/intake/web", json=body)
            response.raise_for_status()
        except httpx.HTTPError:
            self.failed += 1
            return
        self.accept.append(time.perf_counter() - t0)
        self._watcher.started_at[response.json()["id"]] = begun


async def measured[T](
    roots: dict[str, int], client: httpx.AsyncClient, phase: Callable[[], Awaitable[T]]
) -> tuple[
    T, dict[str, dict[int, int]], dict[str, dict[int, int]], dict[str, float], dict[str, float]
]:
    counters_before = await service_counters(client)
    cpu_before = cpu_snapshot(roots)
    result = await phase()
    cpu_after = cpu_snapshot(roots)
    counters_after = await service_counters(client)
    return result, cpu_before, cpu_after, counters_before, counters_after


async def fixed_rate(
    client: httpx.AsyncClient, watcher: Watcher, roots: dict[str, int], rate: float, seconds: float,
    drain: float,
) -> dict[str, Any]:  # fmt: skip
    submitter = Submitter(client, watcher)
    watcher.reset()
    count = int(rate * seconds)

    async def phase() -> float:
        start = time.monotonic()
        tasks = []
        for i in range(count):
            await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
            tasks.append(asyncio.create_task(submitter.send()))
        await asyncio.gather(*tasks)
        await watcher.wait_for(len(submitter.accept), within=drain)
        return time.monotonic() - start

    elapsed, cpu0, cpu1, c0, c1 = await measured(roots, client, phase)
    done = len(watcher.latencies)
    return {
        "offered_per_s": rate,
        "offered": count,
        "accepted": len(submitter.accept),
        "refused_or_failed": submitter.failed,
        "notified": done,
        "completed_per_s": round(done / elapsed, 1),
        "p50_ms": pct(watcher.latencies, 0.50),
        "p99_ms": pct(watcher.latencies, 0.99),
        "accept_p50_ms": pct(submitter.accept, 0.50),
        "accept_p99_ms": pct(submitter.accept, 0.99),
        **cpu_per_item(cpu0, cpu1, done),
        "per_item": per_item(c0, c1, done),
    }


async def max_rate(
    client: httpx.AsyncClient, watcher: Watcher, roots: dict[str, int], seconds: float,
    concurrency: int, drain: float,
) -> dict[str, Any]:  # fmt: skip
    submitter = Submitter(client, watcher)
    watcher.reset()

    async def phase() -> tuple[float, float, float]:
        t0, wall0 = time.monotonic(), time.time()
        stop = t0 + seconds

        async def worker() -> None:
            while time.monotonic() < stop:
                await submitter.send()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        offered_for = time.monotonic() - t0
        await watcher.wait_for(len(submitter.accept), within=drain)
        return offered_for, time.monotonic() - t0, wall0

    (offered_for, elapsed, wall0), cpu0, cpu1, c0, c1 = await measured(roots, client, phase)
    done = len(watcher.latencies)
    span = (watcher.last_done - wall0) if done else elapsed
    return {
        "seconds_offered": round(offered_for, 1),
        "concurrency": concurrency,
        "accepted": len(submitter.accept),
        "refused_or_failed": submitter.failed,
        "accepted_per_s": round(len(submitter.accept) / offered_for, 1),
        "notified": done,
        "sustained_items_per_s": round(done / span, 1) if span > 0 else None,
        "p50_ms": pct(watcher.latencies, 0.50),
        "p99_ms": pct(watcher.latencies, 0.99),
        "accept_p50_ms": pct(submitter.accept, 0.50),
        "accept_p99_ms": pct(submitter.accept, 0.99),
        **cpu_per_item(cpu0, cpu1, done),
        "per_item": per_item(c0, c1, done),
        "memory": memory(roots),
    }


# --- the broker's ceiling ----------------------------------------------------------------------


async def batched_relay(records: int, batch: int) -> dict[str, Any]:
    """Produce `records`, relay them a → b in batches (getmany → send all → commit), read b."""
    tag = uuid.uuid4().hex[:8]
    a, b = f"bench.relay.{tag}.a", f"bench.relay.{tag}.b"
    await ensure_topics(KAFKA, [a, b], partitions=6, replication_factor=1)
    options: dict[str, Any] = {
        "bootstrap_servers": KAFKA, "acks": "all", "enable_idempotence": True, "linger_ms": 5,
    }  # fmt: skip
    source, relay_out = AIOKafkaProducer(**options), AIOKafkaProducer(**options)
    hop = AIOKafkaConsumer(
        a, bootstrap_servers=KAFKA, group_id=f"{a}-g", auto_offset_reset="earliest",
        enable_auto_commit=False,
    )  # fmt: skip
    sink = AIOKafkaConsumer(
        b, bootstrap_servers=KAFKA, group_id=f"{b}-g", auto_offset_reset="earliest",
        enable_auto_commit=False,
    )  # fmt: skip
    await asyncio.gather(source.start(), relay_out.start(), hop.start(), sink.start())
    latencies: list[float] = []
    seen = 0

    async def forward() -> None:
        while True:
            got = await hop.getmany(timeout_ms=200, max_records=batch)
            if not got:
                continue
            sends = [await relay_out.send(b, r.value, key=r.key) for rs in got.values() for r in rs]
            await asyncio.gather(*sends)
            await hop.commit({tp: rs[-1].offset + 1 for tp, rs in got.items()})

    async def receive() -> None:
        nonlocal seen
        while seen < records:
            got = await sink.getmany(timeout_ms=200, max_records=batch)
            now = time.time()
            for rs in got.values():
                for r in rs:
                    latencies.append(now - float(r.value))
                seen += sum(1 for _ in rs)
            if got:
                await sink.commit({tp: rs[-1].offset + 1 for tp, rs in got.items()})

    forwarder = asyncio.create_task(forward())
    receiver = asyncio.create_task(receive())
    t0 = time.monotonic()
    pending = []
    for i in range(records):
        pending.append(await source.send(a, repr(time.time()).encode(), key=str(i).encode()))
    await asyncio.gather(*pending)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(receiver, timeout=120)
    elapsed = time.monotonic() - t0
    forwarder.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await forwarder
    await asyncio.gather(hop.stop(), sink.stop())
    await asyncio.gather(source.stop(), relay_out.stop())
    _ = TopicPartition  # the commit maps above are keyed by it
    return {
        "records": records,
        "relayed": seen,
        "batch": batch,
        "records_per_s": round(seen / elapsed, 1),
        "p50_ms": pct(latencies, 0.50),
        "p99_ms": pct(latencies, 0.99),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="20,200", help="fixed offered rates, items/s")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each fixed rate")
    parser.add_argument("--max-seconds", type=float, default=20.0, help="length of the max rate")
    parser.add_argument("--max-concurrency", type=int, default=64)
    parser.add_argument("--drain", type=float, default=60.0, help="wait at most this for the rest")
    parser.add_argument("--relay-records", type=int, default=20_000)
    parser.add_argument("--relay-batch", type=int, default=500)
    parser.add_argument("--skip-fixed", action="store_true")
    parser.add_argument("--skip-max", action="store_true")
    parser.add_argument("--skip-relay", action="store_true")
    args = parser.parse_args()
    roots = find_processes()
    result: dict[str, Any] = {"processes": roots, "load_before": os.getloadavg()}
    watcher = Watcher()
    await watcher.start()
    limits = httpx.Limits(max_connections=max(args.max_concurrency, 256))
    try:
        async with httpx.AsyncClient(base_url=INTAKE, timeout=30, limits=limits) as client:
            if not args.skip_fixed:
                result["fixed_rate"] = [
                    await fixed_rate(client, watcher, roots, float(r), args.seconds, args.drain)
                    for r in args.rates.split(",")
                    if r.strip()
                ]
            if not args.skip_max:
                result["max_rate"] = await max_rate(
                    client, watcher, roots, args.max_seconds, args.max_concurrency, args.drain
                )
    finally:
        await watcher.stop()
    if not args.skip_relay:
        relay = await batched_relay(args.relay_records, args.relay_batch)
        result["batched_relay"] = relay
        if "max_rate" in result and relay["records_per_s"]:
            ours = result["max_rate"]["sustained_items_per_s"] or 0
            result["max_rate_vs_relay"] = round(ours / relay["records_per_s"], 4)
    result["load_after"] = os.getloadavg()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
