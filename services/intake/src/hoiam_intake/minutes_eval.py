"""`make eval-minutes`: the splitter measured on the real minutes of services/intake/data/minutes.

Each document's expected petitions (its `.json`) are matched in order to the split petitions: an
expected petition is found when a split petition not yet matched contains its first words
(case- and accent-insensitive); a split petition that matches none is wrong. A found petition is
"with place" when its place and the expected one name the same place (one contains the other).
Dev and held-out documents (`sha256(source_url)[0] < 0x55`, fixed before the splitter was
written) are reported apart, as JSON.
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from hoiam_intake.domain.folding import folded
from hoiam_intake.domain.minutes import blocks_of_text, split_minutes

DATA = Path(__file__).resolve().parents[2] / "data" / "minutes"
HELD_OUT_BELOW = 0x55


def held_out(source_url: str) -> bool:
    return hashlib.sha256(source_url.encode()).digest()[0] < HELD_OUT_BELOW


def same_place(found: str | None, expected: str) -> bool:
    if not found:
        return False
    a, b = folded(found), folded(expected)
    return bool(a) and bool(b) and (a in b or b in a)


def evaluate_document(text: str, meta: dict[str, Any]) -> dict[str, Any]:
    split = split_minutes(blocks_of_text(text), meeting_place=meta.get("meeting_place"))
    petitions = list(split.petitions)
    matched: set[int] = set()
    found = with_place = kind_right = answered_right = 0
    misses: list[dict[str, str | None]] = []
    for expected in meta["petitions"]:
        start = folded(expected["starts"])
        hit = next(
            (i for i, p in enumerate(petitions) if i not in matched and start in folded(p.text)),
            None,
        )
        if hit is None:
            misses.append({"missed": expected["starts"], "place": expected["place"]})
            continue
        matched.add(hit)
        petition = petitions[hit]
        found += 1
        if same_place(petition.place, expected["place"]):
            with_place += 1
        else:
            misses.append(
                {
                    "place_of": expected["starts"],
                    "found": petition.place,
                    "expected": expected["place"],
                }
            )
        kind_right += petition.kind.value == expected["kind"]
        answered_right += petition.answered_on_the_spot == expected["answered_on_the_spot"]
    wrong = [p.text for i, p in enumerate(petitions) if i not in matched]
    return {
        "expected": len(meta["petitions"]),
        "split": len(petitions),
        "found": found,
        "with_place": with_place,
        "wrong": len(wrong),
        "kind_right": kind_right,
        "answered_right": answered_right,
        "misses": misses,
        "wrong_texts": wrong,
    }


def _totals(results: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("expected", "split", "found", "with_place", "wrong", "kind_right", "answered_right")
    total = {key: sum(r[key] for r in results) for key in keys}
    expected = total["expected"] or 1
    total["documents"] = len(results)
    total["found_rate"] = round(total["found"] / expected, 3)
    total["with_place_rate"] = round(total["with_place"] / expected, 3)
    total["wrong_rate"] = round(total["wrong"] / (total["split"] or 1), 3)
    return total


def evaluate(data: Path = DATA, *, details: bool = False) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {"dev": [], "held_out": []}
    per_document: dict[str, Any] = {}
    provinces: set[str] = set()
    for meta_path in sorted(data.glob("*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        text = meta_path.with_suffix(".txt").read_text(encoding="utf-8")
        result = evaluate_document(text, meta)
        group = "held_out" if held_out(meta["source_url"]) else "dev"
        groups[group].append(result)
        provinces.add(meta["province"])
        if details:
            per_document[meta_path.stem] = {"group": group, **result}
    report: dict[str, Any] = {
        "rule": f"held out when sha256(source_url)[0] < {HELD_OUT_BELOW:#x}",
        "provinces": len(provinces),
        "dev": _totals(groups["dev"]),
        "held_out": _totals(groups["held_out"]),
    }
    if details:
        report["documents"] = per_document
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--details", action="store_true", help="every document, with its misses")
    parser.add_argument("--group", choices=("dev", "held_out"), help="details of one group only")
    args = parser.parse_args(argv)
    report = evaluate(details=args.details or args.group is not None)
    if args.group and "documents" in report:
        report["documents"] = {
            k: v for k, v in report["documents"].items() if v["group"] == args.group
        }
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
