"""Classify (phân loại): the category of an item from its words, explainably, with corrections.

Each category has a lexicon of Vietnamese phrases (configuration, in the directory YAML). A
phrase of n words weighs n unless the lexicon gives it a weight (``"phrase*3"``): longer phrases
are more specific. Accented text is matched with its accents; text typed without accents is
matched against the folded lexicon (folding accented text would make ``đường`` road meet
``Dương`` the place). Operators' triage corrections become learned term weights
(`CorrectionsModel`), passed into the pure function, so the same function decides better later.
"""

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache

from hoiam_router.domain.text import fold, has_marks, lower, words

MAX_PHRASE_WORDS = 6
CONFIDENCE_CAP = 0.95
# Words that carry no subject: never learned from corrections.
STOPWORDS = frozenset(
    fold(w)
    for w in [
        "và",
        "của",
        "các",
        "cho",
        "có",
        "không",
        "được",
        "đã",
        "đang",
        "sẽ",
        "là",
        "này",
        "đó",
        "với",
        "để",
        "từ",
        "theo",
        "trên",
        "tại",
        "trong",
        "về",
        "những",
        "một",
        "người",
        "dân",
        "cử",
        "tri",
        "đề",
        "nghị",
        "kiến",
        "nghị",
        "phản",
        "ánh",
        "xem",
        "xét",
        "sớm",
        "việc",
        "tình",
        "trạng",
        "hiện",
        "nay",
        "bà",
        "con",
        "địa",
        "bàn",
        "nhưng",
        "vẫn",
        "rất",
        "nhiều",
        "khi",
        "thì",
        "cũng",
        "như",
        "nên",
        "do",
        "bị",
        "ra",
        "vào",
        "lại",
        "năm",
        "ngày",
        "tháng",
        "xã",
        "phường",
        "tỉnh",
        "thành",
        "phố",
        "ấp",
        "thôn",
        "khu",
    ]
)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Phrase → (category, weight), accented and folded, built once per lexicon."""

    accented: Mapping[tuple[str, ...], tuple[tuple[str, str, float], ...]]
    folded: Mapping[tuple[str, ...], tuple[tuple[str, str, float], ...]]


def _parse(entry: str) -> tuple[str, float | None]:
    phrase, _, weight = entry.partition("*")
    return phrase.strip(), float(weight) if weight else None


NEUTRAL = ""
"""The category of neutral phrases: matched (so their words are used up) but never scored."""


def build_lexicon(keywords: Mapping[str, Iterable[str]], neutral: Iterable[str] = ()) -> Lexicon:
    """`keywords`: category code → phrases (``"phrase"`` or ``"phrase*weight"``); `neutral`:
    phrases that contain a keyword but mean something else (``gia đình`` is not ``đình``).

    Folded (typed without accents), a single accented word means too many things (``de`` is
    đê, đề, để, dễ; ``cho`` is chợ and cho): only phrases of two words or more, and words that
    have no accents anyway (``internet``, ``bhxh``), are matched in unaccented text.
    """
    accented: dict[tuple[str, ...], list[tuple[str, str, float]]] = defaultdict(list)
    folded: dict[tuple[str, ...], list[tuple[str, str, float]]] = defaultdict(list)
    entries = [(c, e) for c, phrases in keywords.items() for e in phrases]
    entries += [(NEUTRAL, f"{phrase}*0") for phrase in neutral]
    for category, entry in entries:
        phrase, weight = _parse(entry)
        key = tuple(words(lower(phrase)))
        if not key:
            continue
        value = (category, phrase, weight if weight is not None else float(len(key)))
        accented[key].append(value)
        if len(key) > 1 or not has_marks(phrase):
            folded[tuple(fold(w) for w in key)].append(value)
    return Lexicon(
        accented={k: tuple(v) for k, v in accented.items()},
        folded={k: tuple(v) for k, v in folded.items()},
    )


@dataclass(frozen=True, slots=True)
class CorrectionsModel:
    """Term weights learned from operators' corrections: folded term → category → weight."""

    weights: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    corrections: int = 0

    def __bool__(self) -> bool:
        return bool(self.weights)


def terms(text: str) -> set[str]:
    """Folded single words and word pairs of a text, stopwords out: what corrections teach."""
    tokens = [fold(w) for w in words(lower(text))]
    singles = {t for t in tokens if t not in STOPWORDS and not t.isdigit() and len(t) > 1}
    pairs = {
        f"{a} {b}"
        for a, b in itertools.pairwise(tokens)
        if a not in STOPWORDS and b not in STOPWORDS
    }
    return singles | pairs


def learn(
    corrections: Iterable[tuple[str, str]], *, min_support: int = 2, weight: float = 1.5
) -> CorrectionsModel:
    """A model from (text, category chosen by the operator) pairs.

    A term counts for a category when at least `min_support` corrected items share it, with a
    weight growing with how consistently the operators chose that category for it.
    """
    by_term: dict[str, Counter[str]] = defaultdict(Counter)
    count = 0
    for text, category in corrections:
        count += 1
        for term in terms(text):
            by_term[term][category] += 1
    learned: dict[str, dict[str, float]] = {}
    for term, counts in by_term.items():
        total = sum(counts.values())
        category, support = counts.most_common(1)[0]
        if support >= min_support:
            learned[term] = {category: round(weight * support / total, 3)}
    return CorrectionsModel(weights=learned, corrections=count)


@dataclass(frozen=True, slots=True)
class Classification:
    category: str
    confidence: float
    hits: tuple[str, ...]
    scores: tuple[tuple[str, float], ...]  # best first
    reason: str


def classify(
    text: str,
    lexicon: Lexicon,
    *,
    corrections: CorrectionsModel | None = None,
    fallback: str = "other",
) -> Classification:
    """The category with the most weight of matched phrases; confidence from the margin."""
    lowered = lower(text)
    tokens = words(lowered)
    accented = has_marks(lowered)
    index = lexicon.accented if accented else lexicon.folded
    probe = tokens if accented else [fold(t) for t in tokens]
    score: dict[str, float] = defaultdict(float)
    hits: dict[str, list[str]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    # Longest match first, and the words it covers are used up: "đường dây điện" is
    # electricity, not also the road word "đường".
    i = 0
    while i < len(probe):
        step = 1
        for n in range(min(MAX_PHRASE_WORDS, len(probe) - i), 0, -1):
            entries = index.get(tuple(probe[i : i + n]))
            if not entries:
                continue
            step = n
            for category, phrase, weight in entries:
                # A neutral phrase only uses its words up; a phrase counts once however often.
                if category == NEUTRAL or (category, phrase) in seen:
                    continue
                seen.add((category, phrase))
                score[category] += weight
                hits[category].append(phrase)
            break
        i += step
    if corrections:
        for term in terms(text):
            for category, weight in corrections.weights.get(term, {}).items():
                score[category] += weight
                hits[category].append(f"learned:{term}")
    if not score:
        return Classification(fallback, 0.0, (), (), "no category keyword found")
    ranked = sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))
    best_code, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = round(min(CONFIDENCE_CAP, best / (best + runner_up + 0.5)), 3)
    shown = ", ".join(repr(h) for h in hits[best_code][:8])
    reason = f"category {best_code} from words {shown} (weight {best:g})"
    if len(ranked) > 1:
        reason += f"; next: {ranked[1][0]} with weight {runner_up:g}"
    return Classification(
        best_code,
        confidence,
        tuple(hits[best_code]),
        tuple((c, round(s, 3)) for c, s in ranked),
        reason,
    )


@cache
def _phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(words(lower(phrase)))


@lru_cache(maxsize=64)
def _searchable(text: str) -> tuple[bool, str]:
    """Whether the text has accents, and its words joined by spaces (folded if it has none);
    cached because one routing asks many rules about the same text."""
    lowered = lower(text)
    accented = has_marks(lowered)
    tokens = words(lowered) if accented else [fold(t) for t in words(lowered)]
    return accented, f" {' '.join(tokens)} "


@cache
def _probe(phrase: str, accented: bool) -> str:
    key = _phrase_key(phrase)
    if not key:
        return ""
    return f" {' '.join(key if accented else tuple(fold(w) for w in key))} "


def mentions_any(text: str, phrases: Iterable[str]) -> list[str]:
    """The phrases found in `text` as whole words (accent-aware, as in `classify`)."""
    accented, joined = _searchable(text)
    found = []
    for phrase in phrases:
        probe = _probe(phrase, accented)
        if probe and probe in joined:
            found.append(phrase)
    return found
