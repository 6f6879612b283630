"""Every metric of the intake service, named and described once."""

from prometheus_client import CollectorRegistry, Counter, Histogram


class IntakeMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.items_received = Counter(
            "intake_items_received_total",
            "Submissions accepted (raw payload durably on intake.raw), per channel.",
            ["channel"],
            registry=registry,
        )
        self.rejected = Counter(
            "intake_rejected_total",
            "Submissions refused with a 4xx, per channel and reason.",
            ["channel", "reason"],
            registry=registry,
        )
        self.duplicates = Counter(
            "intake_duplicates_total",
            "Submissions whose (channel, source reference) was accepted before, per channel.",
            ["channel"],
            registry=registry,
        )
        self.accept_seconds = Histogram(
            "intake_accept_seconds",
            "Time from request received to the raw payload acknowledged by Kafka.",
            ["channel"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=registry,
        )
        self.items_normalised = Counter(
            "intake_items_normalised_total",
            "Raw records turned into feedback.received events, per channel.",
            ["channel"],
            registry=registry,
        )
        self.outcomes = Counter(
            "intake_outcomes_total",
            "What normalising produced, per channel and outcome (item, gathered, resent, reply, "
            "edit, remove, call_back, reachability, not_feedback).",
            ["channel", "outcome"],
            registry=registry,
        )
        self.not_feedback = Counter(
            "intake_not_feedback_total",
            "Records dropped on purpose (auto-replies, bounces, echoes, unused events), by reason.",
            ["channel", "reason"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "intake_dead_letters_total",
            "Records sent to a dead-letter topic, per error type.",
            ["error_type"],
            registry=registry,
        )
        self.mail_fetched = Counter(
            "intake_mail_fetched_total",
            "Messages the IMAP poller fetched and put on intake.raw.",
            registry=registry,
        )
        self.mail_set_aside = Counter(
            "intake_mail_set_aside_total",
            "Messages the IMAP poller left flagged in the mailbox instead of taking, by reason.",
            ["reason"],
            registry=registry,
        )
