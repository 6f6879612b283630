"""Repeat petitions (kiến nghị trùng lặp, issue 12): a new item against the published answers of
its place, by TF-IDF cosine on folded words and word pairs, with the terms that weighed most.

"The same place" is the same commune when the matter is the commune's, else the same province
(a provincial road, a utility's network): a commune's answer is not another commune's, but the
province's answer on road ĐT-746 answers every voter along it. Document frequencies are counted
over every published answer, so a word the whole archive uses (đường, nước) weighs less than the
name of the road; petition boilerplate (đề nghị, cử tri, quan tâm) never counts. The bar was
chosen on hand-judged real pairs (`make eval-repeats`; services/router/data/eval/repeats.yaml).
"""

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from uuid import UUID

from hoiam_router.domain.classify import STOPWORDS
from hoiam_router.domain.text import fold, lower, words

REPEAT_THRESHOLD = 0.35
"""Cosine at or above which a published answer is offered as the one the item repeats: chosen
on the judged pairs (docs/public.md has the curve)."""

OTHER_COMMUNE_MARGIN = 0.30
"""Added to the bar for an answer of the same province but another commune (a provincial matter
raised elsewhere): "electricity to the hamlets of commune A" is not "… of commune B" unless the
texts are nearly the same (the same road ĐT-746); measured like the bar."""

SHOWN_TERMS = 5
"""How many shared terms explain a match (the heaviest first)."""

# Words every petition uses whatever it asks for: they would make any two petitions similar.
_BOILERPLATE = frozenset(
    fold(word)
    for line in (
        "đề nghị kiến nghị cử tri phản ánh xem xét quan tâm sớm tạo điều kiện thuận lợi",
        "ngành chức năng cấp có thẩm quyền các cấp chỉ đạo giải quyết hỗ trợ đầu tư",
        "người dân nhân dân bà con địa phương khu vực hiện nay thời gian qua tình trạng gây",
        "ảnh hưởng đến ra vào lại rồi thêm hơn nữa cần nhằm đảm bảo bảo đảm thực hiện",
        "triển khai ubnd ủy ban uỷ ban tỉnh huyện xã phường thị trấn thành phố đồng thời hoặc",
    )
    for word in line.split()
)
_IGNORED = STOPWORDS | _BOILERPLATE
# "Cử tri quận Ninh Kiều đề nghị …": who speaks, not what they ask; every petition of the place
# starts so, and the place is compared apart.
_PREAMBLE = re.compile(r"^\W*cử tri\b[^.:;]{0,80}?\b(?:đề nghị|kiến nghị|phản ánh)\b")


@dataclass(frozen=True, slots=True)
class Terms:
    """The weighed terms of a text: folded words and word pairs with their counts, and for each
    the first form it had in the text (``đường``), to show an operator."""

    counts: Mapping[str, int]
    shown: Mapping[str, str]


def text_terms(text: str) -> Terms:
    """Folded content words (numbers kept: road ĐT-746, tổ 3) and adjacent pairs of them."""
    original = words(_PREAMBLE.sub("", lower(text), count=1))
    kept = [(fold(w), w) for w in original]
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    content = [(f, w) for f, w in kept if f not in _IGNORED and (len(f) > 1 or f.isdigit())]
    for f, w in content:
        counts[f] += 1
        shown.setdefault(f, w)
    # Pairs of neighbouring words of the text, both content words: "đường ĐT" "ĐT 746".
    for (fa, wa), (fb, wb) in itertools.pairwise(kept):
        if fa in _IGNORED or fb in _IGNORED:
            continue
        pair = f"{fa} {fb}"
        counts[pair] += 1
        shown.setdefault(pair, f"{wa} {wb}")
    return Terms(counts, shown)


@dataclass(frozen=True, slots=True)
class PublishedAnswer:
    """One entry of the archive, as the matcher needs it: where, and the words of its summary."""

    publication_id: str
    item_id: UUID
    tracking_code: str
    province: str | None
    commune: str | None
    summary: str
    terms: Terms


def published_answer(
    *,
    publication_id: str,
    item_id: UUID,
    tracking_code: str,
    province: str | None,
    commune: str | None,
    summary: str,
) -> PublishedAnswer:
    return PublishedAnswer(
        publication_id, item_id, tracking_code, province, commune, summary, text_terms(summary)
    )


@dataclass(frozen=True, slots=True)
class Repeat:
    """The answer an item repeats: how similar (cosine, 0..1), the bar, and why."""

    answer: PublishedAnswer
    score: float
    threshold: float
    shared_terms: tuple[str, ...]
    place: str


@dataclass(frozen=True, slots=True)
class Place:
    """Where a new item is, and whether its matter is the commune's (then only the commune's
    answers count) or a higher level's (then the province's)."""

    province: str | None
    commune: str | None
    commune_matter: bool


def _elsewhere(place: Place, answer: PublishedAnswer) -> bool:
    """Whether the answer is of another commune of the province than the item's."""
    return bool(place.commune and answer.commune and answer.commune != place.commune)


def bar(place: Place, answer: PublishedAnswer, threshold: float = REPEAT_THRESHOLD) -> float:
    """The cosine an answer must reach for the item at `place`: the threshold, or more for an
    answer of another commune."""
    return min(1.0, threshold + OTHER_COMMUNE_MARGIN) if _elsewhere(place, answer) else threshold


class AnswerIndex:
    """The published answers by province, kept in memory, with document frequencies over all.

    Built from the store at start and updated per `AnswerPublished`; a new item is compared only
    with the answers of its province (a few dozen), so matching costs microseconds per answer.
    """

    def __init__(self, answers: Iterable[PublishedAnswer] = ()) -> None:
        self._by_id: dict[str, PublishedAnswer] = {}
        self._by_province: dict[str, dict[str, PublishedAnswer]] = {}
        self._df: Counter[str] = Counter()
        # An answer's weights depend on the document frequencies, which change with every
        # answer put or removed: cached per answer and version, so a burst of new items
        # between two publications weighs each answer once.
        self._version = 0
        self._weights: dict[str, tuple[int, dict[str, float], float]] = {}
        for answer in answers:
            self.put(answer)

    def __len__(self) -> int:
        return len(self._by_id)

    def put(self, answer: PublishedAnswer) -> None:
        """Add the answer, or replace the one of the same publication (a re-approval)."""
        self.remove(answer.publication_id)
        self._by_id[answer.publication_id] = answer
        self._by_province.setdefault(answer.province or "", {})[answer.publication_id] = answer
        self._df.update(answer.terms.counts.keys())
        self._version += 1

    def remove(self, publication_id: str) -> None:
        """Take the answer out (withdrawn from the archive); unknown ids are ignored."""
        old = self._by_id.pop(publication_id, None)
        if old is None:
            return
        self._by_province.get(old.province or "", {}).pop(publication_id, None)
        self._weights.pop(publication_id, None)
        self._df.subtract(old.terms.counts.keys())
        self._version += 1

    def candidates(self, place: Place) -> list[PublishedAnswer]:
        """The answers of the item's place: its commune's, or its province's for a matter above
        the commune (or when its commune is not known)."""
        if place.province is None:
            return []
        answers = self._by_province.get(place.province, {}).values()
        if place.commune_matter and place.commune is not None:
            return [a for a in answers if a.commune == place.commune]
        return list(answers)

    def _idf(self, term: str) -> float:
        return math.log((1 + len(self._by_id)) / (1 + self._df[term])) + 1

    def _vector(self, terms: Terms) -> dict[str, float]:
        return {t: (1 + math.log(c)) * self._idf(t) for t, c in terms.counts.items()}

    def _answer_vector(self, answer: PublishedAnswer) -> tuple[dict[str, float], float]:
        cached = self._weights.get(answer.publication_id)
        if cached is not None and cached[0] == self._version:
            return cached[1], cached[2]
        vector = self._vector(answer.terms)
        norm = math.sqrt(sum(w * w for w in vector.values()))
        if answer.publication_id in self._by_id:
            self._weights[answer.publication_id] = (self._version, vector, norm)
        return vector, norm

    def _query(self, text: Terms) -> tuple[dict[str, float], float]:
        vector = self._vector(text)
        return vector, math.sqrt(sum(w * w for w in vector.values()))

    def _cosine(
        self, query: dict[str, float], q_norm: float, answer: PublishedAnswer
    ) -> tuple[float, dict[str, float]]:
        other, o_norm = self._answer_vector(answer)
        if not q_norm or not o_norm:
            return 0.0, {}
        shared = {t: w * other[t] for t, w in query.items() if t in other}
        return min(1.0, sum(shared.values()) / (q_norm * o_norm)), shared

    @staticmethod
    def _heaviest(text: Terms, shared: dict[str, float]) -> tuple[str, ...]:
        heaviest = sorted(shared, key=lambda t: (-shared[t], t))[:SHOWN_TERMS]
        return tuple(text.shown[t] for t in heaviest)

    def score(self, text: Terms, answer: PublishedAnswer) -> tuple[float, tuple[str, ...]]:
        """The cosine of the two texts and their shared terms, heaviest first (as in `text`)."""
        query, q_norm = self._query(text)
        cosine, shared = self._cosine(query, q_norm, answer)
        return cosine, self._heaviest(text, shared)

    def best(
        self, text: str, place: Place, *, threshold: float = REPEAT_THRESHOLD
    ) -> Repeat | None:
        """The most similar published answer of the item's place, if it passes `threshold`."""
        candidates = self.candidates(place)
        if not candidates:
            return None
        terms = text_terms(text)
        query, q_norm = self._query(terms)
        best: tuple[float, float, PublishedAnswer, dict[str, float], bool] | None = None
        for answer in candidates:
            elsewhere = _elsewhere(place, answer)
            needed = bar(place, answer, threshold)
            cosine, shared = self._cosine(query, q_norm, answer)
            if cosine >= needed and (best is None or cosine > best[0]):
                best = (cosine, needed, answer, shared, elsewhere)
        if best is None:
            return None
        cosine, needed, answer, shared, elsewhere = best
        where = place.province if elsewhere or not answer.commune else answer.commune
        return Repeat(answer, round(cosine, 4), needed, self._heaviest(terms, shared), where or "")
