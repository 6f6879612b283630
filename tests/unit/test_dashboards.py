"""Grafana's dashboards only ask for metrics (and labels) the services really export."""

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from support.metrics import SCRAPE_LABELS, exported_metrics, promql_names

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
DASHBOARDS = sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))

PROMETHEUS_OWN = {"up": SCRAPE_LABELS}
"""Series Prometheus makes itself for each target, whatever the service exports."""


@pytest.fixture(scope="module")
def exported() -> dict[str, frozenset[str]]:
    merged: dict[str, frozenset[str]] = dict(PROMETHEUS_OWN)
    for metrics in exported_metrics().values():
        for name, labels in metrics.items():
            merged[name] = merged.get(name, frozenset()) | labels
    return merged


def queries(dashboard: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]


def unknown(expr: str, exported: Mapping[str, frozenset[str]]) -> list[str]:
    names, labels = promql_names(expr)
    problems = [f"metric {n}" for n in sorted(names) if n not in exported]
    known_labels = frozenset().union(*(exported.get(n, frozenset()) for n in names))
    problems += [f"label {label}" for label in sorted(labels - known_labels)]
    if not names:
        problems.append("no metric at all")
    return problems


def test_the_reader_finds_metrics_and_labels() -> None:
    names, labels = promql_names(
        "histogram_quantile(0.99, sum by (le, channel) (rate(intake_accept_seconds_bucket"
        '{channel=~"zalo|web"}[5m]))) / on (channel) hoiam:x offset 1h'
    )
    assert names == {"intake_accept_seconds_bucket", "hoiam:x"}
    assert labels == {"le", "channel"}


def test_a_misspelt_metric_or_label_is_caught(exported: dict[str, frozenset[str]]) -> None:
    assert unknown("rate(intake_items_recieved_total[5m])", exported) == [
        "metric intake_items_recieved_total"
    ]
    assert unknown("sum by (chanel) (intake_items_received_total)", exported) == ["label chanel"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_every_panel_queries_exported_metrics(
    path: Path, exported: dict[str, frozenset[str]]
) -> None:
    dashboard = json.loads(path.read_text("utf-8"))
    found = list(queries(dashboard))
    assert found, f"{path.name} has no query"
    problems = {f"{title}: {expr}": unknown(expr, exported) for title, expr in found}
    assert {k: v for k, v in problems.items() if v} == {}


def test_the_dashboards_are_provisioned_from_where_compose_mounts_them() -> None:
    assert DASHBOARDS, "no dashboard in deploy/grafana/dashboards"
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    mounts = dict(v.rsplit(":", 2)[:2] for v in compose["services"]["grafana"]["volumes"])
    provider = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "dashboards" / "hoiam.yaml").read_text("utf-8")
    )["providers"][0]
    assert mounts["./grafana/dashboards"] == provider["options"]["path"]
    uids = [json.loads(p.read_text("utf-8"))["uid"] for p in DASHBOARDS]
    assert len(set(uids)) == len(uids)


SEEN = {
    "intake_items_received_total": "items per channel",
    "router_items_routed_total": "routed per category, and the triage rate",
    "router_items_routed_by_level_total": "routed per level",
    "router_items_open": "open per body",
    "router_items_overdue": "overdue per body",
    "notifier_notifications_total": "notification outcomes per channel",
    "hoiam_dlq_records": "DLQ sizes",
    "hoiam_consumer_lag_records": "consumer lag per group and partition",
    "console_ratings_total": "citizens' satisfaction per body (issue 12)",
}
"""The business metrics issue 15 asks to see, each on some panel."""


def test_every_business_metric_is_on_a_dashboard(exported: dict[str, frozenset[str]]) -> None:
    queried = {
        name
        for path in DASHBOARDS
        for _, expr in queries(json.loads(path.read_text("utf-8")))
        for name in promql_names(expr)[0]
    }
    assert set(SEEN) <= set(exported)
    assert {name: what for name, what in SEEN.items() if name not in queried} == {}


def test_each_metric_is_declared_once() -> None:
    """A service's own metrics carry its name; only the shared ones (FastStream's, `hoiam_*`
    from hoiam_shared) are exported by every service, from one declaration."""
    owners: dict[str, set[str]] = {}
    for service, metrics in exported_metrics().items():
        for name in metrics:
            owners.setdefault(name, set()).add(service)
    shared = {n for n in owners if n.startswith(("hoiam_", "faststream_"))}
    assert {n: s for n, s in owners.items() if n not in shared and len(s) > 1} == {}
    assert {
        n: s for n, s in owners.items() if n not in shared and not n.startswith(f"{min(s)}_")
    } == {}
