"""Every metric of the notifier service, named and described once."""

from prometheus_client import CollectorRegistry, Counter, Histogram


class NotifierMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.notifications = Counter(
            "notifier_notifications_total",
            "Notifications by channel and outcome (sent, failed, duplicate_skipped).",
            ["channel", "outcome"],
            registry=registry,
        )
        self.send_seconds = Histogram(
            "notifier_send_seconds",
            "Time a provider took to accept one message.",
            ["channel"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )
        self.retries = Counter(
            "notifier_retries_total",
            "Sends retried after a transient provider error, per channel.",
            ["channel"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "notifier_dead_letters_total",
            "Records sent to a dead-letter topic, per error type.",
            ["error_type"],
            registry=registry,
        )
