"""The Prometheus rules in deploy/prometheus/rules are valid and their own unit tests pass."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from support.metrics import exported_metrics, promql_names

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "rules"


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail("promtool is missing: run `make system-packages` (Debian's prometheus)")
    return found


def run(promtool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, *args], cwd=RULES, capture_output=True, text=True, timeout=30, check=False
    )


def test_promtool_accepts_every_rule_file(promtool: str) -> None:
    files = sorted(p.name for p in RULES.glob("*.rules.yml"))
    assert files, "no rule file found"
    result = run(promtool, "check", "rules", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rules_pass_their_promtool_unit_tests(promtool: str) -> None:
    result = run(promtool, "test", "rules", *sorted(p.name for p in RULES.glob("*.test.yml")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_the_compose_prometheus_loads_the_rules(promtool: str) -> None:
    result = run(promtool, "check", "config", "../prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hoiam.rules.yml" in result.stdout


def test_the_rules_only_read_metrics_the_services_export() -> None:
    exported = {"up"} | {name for m in exported_metrics().values() for name in m}
    rules = [
        rule
        for path in sorted(RULES.glob("*.rules.yml"))
        for group in yaml.safe_load(path.read_text("utf-8"))["groups"]
        for rule in group["rules"]
    ]
    recorded = {rule["record"] for rule in rules if "record" in rule}
    unknown = {
        rule.get("record") or rule["alert"]: sorted(
            promql_names(rule["expr"])[0] - exported - recorded
        )
        for rule in rules
    }
    assert {name: names for name, names in unknown.items() if names} == {}
