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
    assert (report["items"], report["dev_items"], report["heldout_items"]) == (8, 6, 2)
    # Rules alone: fx-1..3, 5, 6 right; fx-4 says nothing and goes to triage.
    rules = report["rules"]["dev"]
    assert (rules["body"], rules["triage_rate"]) == (round(5 / 6, 4), round(1 / 6, 4))
    assert rules["body_with_operators"] == 1.0
    cv = report["cv"]
    assert cv["at_threshold"]["items"] == 6
    assert [p["threshold"] for p in cv["curve"]][:3] == [0.0, 0.05, 0.1]
    assert cv["curve"][0]["triage_rate"] <= cv["curve"][-1]["triage_rate"]
    assert sum(sum(row.values()) for row in cv["level_confusion"].values()) == 6
    assert report["prequential"]["items"] == 6
    assert len(report["prequential"]["curve"]) == 10
    assert report["heldout"]["at_threshold"]["items"] == 2
    assert report["speed"]["items_per_second"] > 0
    printed = capsys.readouterr().out
    for part in (
        "5-fold CV",
        "Auto-routed body accuracy / triage rate over the threshold",
        "Per-level confusion",
        "Prequential",
        "model, held-out",
        "items/s",
    ):
        assert part in printed


def test_held_out_texts_do_not_change_the_cross_validated_figures(tmp_path: Path) -> None:
    from hoiam_router.directory_yaml import load_directory
    from hoiam_router.evaluation import evaluate, load_petitions

    petitions = load_petitions(FIXTURE)
    scrambled = [
        p.model_copy(update={"text": "Một văn bản khác hẳn về bảo hiểm y tế"}) if p.heldout else p
        for p in petitions
    ]
    directory = load_directory()

    first = evaluate(directory, petitions, speed_seconds=0.0)
    second = evaluate(directory, scrambled, speed_seconds=0.0)

    assert first["cv"] == second["cv"]
    assert first["prequential"] == second["prequential"]


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


def test_the_heldout_key_makes_the_split() -> None:
    from hoiam_router.evaluation import load_petitions, select, split_of

    petitions = load_petitions(FIXTURE)
    dev, heldout = select(petitions, "dev"), select(petitions, "heldout")

    assert [p.id for p in heldout] == ["fx-7", "fx-8"]
    assert len(dev) + len(heldout) == len(petitions)
    assert {split_of(p) for p in dev} == {"dev"}
