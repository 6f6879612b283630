"""The router's background loop outlives any error of a round, and counts it."""

import asyncio

from aiokafka.errors import KafkaConnectionError
from prometheus_client import CollectorRegistry

from fakes import InMemoryAssignmentRepository
from hoiam_router.corrections import LearnedCorrections
from hoiam_router.metrics import RouterMetrics
from hoiam_router.sweep import sweep_periodically


async def test_the_sweep_loop_outlives_a_bug_and_an_outage_and_counts_them() -> None:
    registry = CollectorRegistry()
    rounds = 0
    third_round = asyncio.Event()

    async def sweep() -> None:
        nonlocal rounds
        rounds += 1
        if rounds == 1:
            raise KeyError("a record the sweep cannot read")
        if rounds == 2:
            raise KafkaConnectionError("broker away")
        third_round.set()

    loop = sweep_periodically(
        sweep,
        corrections=LearnedCorrections(),
        store=InMemoryAssignmentRepository(),
        metrics=RouterMetrics(registry),
        interval_seconds=0,
    )
    task = asyncio.create_task(loop())
    try:
        await asyncio.wait_for(third_round.wait(), timeout=5)
    finally:
        task.cancel()

    assert not task.done() or task.cancelled()
    failures = "router_sweep_failures_total"
    assert registry.get_sample_value(failures, {"error_type": "unexpected"}) == 1
    assert registry.get_sample_value(failures, {"error_type": "KafkaConnectionError"}) == 1
