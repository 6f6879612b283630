"""Adapter: the learned routing model (scikit-learn), trained reproducibly from the labelled set.

Features: word 1–2-grams and character 2–5-grams (within words) of the folded text (accents
removed: petitions are typed both ways), TF-IDF weighted, plus the rules' signals (the lexicon's
category, the scope, the rule that fired and its body: stacking, so the model learns when the
rules are right). Three multinomial logistic regressions: category, body key and level (the
level head is shown in the reasons; the routed level is the chosen body's). Trained from the
committed YAML with a fixed seed (`SEED`), kept on disk only under a key of that data, the
directory and this code (`hoiam_router.model_cache`), so it cannot drift from them. Predicting
uses the fitted arrays and never imports scikit-learn. The domain gets it as a `Predictor`.
"""

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hoiam_router import domain
from hoiam_router.analyzers import NgramAnalyzer, analyzer_of
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.learned import Prediction, Signals
from hoiam_router.domain.text import fold, lower
from hoiam_router.labelled import DEFAULT_DATA, DataError, Petition, load_petitions
from hoiam_router.settings import RouterSettings

log = logging.getLogger(__name__)

SEED = 14
C = 4.0  # inverse regularisation; the CV curve in docs/router.md was made with this value
SIGNAL_WEIGHT = 1.0
TOP_TERMS = 4
WORD_CACHE = 50_000  # distinct words whose n-gram ids a model keeps (at most ~15 MB)


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled item as the model learns it: the text, the rules' signals, the labels."""

    text: str
    signals: Signals
    category: str
    body_key: str
    level: str = ""


def folded(text: str) -> str:
    return fold(lower(text))


class _Head:
    """One classifier (category or body key); a head with one class in training answers it.
    Its coefficients are kept feature-major, so a prediction gathers only the rows it needs."""

    def __init__(self, features: Any, labels: list[str]) -> None:
        self.classes = sorted(set(labels))
        self.weights: np.ndarray | None = None
        self.intercept = np.zeros(1)
        if len(self.classes) > 1:
            from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

            clf = LogisticRegression(C=C, max_iter=2000, random_state=SEED)
            clf.fit(features, labels)
            self.classes = [str(c) for c in clf.classes_]
            coef = np.asarray(clf.coef_)
            intercept = np.asarray(clf.intercept_)
            if len(self.classes) == 2:  # binary: one row of coefficients, for classes[1]
                coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([0.0, intercept[0]])
            self.weights = np.ascontiguousarray(coef.T)
            self.intercept = intercept

    def probabilities(self, cols: np.ndarray, vals: np.ndarray) -> np.ndarray:
        if self.weights is None:
            return np.ones(1)
        scores = vals @ self.weights[cols] + self.intercept
        scores = np.exp(scores - scores.max())
        result: np.ndarray = scores / scores.sum()
        return result

    def top_terms(
        self, cols: np.ndarray, vals: np.ndarray, index: int, names: np.ndarray
    ) -> tuple[str, ...]:
        if self.weights is None:
            return ()
        contributions = vals * self.weights[cols, index]
        order = np.argsort(-contributions)[:TOP_TERMS]
        return tuple(str(names[cols[i]]) for i in order if contributions[i] > 0)


class _Block:
    """One fitted vectorizer, applied to one text without building a sparse matrix (the
    per-call overhead of scikit-learn's transform was most of the routing time)."""

    def __init__(self, vectorizer: Any, offset: int, *, tfidf: bool) -> None:
        # Not build_analyzer(): it holds the vectorizer, and a model read back from the cache
        # would import scikit-learn (70 MB) only to split texts (hoiam_router.analyzers).
        self._analyze = analyzer_of(vectorizer)
        self._vocabulary: dict[str, int] = vectorizer.vocabulary_
        self._idf = np.asarray(vectorizer.idf_) if tfidf else None
        self.offset = offset
        self._word_ids: dict[str, tuple[int, ...]] = {}

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(self._ids(text))
        if not counts:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        cols = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        vals = np.fromiter(counts.values(), dtype=float, count=len(counts))
        if self._idf is None:
            return cols + self.offset, np.ones_like(vals) * SIGNAL_WEIGHT
        vals = (1.0 + np.log(vals)) * self._idf[cols]  # sublinear tf × idf, then l2
        return cols + self.offset, vals / np.linalg.norm(vals)

    def _ids(self, text: str) -> list[int]:
        """The vocabulary ids of the text's n-grams, in the analyzer's order."""
        vocabulary, analyze = self._vocabulary, self._analyze
        if not (isinstance(analyze, NgramAnalyzer) and analyze.analyzer == "char_wb"):
            return [vocabulary[t] for t in analyze(text) if t in vocabulary]
        # Character n-grams never cross a word, and the words (syllables, mostly) of petitions
        # repeat: each word's ids are worked out once. Splitting every word into its 2- to
        # 5-grams was most of the routing time.
        if analyze.lowercase:
            text = text.lower()
        cache = self._word_ids
        ids: list[int] = []
        for word in analyze.words(text):
            known = cache.get(word)
            if known is None:
                known = tuple(vocabulary[g] for g in analyze.word_grams(word) if g in vocabulary)
                if len(cache) < WORD_CACHE:  # bounded: a flood of odd words cannot grow it
                    cache[word] = known
            ids.extend(known)
        return ids


class NgramModel:
    """The trained model: a `Predictor` for the pure routing."""

    def __init__(self, examples: Sequence[Example]) -> None:
        if not examples:
            raise ValueError("no labelled examples to train on")
        # Imported for training only: predicting needs the fitted arrays, not the libraries.
        from scipy import sparse  # type: ignore[import-untyped]
        from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]
            CountVectorizer,
            TfidfVectorizer,
        )
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

        texts = [folded(e.text) for e in examples]
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        signals = CountVectorizer(
            tokenizer=str.split, token_pattern=None, lowercase=False, binary=True
        )
        blocks = [
            words.fit_transform(texts),
            chars.fit_transform(texts),
            SIGNAL_WEIGHT * signals.fit_transform([" ".join(e.signals.tokens()) for e in examples]),
        ]
        features = sparse.hstack(blocks, format="csr")
        self._names = np.concatenate(
            [
                words.get_feature_names_out(),
                [f"~{c}~" for c in chars.get_feature_names_out()],
                signals.get_feature_names_out(),
            ]
        )
        self._words = _Block(words, 0, tfidf=True)
        self._chars = _Block(chars, blocks[0].shape[1], tfidf=True)
        self._signals = _Block(signals, blocks[0].shape[1] + blocks[1].shape[1], tfidf=False)
        # One BLAS thread: on a small problem more threads only fight (3× slower measured on
        # the shared 2-core machine).
        with threadpool_limits(limits=1):
            self._category = _Head(features, [e.category for e in examples])
            self._body = _Head(features, [e.body_key for e in examples])
            self._level = _Head(features, [e.level for e in examples])
        self.size = len(examples)

    def predict(self, text: str, signals: Signals) -> Prediction:
        t = folded(text)
        parts = [
            self._words.features(t),
            self._chars.features(t),
            self._signals.features(" ".join(signals.tokens())),
        ]
        cols = np.concatenate([c for c, _ in parts])
        vals = np.concatenate([v for _, v in parts])
        result: list[tuple[tuple[tuple[str, float], ...], tuple[str, ...]]] = []
        for head in (self._category, self._body, self._level):
            probs = head.probabilities(cols, vals)
            order = np.argsort(-probs)
            ranked = tuple((head.classes[i], round(float(probs[i]), 4)) for i in order)
            result.append((ranked, head.top_terms(cols, vals, int(order[0]), self._names)))
        (categories, category_terms), (bodies, body_terms), (levels, _) = result
        return Prediction(categories, bodies, category_terms, body_terms, levels)


def example_of(directory: Directory, petition: Petition) -> Example:
    """The item as the model learns it: the rules route it first (rules only), for the signals."""
    routing = domain.route_text(
        directory,
        text=petition.text,
        address=petition.locality,
        province_hint=petition.province_code,
    )
    return Example(
        petition.text, routing.signals, petition.category, petition.body_key, petition.level
    )


def train(directory: Directory, petitions: Sequence[Petition]) -> NgramModel:
    """The model from the labelled items that are not held out (held-out items only measure)."""
    return NgramModel([example_of(directory, p) for p in petitions if not p.heldout])


def load_model(settings: RouterSettings, directory: Directory) -> NgramModel | None:
    """The model trained at start from the labelled set (reproducible: fixed seed, committed
    data), or None (rules only) when switched off or when the set cannot be read."""
    if not settings.learned_model:
        return None
    try:
        petitions = load_petitions(settings.model_data_path or DEFAULT_DATA)
    except DataError as error:
        log.warning("routing model not trained, rules only: %s", error)
        return None
    model = train(directory, petitions)
    log.info("routing model trained on %d labelled petitions", model.size)
    return model
