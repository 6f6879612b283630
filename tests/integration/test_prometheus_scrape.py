"""A real Prometheus (Debian's) scrapes a running service and loads our alert rules; the
gauges counted in the background (workload per body, DLQ sizes) show the real store and broker."""

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from aiokafka import AIOKafkaProducer

from hoiam_shared.events import FeedbackReceived
from hoiam_shared.topics import FEEDBACK_RECEIVED
from support.clock import TestClock
from support.services import service_env, start, stop, wait_healthy
from support.stack import REPO, Stack, free_port

RULES = REPO / "deploy" / "prometheus" / "rules"


@pytest.fixture
def router_url(stack: Stack, prefix: str, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = service_env(
        "router", stack=stack, prefix=prefix, port=port, smtp_port=0, clock=TestClock.daytime()
    )
    # Counted every second here, not every minute, so the test sees them soon; routed by the
    # rules, which start at once (training the model takes minutes on a loaded machine).
    env |= {
        "HOIAM_ROUTER_WORKLOAD_INTERVAL_SECONDS": "1",
        "HOIAM_ROUTER_DLQ_MEASURE_INTERVAL_SECONDS": "1",
        "HOIAM_ROUTER_LEARNED_MODEL": "false",
    }
    log = tmp_path / "router.log"
    process = start("router", env, port, log)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process, log)
        yield url
    finally:
        stop(process)


@pytest.fixture
def prometheus(router_url: str, tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("prometheus is missing: run `make system-packages` (Debian's prometheus)")
    port = free_port()
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES / "*.rules.yml")],
        "scrape_configs": [
            {
                "job_name": "router",
                "static_configs": [{"targets": [router_url.removeprefix("http://")]}],
            }
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config), "utf-8")
    log = tmp_path / "prometheus.log"
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def query(base: str, promql: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{base}/api/v1/query", params={"query": promql}, timeout=5)
    if response.status_code == 503:  # still starting: "Service Unavailable", not JSON
        return []
    answer = response.json()
    assert answer["status"] == "success", answer
    result: list[dict[str, Any]] = answer["data"]["result"]
    return result


def eventually(base: str, promql: str, *, timeout: float = 30) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if result := query(base, promql):
                return result
        except httpx.HTTPError:
            pass  # still starting
        time.sleep(0.5)
    raise AssertionError(f"{promql!r} returned nothing within {timeout}s")


async def publish(bootstrap: str, topic: str, event: FeedbackReceived | bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        if isinstance(event, bytes):
            await producer.send_and_wait(topic, event, key=b"garbled")
        else:
            await producer.send_and_wait(topic, event.to_bytes(), key=str(event.item_id).encode())
    finally:
        await producer.stop()


def test_prometheus_scrapes_the_router_and_loads_the_rules(
    prometheus: str, stack: Stack, prefix: str, pothole: FeedbackReceived
) -> None:
    up = eventually(prometheus, 'up{job="router"} == 1')
    assert up[0]["metric"]["job"] == "router"
    # The scrape read the router's own registry (a counter without labels shows from the start).
    assert eventually(prometheus, 'router_redeliveries_total{job="router"} == 0')

    # Once the router has handled a record, its consumer lag is measured on the real consumer.
    asyncio.run(publish(stack.kafka, f"{prefix}.{FEEDBACK_RECEIVED}", pothole))
    lag_query = f'hoiam_consumer_lag_records{{group="{prefix}-router.route_feedback"}}'
    lag = eventually(prometheus, lag_query, timeout=60)
    assert {sample["metric"]["topic"] for sample in lag} == {f"{prefix}.{FEEDBACK_RECEIVED}"}
    assert eventually(prometheus, 'sum(router_items_routed_total{job="router"}) == 1')

    # The workload count reads the router's store (FerretDB): one open item, not yet overdue.
    opened = eventually(prometheus, 'router_items_open{job="router"} == 1', timeout=60)
    assert len(opened) == 1
    assert opened[0]["metric"]["body"]  # the id of the body the pothole went to
    assert eventually(prometheus, 'sum(router_items_overdue{job="router"}) == 0')

    # The DLQ sizes read the broker: empty, then the one record the router could not decode.
    dlq = f'hoiam_dlq_records{{topic="{prefix}.{FEEDBACK_RECEIVED}.dlq"}}'
    assert eventually(prometheus, f"{dlq} == 0", timeout=60)
    asyncio.run(publish(stack.kafka, f"{prefix}.{FEEDBACK_RECEIVED}", b"{not json"))
    waiting = eventually(prometheus, f"{dlq} == 1", timeout=60)
    assert waiting[0]["metric"]["group"] == "hoiam-router-replay"

    rules = httpx.get(f"{prometheus}/api/v1/rules", timeout=5).json()["data"]["groups"]
    alerts = {
        rule["name"] for group in rules for rule in group["rules"] if rule["type"] == "alerting"
    }
    assert {"HoiAmServiceDown", "HoiAmDeadLettersNotEmpty", "HoiAmConsumerLagGrowing"} <= alerts
    assert all(rule["health"] != "err" for group in rules for rule in group["rules"])
