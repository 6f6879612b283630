"""Every metric of the notifier service, named and described once."""

from prometheus_client import CollectorRegistry, Counter, Histogram


class NotifierMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.notifications = Counter(
            "notifier_notifications_total",
            "Notifications by channel and outcome: sent, failed, duplicate_skipped, call_back, "
            "unknown.",
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
            "Sends retried after a transient error (timeout, 5xx, rate limit), per channel.",
            ["channel"],
            registry=registry,
        )
        self.fallbacks = Counter(
            "notifier_fallbacks_total",
            "Ways that could not reach a person (window closed, blocked), so the next was tried.",
            ["way"],
            registry=registry,
        )
        self.queued = Counter(
            "notifier_queued_total",
            "Messages held back: quiet hours (SMS, Zalo at night) or a recipient's daily digest.",
            ["reason"],
            registry=registry,
        )
        self.operator_tasks = Counter(
            "notifier_operator_tasks_total",
            "Tasks opened for a person because no channel could reach a citizen.",
            ["kind"],
            registry=registry,
        )
        self.unknown_items = Counter(
            "notifier_unknown_items_total",
            "Items of a status change the notifier never saw routed (no contact to answer on).",
            registry=registry,
        )
        self.resent_after_crash = Counter(
            "notifier_resent_after_crash_total",
            "Emails sent again (same Message-ID) because a crash hid whether the first went out.",
            registry=registry,
        )
        self.dead_letters = Counter(
            "notifier_dead_letters_total",
            "Records sent to a dead-letter topic, per error type.",
            ["error_type"],
            registry=registry,
        )
