"""The scikit-learn-free analyzers split every labelled text into exactly scikit-learn's
n-grams, and a model read back from the cache predicts without importing scikit-learn."""

import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]
    CountVectorizer,
    TfidfVectorizer,
)

from hoiam_router.analyzers import NgramAnalyzer, analyzer_of
from hoiam_router.domain.directory import Directory
from hoiam_router.labelled import DEFAULT_DATA, load_petitions
from hoiam_router.model import folded
from hoiam_router.model_cache import load_or_train
from hoiam_router.settings import RouterSettings

FIXTURE = Path(__file__).parent / "fixtures/petitions.yaml"
ODD = ["", "   ", "a", "ab  cd\t\nef", "Đường  QL-53, ấp 3!!", "x" * 300, "đ ư ơ 1 22 333"]


def texts() -> list[str]:
    raw = [p.text for p in load_petitions(DEFAULT_DATA)] + ODD
    return raw + [folded(t) for t in raw]


@pytest.mark.parametrize(
    "vectorizer",
    [
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        CountVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False, binary=True),
        CountVectorizer(ngram_range=(2, 3), lowercase=False),
        CountVectorizer(analyzer="char_wb", ngram_range=(1, 1)),
        CountVectorizer(tokenizer=str.split, token_pattern=None, ngram_range=(1, 3)),
    ],
    ids=["words", "chars", "signals", "bigrams-cased", "char-unigrams", "split-trigrams"],
)
def test_the_analyzers_give_scikit_learns_ngrams_in_its_order(vectorizer: object) -> None:
    ours = analyzer_of(vectorizer)
    theirs = vectorizer.build_analyzer()  # type: ignore[attr-defined]

    assert isinstance(ours, NgramAnalyzer)
    for text in texts():
        assert ours(text) == theirs(text), text


def test_settings_it_does_not_reproduce_keep_scikit_learns_analyzer() -> None:
    vectorizer = CountVectorizer(strip_accents="unicode")

    analyze = analyzer_of(vectorizer)

    assert not isinstance(analyze, NgramAnalyzer)
    assert analyze("Đường xá") == vectorizer.build_analyzer()("Đường xá")


def test_a_cached_model_predicts_without_importing_scikit_learn(
    tmp_path: Path, directory: Directory
) -> None:
    settings = RouterSettings(model_cache_dir=tmp_path, model_data_path=FIXTURE)
    assert load_or_train(settings, directory) is not None
    (cached,) = tmp_path.glob("router-model-*.pkl")
    script = (
        "import pickle, sys\n"
        "from hoiam_router.domain.learned import Signals\n"
        f"key, model = pickle.loads(open({str(cached)!r}, 'rb').read())\n"
        "signals = Signals('land', 'commune', None, None, 'none', 0.5)\n"
        "assert model.predict('Đường ngập nước', signals).bodies\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'threadpoolctl')))\n"
    )

    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )

    assert done.stdout.strip() == "[]"


def test_the_word_cache_gives_the_analyzers_ids_first_time_and_again() -> None:
    """A model's char block looks each word's n-gram ids up once: the ids (and their order,
    which the sums follow) are the plain analyzer's, on a first call and on a cached one."""
    from hoiam_router.model import _Block

    corpus = texts()
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    chars.fit(corpus[:200])
    block = _Block(chars, 0, tfidf=True)
    plain = chars.build_analyzer()
    vocabulary = chars.vocabulary_
    for text in corpus[:300] + corpus[:300]:
        assert block._ids(text) == [vocabulary[g] for g in plain(text) if g in vocabulary]
    assert block._word_ids  # the second pass was served from the cache
