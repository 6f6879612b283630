"""`make eval-routing` on a tiny fixture: figures, JSON, exit codes."""

import json
from pathlib import Path

import pytest

from hoiam_router.evaluation import main

FIXTURE = Path(__file__).parent / "fixtures/petitions.yaml"


def test_the_evaluation_prints_and_writes_the_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "eval.json"

    assert main(["--data", str(FIXTURE), "--out", str(out), "--speed-seconds", "0.05"]) == 0

    report = json.loads(out.read_text("utf-8"))
    assert report["items"] == 4
    # fx-1..3 are routed right; fx-4 says nothing and goes to triage: wrong level and body.
    assert report["accuracy"] == {
        "province": 1.0,
        "category": 1.0,
        "level": 0.75,
        "body": 0.75,
        "commune": 1.0,
    }
    assert report["triage_rate"] == 0.25
    assert report["targets"]["triage_rate"]["pass"] is False
    assert report["targets"]["category"]["pass"] is True
    assert report["confusion"]["transport"] == {"transport": 1}
    assert [m["id"] for m in report["misses"]] == ["fx-4"]
    assert report["speed"]["items_per_second"] > 0
    printed = capsys.readouterr().out
    assert "category   100.0%" in printed
    assert "triage_rate  ≤ 15%: 25.0% FAIL" in printed
    assert "items/s" in printed


@pytest.mark.parametrize(
    "content", [None, "not: [a list", "- {id: x}", "[]"], ids=["missing", "yaml", "fields", "empty"]
)
def test_a_missing_or_malformed_set_exits_2(
    tmp_path: Path, content: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "petitions.yaml"
    if content is not None:
        data.write_text(content, "utf-8")

    assert main(["--data", str(data), "--out", str(tmp_path / "o.json")]) == 2
    assert "eval-routing:" in capsys.readouterr().err


def test_the_preview_command_prints_the_decision(capsys: pytest.CaptureFixture[str]) -> None:
    from hoiam_router.preview import main as preview_main

    assert preview_main(["Mất điện cả ấp", "xã Tiểu Cần, tỉnh Trà Vinh"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["body"]["id"] == "86-dien-luc"
    assert preview_main([]) == 2


def test_the_split_is_fixed_by_the_id_and_the_halves_make_the_whole(tmp_path: Path) -> None:
    from hoiam_router.evaluation import DEFAULT_DATA, load_petitions, select, split_of

    petitions = load_petitions(DEFAULT_DATA)
    dev, heldout = select(petitions, "dev"), select(petitions, "heldout")

    assert len(dev) + len(heldout) == len(petitions)
    assert {p.id for p in dev}.isdisjoint({p.id for p in heldout})
    assert dev
    assert heldout
    assert split_of("tq-hdnd-2431") == split_of("tq-hdnd-2431")  # same id, same half
    out = tmp_path / "eval.json"
    assert main(["--split", "dev", "--out", str(out), "--speed-seconds", "0.01"]) == 0
    report = json.loads(out.read_text("utf-8"))
    assert report["split"] == "dev"
    assert report["items"] == len(dev)
