"""The Prometheus rules in deploy/prometheus/rules are valid and their own unit tests pass."""

import shutil
import subprocess
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "rules"


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail("promtool is missing: run `make system-packages` (Debian's prometheus)")
    return found


def run(promtool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own files, a fixed tool
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
