"""Routing accuracy on the labelled set of real petitions (`make eval-routing`).

Each item is routed as a real intake would see it: its text, its locality as the address, and
its province as the province of the channel that received it (a province's Zalo OA, hotline or
email receives its own citizens' petitions), used only when the text and address name none.
Prints accuracy, the triage rate, a category confusion matrix, the targets with pass/fail and
the speed of the pure routing function; writes the same as JSON. Exit 0 whatever the figures
(they are reported, not asserted); exit 2 when the data file is missing or malformed.
"""

import argparse
import hashlib
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hoiam_router import domain
from hoiam_router.directory_yaml import load_directory
from hoiam_router.domain.directory import Directory

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "data/eval/petitions.yaml"
DEFAULT_OUT = Path(".local/eval-routing.json")
TARGETS = {  # metric → (threshold, "min" or "max")
    "category": (0.90, "min"),
    "level": (0.90, "min"),
    "body": (0.85, "min"),
    "province": (1.00, "min"),
    "triage_rate": (0.15, "max"),
}
SPEED_SECONDS = 2.0
SPLITS = ("all", "dev", "heldout")
LOCATION_REASONS = ("province ", "commune ")  # left out of the miss list: the place is checked


class Petition(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    source_url: str
    source_title: str | None = None
    province_code: str
    province_name: str | None = None
    locality: str | None = None
    commune_code: str | None = None
    text: str = Field(min_length=1)
    answered_by: str | None = None
    category: str
    level: str
    body_key: str
    notes: str | None = None


class DataError(ValueError):
    """The evaluation set is missing or not in the agreed format."""


def load_petitions(path: Path) -> list[Petition]:
    if not path.is_file():
        raise DataError(f"no evaluation set at {path}")
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as error:
        raise DataError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(raw, list) or not raw:
        raise DataError(f"{path} must be a non-empty YAML list of petitions")
    try:
        return [Petition.model_validate(entry) for entry in raw]
    except ValidationError as error:
        raise DataError(f"{path} has a malformed item: {error}") from None


def split_of(petition_id: str) -> str:
    """`dev` or `heldout`, fixed by a hash of the id: rules are tuned on dev only, and held-out
    shows whether they generalise (the same petition always falls in the same half)."""
    digest = hashlib.sha256(petition_id.encode("utf-8")).digest()
    return "dev" if digest[0] % 2 == 0 else "heldout"


def select(petitions: list[Petition], split: str) -> list[Petition]:
    return petitions if split == "all" else [p for p in petitions if split_of(p.id) == split]


def body_key(body_id: str | None) -> str | None:
    """`86-so-xay-dung` → `so-xay-dung`; `29341-ubnd-xa` → `ubnd-xa`."""
    return body_id.split("-", 1)[1] if body_id else None


def route_petition(directory: Directory, petition: Petition) -> domain.Routing:
    return domain.route_text(
        directory,
        text=petition.text,
        address=petition.locality,
        province_hint=petition.province_code,
    )


def evaluate(directory: Directory, petitions: list[Petition]) -> dict[str, Any]:
    hits: Counter[str] = Counter()
    commune_labelled = 0
    triaged = 0
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    misses: list[dict[str, Any]] = []
    for petition in petitions:
        routing = route_petition(directory, petition)
        province = routing.location.province.code if routing.location.province else None
        commune = routing.location.commune.code if routing.location.commune else None
        # A triaged item has no body and no level: it counts as wrong for both.
        level = None if routing.triage else routing.level
        key = None if routing.triage else body_key(routing.body.id if routing.body else None)
        checks = {
            "province": province == petition.province_code,
            "category": routing.category.code == petition.category,
            "level": level == petition.level,
            "body": key == petition.body_key,
        }
        hits.update(name for name, ok in checks.items() if ok)
        if petition.commune_code:
            commune_labelled += 1
            hits["commune"] += commune == petition.commune_code
        triaged += routing.triage
        confusion[petition.category][routing.category.code] += 1
        if not all(checks.values()):
            misses.append(
                {
                    "id": petition.id,
                    "expected": [petition.category, petition.level, petition.body_key],
                    "got": [routing.category.code, level, key],
                    "province": [petition.province_code, province],
                    "triage": routing.triage,
                    "why": [r for r in routing.reasons if not r.startswith(LOCATION_REASONS)],
                }
            )
    n = len(petitions)
    accuracy: dict[str, float | None] = {
        name: round(hits[name] / n, 4) for name in ("province", "category", "level", "body")
    }
    accuracy["commune"] = round(hits["commune"] / commune_labelled, 4) if commune_labelled else None
    triage_rate = round(triaged / n, 4)
    figures = {**accuracy, "triage_rate": triage_rate}
    targets = {
        name: {
            "target": threshold,
            "kind": kind,
            "value": figures[name],
            "pass": (figures[name] or 0) >= threshold
            if kind == "min"
            else (figures[name] or 0) <= threshold,
        }
        for name, (threshold, kind) in TARGETS.items()
    }
    return {
        "items": n,
        "commune_labelled": commune_labelled,
        "accuracy": accuracy,
        "triage_rate": triage_rate,
        "targets": targets,
        "confusion": {k: dict(v) for k, v in sorted(confusion.items())},
        "misses": misses,
        "inputs": "text + locality as the address + the item's province as the channel's "
        "province (a fallback used only when text and address name no province)",
    }


def measure_speed(
    directory: Directory, petitions: list[Petition], seconds: float = SPEED_SECONDS
) -> dict[str, float]:
    """Items per second of the pure routing function, over the set repeated for `seconds`."""
    done = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for petition in petitions:
            route_petition(directory, petition)
        done += len(petitions)
    return {"items": done, "seconds": round(elapsed, 3), "items_per_second": round(done / elapsed)}


def render(report: dict[str, Any]) -> str:
    split = report.get("split", "all")
    lines = [
        f"Routing evaluation on {report['items']} petitions, split {split} ({report['inputs']})",
        "",
    ]
    for name, value in report["accuracy"].items():
        shown = "n/a" if value is None else f"{value:.1%}"
        suffix = f" (of {report['commune_labelled']} labelled)" if name == "commune" else ""
        lines.append(f"  {name:<10} {shown}{suffix}")
    lines.append(f"  {'triage':<10} {report['triage_rate']:.1%}")
    lines += ["", "Targets:"]
    for name, target in report["targets"].items():
        sign = "≥" if target["kind"] == "min" else "≤"
        verdict = "PASS" if target["pass"] else "FAIL"
        lines.append(
            f"  {name:<12} {sign} {target['target']:.0%}: {target['value'] or 0:.1%} {verdict}"
        )
    codes = sorted(
        {c for row in report["confusion"].values() for c in row} | set(report["confusion"])
    )
    lines += ["", "Confusion (rows: labelled category, columns: routed category):"]
    width = max(len(c) for c in codes) + 1
    lines.append(" " * width + " ".join(f"{c[:6]:>6}" for c in codes))
    for row in codes:
        counts = report["confusion"].get(row, {})
        if counts:
            lines.append(f"{row:<{width}}" + " ".join(f"{counts.get(c, 0):>6}" for c in codes))
    if speed := report.get("speed"):
        lines += ["", f"Pure routing: {speed['items_per_second']} items/s "
                  f"({speed['items']} items in {speed['seconds']} s)"]  # fmt: skip
    return "\n".join(lines)


def render_misses(report: dict[str, Any]) -> str:
    lines = ["", "Misses (labelled → routed: category, level, body):"]
    for miss in report["misses"]:
        lines.append(f"  {miss['id']}: {miss['expected']} → {miss['got']}")
        lines += [f"      {why}" for why in miss["why"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--speed-seconds", type=float, default=SPEED_SECONDS)
    parser.add_argument("--split", choices=SPLITS, default="all")
    parser.add_argument("--misses", action="store_true", help="print each miss with its reasons")
    args = parser.parse_args(argv)
    try:
        petitions = select(load_petitions(args.data), args.split)
    except DataError as error:
        print(f"eval-routing: {error}", file=sys.stderr)
        return 2
    directory = load_directory()
    report = evaluate(directory, petitions)
    report["split"] = args.split
    report["speed"] = measure_speed(directory, petitions, args.speed_seconds)
    print(render(report))
    if args.misses:
        print(render_misses(report))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
    print(f"\nJSON written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
