"""What each service really exports on /metrics: its metrics module's registry plus the broker's
(FastStream's metrics and the consumer lag) and the shell's (the DLQ sizes `serve` measures),
read back from the registry, not from a hand list.

Used to check that dashboards and alert rules only name metrics that exist, and with their labels.
"""

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry

from hoiam_console.settings import ConsoleSettings
from hoiam_intake.metrics import IntakeMetrics
from hoiam_intake.settings import IntakeSettings
from hoiam_notifier.metrics import NotifierMetrics
from hoiam_notifier.settings import NotifierSettings
from hoiam_router.metrics import RouterMetrics
from hoiam_router.settings import RouterSettings
from hoiam_shared.kafka import make_broker
from hoiam_shared.service import measure_dead_letters
from hoiam_shared.settings import ServiceSettings
from support.clock import TestClock
from support.public import public_console_parts

# What each sample of a metric family is called in the exposition format, by family type.
_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("_sum", "_count", "_created", ""),
    "gauge": ("",),
    "info": ("_info",),
}

SCRAPE_LABELS = frozenset({"job", "instance"})
"""Labels Prometheus adds to every scraped series (the target's)."""


def _exported(registry: CollectorRegistry) -> dict[str, frozenset[str]]:
    """Sample name → its label names, for every metric in `registry` (children or not)."""
    names: dict[str, frozenset[str]] = {}
    for collector in set(registry._collector_to_names):  # no public way to list label names
        labels = frozenset(getattr(collector, "_labelnames", ()))
        for family in collector.collect():
            for suffix in _SUFFIXES[family.type]:
                extra = {"le"} if suffix == "_bucket" else set()
                names[family.name + suffix] = labels | extra | SCRAPE_LABELS
    return names


def exported_metrics() -> Mapping[str, dict[str, frozenset[str]]]:
    """Service → (sample name → label names): its metrics module (where every metric of a
    service is declared) and its broker's middlewares, on one registry as `create_app` does."""
    services: dict[str, tuple[type[ServiceSettings], Callable[[CollectorRegistry], object]]] = {
        "intake": (IntakeSettings, IntakeMetrics),
        "router": (RouterSettings, RouterMetrics),
        "notifier": (NotifierSettings, NotifierMetrics),
    }
    exported = {}
    for name, (settings, metrics) in services.items():
        registry = CollectorRegistry()
        metrics(registry)
        # Settings' defaults suffice: building a broker reads the servers and connects to nothing.
        make_broker(settings.model_construct(), service=name, registry=registry)
        # What `serve` adds to every service; the loop is made, never started.
        measure_dead_letters(
            name, consumed=(), settings=settings.model_construct(), registry=registry
        )
        exported[name] = _exported(registry)
    exported["console"] = _console_exported()
    return exported


def _console_exported() -> dict[str, frozenset[str]]:
    """The console declares its few metrics where they are counted (`build` and the public
    side): building it on fakes, as `create_app` builds it for real, registers them all."""
    registry = CollectorRegistry()
    public_console_parts(TestClock.frozen(datetime(2026, 12, 2, tzinfo=UTC)), registry=registry)
    settings = ConsoleSettings.model_construct()
    make_broker(settings, service="console", registry=registry)
    measure_dead_letters("console", consumed=(), settings=settings, registry=registry)
    return _exported(registry)


_FUNCTIONS_AND_KEYWORDS = frozenset(
    [
        "sum",
        "avg",
        "min",
        "max",
        "count",
        "count_values",
        "stddev",
        "stdvar",
        "topk",
        "bottomk",
        "quantile",
        "group",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "and",
        "or",
        "unless",
        "offset",
        "bool",
        "rate",
        "irate",
        "increase",
        "delta",
        "deriv",
        "histogram_quantile",
        "label_replace",
        "label_join",
        "abs",
        "ceil",
        "floor",
        "round",
        "clamp",
        "clamp_min",
        "clamp_max",
        "vector",
        "scalar",
        "time",
        "absent",
        "absent_over_time",
        "sum_over_time",
        "avg_over_time",
        "max_over_time",
        "min_over_time",
        "predict_linear",
        "sort",
        "sort_desc",
        "inf",
        "nan",
    ]
)


def promql_names(expr: str) -> tuple[set[str], set[str]]:
    """The metric names a PromQL expression selects, and the label names it groups or matches by.

    A small reading of PromQL enough for our dashboards and rules: strings, durations and
    numbers are dropped; `name{...}` matchers and `by (...)` / `on (...)` lists give labels.
    """
    labels: set[str] = set()
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    for matchers in re.findall(r"\{([^}]*)\}", text):
        labels |= set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)", matchers))
    text = re.sub(r"\{[^}]*\}", " ", text)
    for grouping in re.findall(
        r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", text
    ):
        labels |= {label.strip() for label in grouping.split(",") if label.strip()}
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\boffset\s+\d+[smhdwy]", " ", text)
    words = re.findall(r"(?<![\w.])([A-Za-z_:][A-Za-z0-9_:]*)\b(?!\s*\()", text)
    return {w for w in words if w not in _FUNCTIONS_AND_KEYWORDS}, labels
