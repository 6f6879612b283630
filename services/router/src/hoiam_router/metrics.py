"""Every metric of the router service, named and described once."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class RouterMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.items_routed = Counter(
            "router_items_routed_total",
            "Routing decisions published, per outcome (routed or triage) and category.",
            ["status", "category"],
            registry=registry,
        )
        self.items_by_level = Counter(
            "router_items_routed_by_level_total",
            "Routing decisions published, per outcome and level of the body assigned (province "
            "committee, department, commune...; `none` for triage).",
            ["status", "level"],
            registry=registry,
        )
        self.decision_confidence = Histogram(
            "router_decision_confidence_ratio",
            "Confidence of each routing decision (0..1).",
            buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
            registry=registry,
        )
        self.redeliveries = Counter(
            "router_redeliveries_total",
            "Items seen again (redelivery or replay) whose stored decision was republished.",
            registry=registry,
        )
        self.repeats_found = Counter(
            "router_repeats_found_total",
            "New items that repeat a published answer of their place (the citizen is pointed "
            "to it).",
            registry=registry,
        )
        self.not_routed = Counter(
            "router_items_not_routed_total",
            "Items marked not to route (opinions from voters' meetings), left alone, by channel.",
            ["channel"],
            registry=registry,
        )
        self.escalations = Counter(
            "router_escalations_total",
            "Overdue items reported by the sweep, per kind (escalated to a parent, or overdue).",
            ["change"],
            registry=registry,
        )
        self.sweep_failures = Counter(
            "router_sweep_failures_total",
            "Rounds of the overdue sweep that failed and were skipped, per error type (an "
            "outage's exception name, or `unexpected` for anything else).",
            ["error_type"],
            registry=registry,
        )
        self.open_items = Gauge(
            "router_items_open",
            "Items a body is at work on (routed, acknowledged, in progress, reopened), per body "
            "id; counted in the store every `workload_interval_seconds`, the same figure on "
            "every replica.",
            ["body"],
            registry=registry,
        )
        self.overdue_items = Gauge(
            "router_items_overdue",
            "Open items past their due date (in Việt Nam), per body id; counted with "
            "router_items_open.",
            ["body"],
            registry=registry,
        )
        self.workload_failures = Counter(
            "router_workload_failures_total",
            "Counts of open and overdue items that failed (the gauges keep the last figures), per "
            "error type (an outage's exception name, or `unexpected`).",
            ["error_type"],
            registry=registry,
        )
        self.status_changes = Counter(
            "router_status_changes_total",
            "Status changes made through the operator API, per new status.",
            ["status"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "router_dead_letters_total",
            "Records sent to a dead-letter topic, per error type.",
            ["error_type"],
            registry=registry,
        )
