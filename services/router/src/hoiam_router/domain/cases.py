"""Cases (vụ việc): the same matter from many voters in the same place becomes one case."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from hoiam_router.domain.classify import terms

SIMILARITY_THRESHOLD = 0.45
CASE_WINDOW = timedelta(days=60)


def fingerprint(text: str) -> frozenset[str]:
    """The content words and word pairs of a text, accents folded, for comparing petitions."""
    return frozenset(terms(text))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Token-set similarity: shared terms over the smaller set (a short re-telling still counts)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass(frozen=True, slots=True)
class CaseMember:
    """One item in a case, with what is needed to compare a new item against it."""

    item_id: str
    case_id: str
    area: str
    category: str
    terms: frozenset[str]
    at: datetime


def case_area(*, commune: str | None, province: str | None) -> str | None:
    """Where "the same place" is: the commune, else the province; nowhere without either."""
    return commune or (f"province:{province}" if province else None)


def best_case(
    members: list[CaseMember],
    *,
    area: str,
    category: str,
    text_terms: frozenset[str],
    now: datetime,
    threshold: float = SIMILARITY_THRESHOLD,
) -> tuple[str, float] | None:
    """The case whose member is most similar to the new item, if similar enough and recent."""
    best: tuple[str, float] | None = None
    for member in members:
        if member.area != area or member.category != category:
            continue
        if now - member.at > CASE_WINDOW:
            continue
        score = similarity(text_terms, member.terms)
        if score >= threshold and (best is None or score > best[1]):
            best = (member.case_id, score)
    return best
