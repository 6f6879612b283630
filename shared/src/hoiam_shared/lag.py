"""Consumer lag per group, topic and partition, measured by each service as it handles a record.

Lag is what the partition holds past the record just handled: the consumer's last known high
watermark (from its latest fetch, no extra request) minus the next offset. It is updated on every
record, retried ones included, so a consumer stuck retrying an outage shows its lag growing; a
process that is down shows nothing, which `up == 0` (HoiAmServiceDown) covers.
"""

from typing import Any

from aiokafka import TopicPartition
from faststream import BaseMiddleware
from faststream._internal.basic_types import AsyncFuncAny
from faststream.message import StreamMessage
from prometheus_client import CollectorRegistry, Gauge

LAG_METRIC = "hoiam_consumer_lag_records"


class ConsumerLag:
    """The lag gauge of one service, and the FastStream middleware that keeps it current."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.records = Gauge(
            LAG_METRIC,
            "Records on a partition past the one just handled, per consumer group, topic and "
            "partition (last known high watermark minus next offset).",
            ["group", "topic", "partition"],
            registry=registry,
        )

    def observe(self, message: StreamMessage[Any]) -> None:
        raw = message.raw_message
        consumer = getattr(message, "consumer", None)
        highwater = getattr(consumer, "highwater", None)
        # FastStream's in-memory broker has no watermark to compare with.
        if highwater is None:
            return
        # A batch: the last record of each partition says where that partition stands.
        for record in raw if isinstance(raw, (tuple, list)) else (raw,):
            topic, partition, offset = (
                getattr(record, k, None) for k in ("topic", "partition", "offset")
            )
            if topic is None or partition is None or offset is None:
                continue
            end = highwater(TopicPartition(topic, partition))
            if end is None:
                continue
            # aiokafka keeps the group id private; it names the subscription
            # (kafka.subscription_group).
            group = str(getattr(consumer, "_group_id", None) or "")
            self.records.labels(group, topic, str(partition)).set(max(0, end - offset - 1))

    def middleware(self) -> type[BaseMiddleware]:
        """A middleware class for `KafkaBroker(middlewares=[...])` feeding this gauge."""
        lag = self

        class MeasureLag(BaseMiddleware):
            async def consume_scope(self, call_next: AsyncFuncAny, msg: StreamMessage[Any]) -> Any:
                try:
                    return await call_next(msg)
                finally:
                    lag.observe(msg)

        return MeasureLag
