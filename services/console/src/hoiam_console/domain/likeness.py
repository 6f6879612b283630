"""How alike two petitions are: a cosine similarity of their folded, weighted words, with the
words that weigh most in both (why they matched).

Vietnamese words are syllables, so pairs of neighbouring syllables ("tinh lo", "lo 307") count
as terms beside single ones: they tell "Tỉnh lộ 307" from "Quốc lộ 23" where the syllable "lộ"
alone cannot. Weights are tf-idf over the texts being compared (a session's items), so words
every petition uses ("đầu tư", "nâng cấp") weigh little and a road's name weighs much. The words
of the petitions' own formula (cử tri, đề nghị, kiến nghị, quan tâm…) are left out.
"""

import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_STOPWORDS = """
    cu tri de nghi kien nghi phan anh quan tam xem xet cac cap co tham quyen chinh quyen
    va cua cho la o tai tren trong den di voi nhu nay do da dang se duoc bi khi thi ma
    mot so nhung cac nhieu hien nay vi the can som tiep tuc dong thoi ngoai ra
    tinh xa phuong thon ap to khu vuc dia phuong nguoi dan nhan dan ve viec cung mong muon
"""
STOPWORDS = frozenset(_STOPWORDS.split())
"""Folded syllables that say nothing of the matter (the formula of a petition, the units)."""


def fold(text: str) -> str:
    """Lower case, no tone marks, đ → d: the same words however a typist marked them."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def terms(text: str) -> list[str]:
    """Syllables that are not stopwords, and pairs of neighbouring syllables of which at least
    one is not a stopword (a pair keeps "tinh lo 307" apart from "quoc lo 23")."""
    syllables = re.findall(r"[a-z0-9]+", fold(text))
    single = [s for s in syllables if (s not in STOPWORDS and len(s) > 1) or s.isdigit()]
    pairs = [
        f"{a} {b}"
        for a, b in itertools.pairwise(syllables)
        if not (a in STOPWORDS and b in STOPWORDS)
    ]
    return single + pairs


@dataclass(frozen=True, slots=True)
class Likeness:
    score: float
    shared: tuple[str, ...]


class Corpus:
    """The texts of one comparison: their weighted term vectors, built once."""

    def __init__(self, texts: Sequence[str]) -> None:
        counted = [Counter(terms(t)) for t in texts]
        df: Counter[str] = Counter()
        for c in counted:
            df.update(c.keys())
        n = len(texts)
        # Smoothed idf (as scikit-learn's): a term in every text still weighs 1, never 0.
        idf = {term: math.log((1 + n) / (1 + k)) + 1 for term, k in df.items()}
        self._vectors = [
            {term: (1 + math.log(k)) * idf[term] for term, k in c.items()} for c in counted
        ]
        self._norms = [math.sqrt(sum(w * w for w in v.values())) for v in self._vectors]

    def alike(self, threshold: float) -> list[tuple[int, int, float]]:
        """Every pair (i < j) whose cosine is at least `threshold`, with it: dot products summed
        term by term over the texts that share a term (pairs that share none cost nothing)."""
        postings: dict[str, list[tuple[int, float]]] = {}
        for k, vector in enumerate(self._vectors):
            norm = self._norms[k] or 1.0
            for term, weight in vector.items():
                postings.setdefault(term, []).append((k, weight / norm))
        dots: dict[tuple[int, int], float] = {}
        for posting in postings.values():
            for x, (i, wi) in enumerate(posting):
                for j, wj in posting[x + 1 :]:
                    dots[(i, j)] = dots.get((i, j), 0.0) + wi * wj
        return sorted((i, j, d) for (i, j), d in dots.items() if d >= threshold - 1e-9)

    def likeness(self, i: int, j: int) -> Likeness:
        """Cosine of texts `i` and `j`, and the terms they share, heaviest first (at most six)."""
        a, b = self._vectors[i], self._vectors[j]
        if not a or not b:
            return Likeness(0.0, ())
        common = sorted(set(a) & set(b), key=lambda t: (-(a[t] * b[t]), t))
        dot = sum(a[t] * b[t] for t in common)
        score = min(1.0, dot / (self._norms[i] * self._norms[j]))
        return Likeness(round(score, 3), tuple(common[:6]))
