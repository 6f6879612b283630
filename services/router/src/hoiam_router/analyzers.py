"""Adapter: scikit-learn's word and char_wb n-gram analyzers, rewritten without scikit-learn.

A fitted vectorizer's `build_analyzer()` closes over the vectorizer, so a model that keeps it
imports scikit-learn (about 70 MB and seconds at start) only to split a text into n-grams. The
router predicts from the fitted arrays alone: `analyzer_of` gives a plain, picklable analyzer
that yields the same n-grams in the same order, for the settings it knows, and scikit-learn's
own analyzer for any other (so a new vectorizer option is never silently analysed differently).
tests/unit/router/test_analyzers.py compares the two on the labelled texts.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

# Defaults of scikit-learn's vectorizers (sklearn.feature_extraction.text), copied because the
# point is not to import it.
_WHITE_SPACES = re.compile(r"\s\s+")

Analyze = Callable[[str], list[str]]


@cache
def _pattern(token_pattern: str) -> re.Pattern[str]:
    return re.compile(token_pattern)


@dataclass(frozen=True, slots=True)
class NgramAnalyzer:
    """Text → n-grams, as CountVectorizer/TfidfVectorizer with these settings analyse it."""

    analyzer: Literal["word", "char_wb"]
    ngram_range: tuple[int, int]
    lowercase: bool
    token_pattern: str | None = None
    """Words: the regex whose matches are the tokens; None: split on white space."""

    def __call__(self, doc: str) -> list[str]:
        if self.lowercase:
            doc = doc.lower()
        if self.analyzer == "char_wb":
            return self._char_wb(doc)
        tokens = _pattern(self.token_pattern).findall(doc) if self.token_pattern else doc.split()
        return self._words(tokens)

    def _words(self, tokens: list[str]) -> list[str]:
        min_n, max_n = self.ngram_range
        if max_n == 1:
            return tokens
        grams = list(tokens) if min_n == 1 else []
        for n in range(max(min_n, 2), min(max_n + 1, len(tokens) + 1)):
            for i in range(len(tokens) - n + 1):
                grams.append(" ".join(tokens[i : i + n]))
        return grams

    def _char_wb(self, doc: str) -> list[str]:
        grams: list[str] = []
        for word in self.words(doc):
            grams.extend(self.word_grams(word))
        return grams

    def words(self, doc: str) -> list[str]:
        """char_wb: the words whose n-grams make the text's, in order (`doc` lower-cased
        already when `lowercase`); a caller may cache `word_grams` per word."""
        return _WHITE_SPACES.sub(" ", doc).split()

    def word_grams(self, word: str) -> list[str]:
        """char_wb: one word's n-grams, padded with a space each side, shortest first."""
        min_n, max_n = self.ngram_range
        w = f" {word} "
        grams: list[str] = []
        for n in range(min_n, max_n + 1):
            if len(w) <= n:  # a word no longer than n is counted once, as scikit-learn does
                grams.append(w)
                break
            grams.extend([w[i : i + n] for i in range(len(w) - n + 1)])
        return grams


def analyzer_of(vectorizer: Any) -> Analyze:
    """A scikit-learn-free analyzer equal to `vectorizer.build_analyzer()` when its settings
    are ones `NgramAnalyzer` reproduces; scikit-learn's own otherwise."""
    v = vectorizer
    plain = (
        v.input == "content"
        and v.preprocessor is None
        and v.strip_accents is None
        and v.stop_words is None
        and v.analyzer in ("word", "char_wb")
    )
    if plain and v.analyzer == "char_wb":
        return NgramAnalyzer("char_wb", tuple(v.ngram_range), bool(v.lowercase))
    if plain and v.tokenizer is None and _pattern(v.token_pattern).groups <= 1:
        return NgramAnalyzer("word", tuple(v.ngram_range), bool(v.lowercase), v.token_pattern)
    if plain and v.tokenizer is str.split:
        return NgramAnalyzer("word", tuple(v.ngram_range), bool(v.lowercase))
    built: Analyze = v.build_analyzer()
    return built
