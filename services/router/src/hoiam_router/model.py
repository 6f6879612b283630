"""Adapter: the learned routing model (scikit-learn), trained reproducibly from the labelled set.

Features: word 1–2-grams and character 2–5-grams (within words) of the folded text (accents
removed: petitions are typed both ways), TF-IDF weighted, plus the rules' signals (the lexicon's
category, the scope, the rule that fired and its body: stacking, so the model learns when the
rules are right). Two multinomial logistic regressions: category and body key (the level is the
body's). Trained at start from the committed YAML with a fixed seed (`SEED`); no artifact is
stored, so the model cannot drift from the data. The domain gets it as a `Predictor`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]
    CountVectorizer,
    TfidfVectorizer,
)
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from hoiam_router import domain
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.learned import Prediction, Signals
from hoiam_router.domain.text import fold, lower
from hoiam_router.labelled import Petition

SEED = 14
C = 4.0  # inverse regularisation; the CV curve in docs/router.md was made with this value
SIGNAL_WEIGHT = 1.0
TOP_TERMS = 4


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled item as the model learns it: the text, the rules' signals, the labels."""

    text: str
    signals: Signals
    category: str
    body_key: str


def folded(text: str) -> str:
    return fold(lower(text))


class _Head:
    """One classifier (category or body key); a head with one class in training answers it."""

    def __init__(self, features: Any, labels: list[str]) -> None:
        self.classes = sorted(set(labels))
        self._clf: Any = None
        if len(self.classes) > 1:
            self._clf = LogisticRegression(C=C, max_iter=2000, random_state=SEED)
            self._clf.fit(features, labels)
            self.classes = [str(c) for c in self._clf.classes_]
            self.coef = np.asarray(self._clf.coef_)
            self.intercept = np.asarray(self._clf.intercept_)

    def probabilities(self, row: Any) -> np.ndarray:
        if self._clf is None:
            return np.ones(1)
        scores = np.asarray(row @ self.coef.T).ravel() + self.intercept
        if len(self.classes) == 2:  # binary: one row of coefficients, for classes[1]
            p1 = 1.0 / (1.0 + np.exp(-scores[0]))
            return np.array([1.0 - p1, p1])
        scores = np.exp(scores - scores.max())
        result: np.ndarray = scores / scores.sum()
        return result

    def top_terms(self, row: Any, index: int, names: np.ndarray) -> tuple[str, ...]:
        if self._clf is None:
            return ()
        coef = self.coef[0] * (1 if index == 1 else -1) if len(self.classes) == 2 else None
        weights = coef if coef is not None else self.coef[index]
        cols = row.indices
        contributions = row.data * weights[cols]
        order = np.argsort(-contributions)[:TOP_TERMS]
        return tuple(str(names[cols[i]]) for i in order if contributions[i] > 0)


class NgramModel:
    """The trained model: a `Predictor` for the pure routing."""

    def __init__(self, examples: Sequence[Example]) -> None:
        if not examples:
            raise ValueError("no labelled examples to train on")
        texts = [folded(e.text) for e in examples]
        self._words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        self._signals = CountVectorizer(
            tokenizer=str.split, token_pattern=None, lowercase=False, binary=True
        )
        features = sparse.hstack(
            [
                self._words.fit_transform(texts),
                self._chars.fit_transform(texts),
                SIGNAL_WEIGHT
                * self._signals.fit_transform([" ".join(e.signals.tokens()) for e in examples]),
            ],
            format="csr",
        )
        self._names = np.concatenate(
            [
                self._words.get_feature_names_out(),
                [f"~{c}~" for c in self._chars.get_feature_names_out()],
                self._signals.get_feature_names_out(),
            ]
        )
        self._category = _Head(features, [e.category for e in examples])
        self._body = _Head(features, [e.body_key for e in examples])
        self.size = len(examples)

    def _features(self, text: str, signals: Signals) -> Any:
        t = [folded(text)]
        return sparse.hstack(
            [
                self._words.transform(t),
                self._chars.transform(t),
                SIGNAL_WEIGHT * self._signals.transform([" ".join(signals.tokens())]),
            ],
            format="csr",
        )

    def predict(self, text: str, signals: Signals) -> Prediction:
        row = self._features(text, signals)
        result: list[tuple[tuple[tuple[str, float], ...], tuple[str, ...]]] = []
        for head in (self._category, self._body):
            probs = head.probabilities(row)
            order = np.argsort(-probs)
            ranked = tuple((head.classes[i], round(float(probs[i]), 4)) for i in order)
            result.append((ranked, head.top_terms(row, int(order[0]), self._names)))
        (categories, category_terms), (bodies, body_terms) = result
        return Prediction(categories, bodies, category_terms, body_terms)


def example_of(directory: Directory, petition: Petition) -> Example:
    """The item as the model learns it: the rules route it first (rules only), for the signals."""
    routing = domain.route_text(
        directory,
        text=petition.text,
        address=petition.locality,
        province_hint=petition.province_code,
    )
    return Example(petition.text, routing.signals, petition.category, petition.body_key)


def train(directory: Directory, petitions: Sequence[Petition]) -> NgramModel:
    """The model from the labelled items that are not held out (held-out items only measure)."""
    return NgramModel([example_of(directory, p) for p in petitions if not p.heldout])
