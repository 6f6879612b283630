"""The hand-judged pairs of repeat petitions are well formed (two petitions of the labelled set
each, a reason, no pair twice), and `make eval-repeats` counts found / missed / false."""

import json
from pathlib import Path

import pytest
import yaml

from hoiam_router.labelled import DEFAULT_DATA, DataError, load_petitions
from hoiam_router.repeat_eval import DEFAULT_PAIRS, commune_of, load_pairs, main


def test_every_judged_pair_is_two_petitions_of_the_set_once() -> None:
    petitions = {p.id: p for p in load_petitions(DEFAULT_DATA)}
    pairs = load_pairs(DEFAULT_PAIRS, set(petitions))
    assert len(pairs) >= 40
    assert sum(p.duplicate for p in pairs) >= 6
    keys = [frozenset((p.a, p.b)) for p in pairs]
    assert len(keys) == len(set(keys))
    for pair in pairs:
        # A judgement is about one place: the same province at least.
        assert petitions[pair.a].province_code == petitions[pair.b].province_code, pair


def test_a_pair_naming_an_unknown_petition_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pairs.yaml"
    path.write_text(
        yaml.safe_dump({"pairs": [{"a": "x", "b": "y", "duplicate": True, "why": "the same"}]})
    )
    with pytest.raises(DataError, match="are not two petitions"):
        load_pairs(path, {"x"})


def test_the_commune_of_a_locality_is_its_first_commune_ward_or_town() -> None:
    assert commune_of("Thôn Mai Sơn, xã Gia Lập (Gia Viễn)") == "xa gia lap"
    assert commune_of("Phường Tân Lộc, quận Thốt Nốt") == "phuong tan loc"
    assert commune_of("quận Ninh Kiều") is None


def test_the_evaluation_counts_on_a_small_set(tmp_path: Path) -> None:
    every = {p.id: p for p in load_petitions(DEFAULT_DATA)}
    chosen = ["ct-bct-a126603", "ct-bct-a105947", "ct-bct-a149817", "ct-bct-a112502"]
    data = tmp_path / "petitions.yaml"
    data.write_text(
        yaml.safe_dump([every[i].model_dump(exclude_none=True) for i in chosen], allow_unicode=True)
    )
    pairs = tmp_path / "pairs.yaml"
    pairs.write_text(
        yaml.safe_dump(
            {
                "pairs": [
                    {"a": chosen[0], "b": chosen[1], "duplicate": True, "why": "the same school"},
                    {"a": chosen[0], "b": chosen[2], "duplicate": False, "why": "school, market"},
                ]
            }
        )
    )
    minutes = tmp_path / "minutes"
    minutes.mkdir()
    (minutes / "m.json").write_text(
        json.dumps(
            {
                "source_url": "https://example.gov.vn/m",
                "petitions": [{"starts": "Sửa đường ấp 3"}, {"starts": "Lắp đèn ấp 5"}],
            }
        )
    )
    out = tmp_path / "out.json"
    assert main(["--data", str(data), "--pairs", str(pairs), "--minutes", str(minutes),
                 "--out", str(out)]) == 0  # fmt: skip
    report = json.loads(out.read_text())
    at = {p["threshold"]: p for p in report["pairs"]}
    assert (at[0.35]["found"], at[0.35]["missed"], at[0.35]["false"]) == (1, 0, 0)
    assert at[0.7]["missed"] == 1
    archive = {p["threshold"]: p for p in report["archive"]}
    assert archive[0.35]["found"] == 2  # each of the two filed anew finds the other
    assert report["minutes_petitions"] == 2
    assert main(["--data", str(tmp_path / "none.yaml"), "--out", str(out)]) == 2
