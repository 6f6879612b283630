"""The learned model as the pure routing sees it: what it is told, what it answers, how the two
are combined with the competence rules and with what operators taught (no I/O, no training here).

The model itself (n-gram features, scikit-learn) lives in an adapter (`hoiam_router.model`); the
domain only asks a `Predictor` for probabilities and the n-grams that weighed most.
"""

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from hoiam_router.domain.directory import CompetenceRule
from hoiam_router.domain.text import fold, lower, words

# Chosen on the cross-validated curve of `make eval-routing` (docs/router.md, "Operating point").
DEFAULT_THRESHOLD = 0.4
# How many corrections the model's own probabilities are worth: one close correction of the same
# kind of matter in the same place outweighs a model that is unsure, not one that is sure.
PRIOR_STRENGTH = 4.0
# A correction's weight for a later item: same kind of matter (category) in the same place, and
# much more the closer its words (the cube of the word overlap: on the prequential replay of dev
# a flat weight per kind of matter made things worse, the close ones are what teaches).
SAME_KIND = 0.05
SAME_WORDS = 10.0
HAND_BACK_PENALTY = 1.5
SIM_POWER = 3.0
MAX_CORRECTIONS_PER_KIND = 200

CommuneKnown = Literal["known", "likely", "none"]


@dataclass(frozen=True, slots=True)
class Signals:
    """What the rules said about an item: the model weighs them with the words (stacking)."""

    lexicon_category: str
    scope: str
    rule_body: str | None  # the body key the competence rules chose, or None
    rule: str | None  # which rule: "category/scope/body" (+ "/words" when words made it apply)
    commune: CommuneKnown
    lexicon_confidence: float

    def tokens(self) -> list[str]:
        level = int(min(self.lexicon_confidence, 0.999) * 4)
        return [
            f"lex={self.lexicon_category}",
            f"scope={self.scope}",
            f"rb={self.rule_body or 'none'}",
            f"rule={self.rule or 'none'}",
            f"commune={self.commune}",
            f"lexconf={level}",
            f"lexrb={self.lexicon_category}>{self.rule_body or 'none'}",
        ]


def rule_label(rule: CompetenceRule | None) -> str | None:
    if rule is None:
        return None
    scope = rule.scope or (f"not-{rule.unless_scope}" if rule.unless_scope else None)
    label = f"{rule.category}/{scope}"
    return f"{label}/{rule.body}" + ("/words" if rule.words else "")


@dataclass(frozen=True, slots=True)
class Prediction:
    """Probabilities, best first, and the features that weighed most for the best of each."""

    categories: tuple[tuple[str, float], ...]
    bodies: tuple[tuple[str, float], ...]
    category_terms: tuple[str, ...] = ()
    body_terms: tuple[str, ...] = ()
    levels: tuple[tuple[str, float], ...] = ()


class Predictor(Protocol):
    """A trained model: category and body-key probabilities for a text and the rules' signals."""

    def predict(self, text: str, signals: Signals) -> Prediction: ...


def law_of(rule: CompetenceRule | None, scope: str) -> str | None:
    """The act that settles who is competent, when the rule applies one that is explicit: then
    the rule has the final say over the model (it may still go to triage when unsure)."""
    if rule is None:
        return None
    if rule.scope == "provincial_policy" or scope == "provincial_policy":
        return "State Budget Law 2015 art. 30 / Law on Fees and Charges 2015 art. 21"
    if rule.category == "*" and rule.body == "ubnd-tinh" and rule.words:
        return "Decree 35/2022/NĐ-CP (zone and project boards under the province committee)"
    if rule.category == "education":
        return "Decree 142/2025/NĐ-CP"
    if rule.category == "land":
        return "Decree 151/2025/NĐ-CP"
    if rule.category == "health" and rule.body == "ubnd-xa":
        return "Circular 43/2025/TT-BYT"
    return None


# --- learning the body from corrections ----------------------------------------------------------

CorrectionKind = Literal["decision", "reassignment", "hand_back"]


@dataclass(frozen=True, slots=True)
class BodyCorrection:
    """One thing an operator or body said about an item's body: a triage decision or a
    reassignment (this body), or a hand-back (not this body)."""

    kind: CorrectionKind
    province: str
    category: str
    body_key: str
    text: str


def _terms(text: str) -> frozenset[str]:
    tokens = [fold(w) for w in words(lower(text))]
    singles = {t for t in tokens if len(t) > 2 and not t.isdigit()}
    return frozenset(singles | {f"{a} {b}" for a, b in itertools.pairwise(tokens)})


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass(frozen=True, slots=True)
class _Taught:
    kind: CorrectionKind
    body_key: str
    terms: frozenset[str]


@dataclass(frozen=True, slots=True)
class BodyMemory:
    """Corrections of the body, by (province, category): what later items of that kind of
    matter in that place are pulled towards (or away from)."""

    by_kind: Mapping[tuple[str, str], tuple[_Taught, ...]] = field(default_factory=dict)
    count: int = 0

    def __bool__(self) -> bool:
        return self.count > 0

    def evidence(
        self, *, province: str | None, category: str, text: str
    ) -> tuple[dict[str, float], dict[str, float], int]:
        """Weighted votes for and against each body key, and how many corrections voted."""
        taught = self.by_kind.get((province or "", category), ())
        if not taught:
            return {}, {}, 0
        terms = _terms(text)
        pro: dict[str, float] = {}
        con: dict[str, float] = {}
        for one in taught:
            weight = SAME_KIND + SAME_WORDS * _similarity(terms, one.terms) ** SIM_POWER
            votes = con if one.kind == "hand_back" else pro
            votes[one.body_key] = votes.get(one.body_key, 0.0) + weight
        return pro, con, len(taught)


def remember(corrections: Iterable[BodyCorrection]) -> BodyMemory:
    """The body memory from every correction (oldest first; only the latest per kind are kept)."""
    by_kind: dict[tuple[str, str], list[_Taught]] = {}
    count = 0
    for c in corrections:
        count += 1
        by_kind.setdefault((c.province, c.category), []).append(
            _Taught(c.kind, c.body_key, _terms(c.text))
        )
    return BodyMemory({k: tuple(v[-MAX_CORRECTIONS_PER_KIND:]) for k, v in by_kind.items()}, count)


def with_memory(
    bodies: tuple[tuple[str, float], ...],
    memory: BodyMemory | None,
    *,
    province: str | None,
    category: str,
    text: str,
) -> tuple[tuple[tuple[str, float], ...], str | None]:
    """The body probabilities after what operators taught about this kind of matter in this
    place: the model's probabilities count as `PRIOR_STRENGTH` corrections (a Dirichlet prior),
    each correction adds its weight, a hand-back takes the body down. With the reason."""
    if not memory:
        return bodies, None
    pro, con, n = memory.evidence(province=province, category=category, text=text)
    if not pro and not con:
        return bodies, None
    probs = dict(bodies)
    for key in pro.keys() | con.keys():
        probs.setdefault(key, 0.0)
    total_pro = sum(pro.values())
    raw = {
        k: (PRIOR_STRENGTH * p + pro.get(k, 0.0))
        / (PRIOR_STRENGTH + total_pro)
        * math.exp(-HAND_BACK_PENALTY * con.get(k, 0.0))
        for k, p in probs.items()
    }
    norm = sum(raw.values()) or 1.0
    ranked = tuple(sorted(((k, v / norm) for k, v in raw.items()), key=lambda kv: (-kv[1], kv[0])))
    shown = ", ".join(f"{k} {v:.2g}" for k, v in sorted(pro.items(), key=lambda kv: -kv[1])[:3])
    against = ", ".join(f"{k} {v:.2g}" for k, v in sorted(con.items(), key=lambda kv: -kv[1])[:3])
    reason = f"learned from {n} corrections of {category} in province {province}: "
    reason += f"for {shown or '-'}"
    if against:
        reason += f"; handed back by {against}"
    return ranked, reason
