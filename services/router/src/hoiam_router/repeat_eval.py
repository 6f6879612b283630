"""Repeat petitions on real texts (`make eval-repeats`): found / missed / false over the threshold.

Three measures, printed and written as JSON (`.local/eval-repeats.json`):
- **pairs**: every pair judged by hand in `data/eval/repeats.yaml` (near-duplicates: same matter,
  same place; hard negatives: same place, different matter), scored with the archive's document
  frequencies taken over the whole labelled set; a pair the place rule keeps apart never matches;
- **archive**: each of the 411 labelled petitions filed anew against all the others published,
  with the router's own place rule: a match to its judged partner is found, to a judged
  non-duplicate false, to a pair nobody judged "unjudged" (listed, so it can be judged);
- **minutes**: every petition of a real voters' meeting (services/intake/data/minutes) against the
  others of the same meeting: the annotators split them as separate matters of one place, so
  any match there is false.
Exit 0 whatever the figures (reported, not asserted); 2 when a data file is missing or malformed.
"""

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hoiam_router.domain.repeats import (
    REPEAT_THRESHOLD,
    AnswerIndex,
    Place,
    PublishedAnswer,
    bar,
    published_answer,
    text_terms,
)
from hoiam_router.domain.text import fold
from hoiam_router.labelled import DEFAULT_DATA, DataError, Petition, load_petitions

ROUTER_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PAIRS = ROUTER_ROOT / "data/eval/repeats.yaml"
DEFAULT_MINUTES = ROUTER_ROOT.parent / "intake/data/minutes"
DEFAULT_OUT = Path(".local/eval-repeats.json")
THRESHOLDS = tuple(round(0.15 + t * 0.05, 2) for t in range(12))
_COMMUNE = re.compile(r"\b(?:xa|phuong|thi tran|dac khu)\s+[^,;()]+")


class JudgedPair(BaseModel):
    """Two petitions of the labelled set and a person's judgement of them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    a: str
    b: str
    duplicate: bool
    why: str = Field(min_length=5)


def load_pairs(path: Path, known: set[str]) -> list[JudgedPair]:
    if not path.is_file():
        raise DataError(f"no judged pairs at {path}")
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as error:
        raise DataError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("pairs"), list):
        raise DataError(f"{path} must be a mapping with a list of `pairs`")
    try:
        pairs = [JudgedPair.model_validate(p) for p in raw["pairs"]]
    except ValidationError as error:
        raise DataError(f"{path} has a malformed pair: {error}") from None
    for pair in pairs:
        if not {pair.a, pair.b} <= known or pair.a == pair.b:
            raise DataError(f"{path}: {pair.a} / {pair.b} are not two petitions of the set")
    return pairs


def commune_of(locality: str | None) -> str | None:
    """The first commune, ward or town a locality names, folded: "xã tân trào" → "xa tan trao"."""
    found = _COMMUNE.search(fold(locality or ""))
    return found[0].strip() if found else None


def place_of(petition: Petition) -> Place:
    return Place(
        province=petition.province_code,
        commune=commune_of(petition.locality),
        commune_matter=petition.level == "commune",
    )


def answer_of(petition: Petition) -> PublishedAnswer:
    return published_answer(
        publication_id=petition.id,
        item_id=uuid5(NAMESPACE_URL, petition.source_url + petition.id),
        tracking_code=petition.id,
        province=petition.province_code,
        commune=commune_of(petition.locality),
        summary=petition.text,
    )


def same_place(a: Petition, b: Petition) -> bool:
    """The router's place rule on a pair: same commune for a commune's matter, else province."""
    return b.id in {c.publication_id for c in _Index([b]).candidates(place_of(a))}


class _Index(AnswerIndex):
    def __init__(self, petitions: Iterable[Petition]) -> None:
        super().__init__(answer_of(p) for p in petitions)


@dataclass(frozen=True)
class Point:
    threshold: float
    found: int
    missed: int
    false: int
    unjudged: int = 0


def pair_curve(
    pairs: Sequence[JudgedPair], petitions: dict[str, Petition], index: AnswerIndex
) -> tuple[list[Point], list[dict[str, Any]]]:
    scored = []
    for pair in pairs:
        a, b = petitions[pair.a], petitions[pair.b]
        score, shared = index.score(text_terms(a.text), answer_of(b))
        near = same_place(a, b)
        # What the score must beat beyond the threshold (an answer of another commune).
        extra = bar(place_of(a), answer_of(b), 0.0)
        scored.append((pair, score - extra if near else -1.0, shared, near))
    curve = [
        Point(
            t,
            found=sum(1 for p, s, _, _ in scored if p.duplicate and s >= t),
            missed=sum(1 for p, s, _, _ in scored if p.duplicate and s < t),
            false=sum(1 for p, s, _, _ in scored if not p.duplicate and s >= t),
        )
        for t in THRESHOLDS
    ]
    detail = [
        {
            "a": p.a,
            "b": p.b,
            "duplicate": p.duplicate,
            "score": round(s, 3),
            "same_place": near,
            "shared_terms": list(shared),
        }
        for p, s, shared, near in sorted(scored, key=lambda x: -x[1])
    ]
    return curve, detail


def archive_curve(
    pairs: Sequence[JudgedPair], petitions: Sequence[Petition]
) -> tuple[list[Point], list[dict[str, Any]]]:
    """Each petition filed anew while all the others are published answers."""
    judged = {frozenset((p.a, p.b)): p.duplicate for p in pairs}
    partners = {p.a for p in pairs if p.duplicate} | {p.b for p in pairs if p.duplicate}
    index = _Index(petitions)
    curve = []
    offers: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {}
    for t in THRESHOLDS:
        found = missed = false = unjudged = 0
        for petition in petitions:
            # Filed anew: its own entry out of the archive while it is matched.
            index.remove(petition.id)
            match = index.best(petition.text, place_of(petition), threshold=t)
            index.put(answer_of(petition))
            if match is None:
                missed += petition.id in partners
                continue
            other = match.answer.publication_id
            verdict = judged.get(frozenset((petition.id, other)))
            if verdict is True:
                found += 1
            elif verdict is False:
                false += 1
                missed += petition.id in partners
            else:
                unjudged += 1
                missed += petition.id in partners
                if abs(t - REPEAT_THRESHOLD) < 1e-9:
                    offers[(petition.id, other)] = (match.score, match.shared_terms)
        curve.append(Point(t, found, missed, false, unjudged))
    offered = [
        {"item": item, "answer": other, "score": round(score, 3), "shared_terms": list(shared)}
        for (item, other), (score, shared) in sorted(offers.items(), key=lambda x: -x[1][0])
    ]
    return curve, offered


def minutes_curve(folder: Path) -> tuple[list[Point], int]:
    """Petitions of one real meeting against each other: every match is a false one."""
    files = sorted(folder.glob("*.json"))
    if not files:
        raise DataError(f"no minutes in {folder}")
    scores: list[float] = []
    answers: list[tuple[str, PublishedAnswer]] = []
    for path in files:
        doc = json.loads(path.read_text("utf-8"))
        for n, petition in enumerate(doc["petitions"]):
            answers.append(
                (
                    path.stem,
                    published_answer(
                        publication_id=f"{path.stem}#{n}",
                        item_id=uuid5(NAMESPACE_URL, f"{doc['source_url']}#{n}"),
                        tracking_code=f"{path.stem}#{n}",
                        province=path.stem,
                        commune=path.stem,
                        summary=petition["starts"],
                    ),
                )
            )
    index = AnswerIndex(a for _, a in answers)
    for _, answer in answers:
        index.remove(answer.publication_id)
        match = index.best(
            answer.summary,
            Place(answer.province, answer.commune, commune_matter=True),
            threshold=THRESHOLDS[0],
        )
        index.put(answer)
        scores.append(match.score if match else 0.0)
    curve = [Point(t, 0, 0, false=sum(1 for s in scores if s >= t)) for t in THRESHOLDS]
    return curve, len(answers)


def speed(petitions: Sequence[Petition], seconds: float = 1.0) -> float:
    """New items matched per second against the whole set published (the busiest province)."""
    index = _Index(petitions)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        petition = petitions[done % len(petitions)]
        index.best(petition.text, place_of(petition))
        done += 1
    return done / (time.perf_counter() - start)


def _table(title: str, curve: Sequence[Point]) -> str:
    lines = [title, "  threshold  found  missed  false  unjudged"]
    for p in curve:
        mark = "  ← chosen" if abs(p.threshold - REPEAT_THRESHOLD) < 1e-9 else ""
        lines.append(
            f"  {p.threshold:9.2f}  {p.found:5d}  {p.missed:6d}  {p.false:5d}  {p.unjudged:8d}"
            f"{mark}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS)
    parser.add_argument("--minutes", type=Path, default=DEFAULT_MINUTES)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    try:
        petitions = load_petitions(args.data)
        by_id = {p.id: p for p in petitions}
        pairs = load_pairs(args.pairs, set(by_id))
        minutes, minutes_count = minutes_curve(args.minutes)
    except DataError as error:
        print(f"eval-repeats: {error}", file=sys.stderr)
        return 2
    pairs_points, pair_detail = pair_curve(pairs, by_id, _Index(petitions))
    archive_points, unjudged = archive_curve(pairs, petitions)
    rate = speed(petitions)
    duplicates = sum(1 for p in pairs if p.duplicate)
    report = {
        "threshold": REPEAT_THRESHOLD,
        "judged_pairs": len(pairs),
        "duplicates": duplicates,
        "hard_negatives": len(pairs) - duplicates,
        "pairs": [asdict(p) for p in pairs_points],
        "archive": [asdict(p) for p in archive_points],
        "minutes_petitions": minutes_count,
        "minutes": [asdict(p) for p in minutes],
        "matches_per_second": round(rate),
        "pair_scores": pair_detail,
        "unjudged_offers": unjudged,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    print(f"{len(pairs)} judged pairs ({duplicates} near-duplicates), {len(petitions)} petitions")
    print(_table("judged pairs (same place by the router's rule):", pairs_points))
    print(_table("each petition filed against all the others published:", archive_points))
    print(_table(f"{minutes_count} petitions of real meetings, each against its meeting:", minutes))
    print(f"unjudged offers at the chosen threshold: {len(unjudged)}")
    for u in unjudged:
        print(f"  {u['score']:.3f} {u['item']} → {u['answer']} {u['shared_terms']}")
    print(f"matching speed: {rate:.0f} items/s against {len(petitions)} published answers")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
