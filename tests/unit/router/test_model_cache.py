"""The fitted model's cache: a second start loads instead of training, a changed key or a
damaged file retrains, and the real model read back predicts exactly as the one trained."""

import logging
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from hoiam_router import domain
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.learned import Prediction, Signals
from hoiam_router.labelled import Petition, load_petitions
from hoiam_router.model import train
from hoiam_router.model_cache import cache_key, code_digest, load_or_train
from hoiam_router.settings import RouterSettings

FIXTURE = Path(__file__).parent / "fixtures/petitions.yaml"


@dataclass(frozen=True)
class FakeModel:
    """Picklable stand-in for a fitted model: which training made it."""

    trained: int

    def predict(self, text: str, signals: Signals) -> Prediction:
        return Prediction(categories=(("land", 1.0),), bodies=(("ubnd-xa", 1.0),))


class CountingTrainer:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, directory: Directory, petitions: Sequence[Petition]) -> FakeModel:
        self.calls += 1
        return FakeModel(self.calls)


def settings(cache: Path | None, data: Path = FIXTURE) -> RouterSettings:
    return RouterSettings(model_cache_dir=cache, model_data_path=data, learned_model=True)


def test_a_second_start_loads_the_model_instead_of_training(
    tmp_path: Path, directory: Directory
) -> None:
    trainer = CountingTrainer()

    first = load_or_train(settings(tmp_path), directory, trainer=trainer, code="v1")
    second = load_or_train(settings(tmp_path), directory, trainer=trainer, code="v1")

    assert trainer.calls == 1
    assert first == second == FakeModel(1)
    assert len(list(tmp_path.glob("router-model-*.pkl"))) == 1
    assert not list(tmp_path.glob(".*.tmp")), "the temporary file was renamed, not left"


def test_changed_code_or_data_retrains_under_a_new_key(
    tmp_path: Path, directory: Directory
) -> None:
    trainer = CountingTrainer()
    data = tmp_path / "petitions.yaml"
    data.write_bytes(FIXTURE.read_bytes())
    cache = tmp_path / "cache"

    load_or_train(settings(cache, data), directory, trainer=trainer, code="v1")
    load_or_train(settings(cache, data), directory, trainer=trainer, code="v2")
    data.write_bytes(FIXTURE.read_bytes() + b"\n# one more line\n")
    model = load_or_train(settings(cache, data), directory, trainer=trainer, code="v2")

    assert trainer.calls == 3
    assert model == FakeModel(3)
    # Only the entry of the current key is kept: the stale ones were removed.
    assert len(list(cache.glob("router-model-*.pkl"))) == 1


def test_the_key_follows_the_directory(directory: Directory) -> None:
    data = FIXTURE.read_bytes()
    renamed = directory.model_copy(update={"version": directory.version + "-changed"})

    assert cache_key(data, directory, "v1") == cache_key(data, directory, "v1")
    assert cache_key(data, directory, "v1") != cache_key(data, renamed, "v1")


def test_the_code_digest_changes_with_any_source_file(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text("A = 1\n")
    before = code_digest(tmp_path)
    (tmp_path / "model.py").write_text("A = 2\n")

    assert code_digest(tmp_path) != before


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a pickle at all", pickle.dumps(("another-key", FakeModel(99))), pickle.dumps(42)],
    ids=["empty", "garbage", "other-key", "not-a-model"],
)
def test_a_damaged_cache_file_is_retrained_with_a_warning(
    tmp_path: Path, directory: Directory, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    trainer = CountingTrainer()
    load_or_train(settings(tmp_path), directory, trainer=trainer, code="v1")
    (path,) = tmp_path.glob("router-model-*.pkl")
    path.write_bytes(damage)

    with caplog.at_level(logging.WARNING, logger="hoiam_router.model_cache"):
        model = load_or_train(settings(tmp_path), directory, trainer=trainer, code="v1")

    assert model == FakeModel(2)
    assert "retraining" in caplog.text
    # The retrained model replaced the damaged file: the next start loads it.
    assert load_or_train(settings(tmp_path), directory, trainer=trainer, code="v1") == model
    assert trainer.calls == 2


def test_an_unwritable_cache_only_costs_a_training(
    tmp_path: Path, directory: Directory, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the directory should be")
    trainer = CountingTrainer()

    with caplog.at_level(logging.WARNING, logger="hoiam_router.model_cache"):
        model = load_or_train(settings(blocker / "cache"), directory, trainer=trainer, code="v1")

    assert model == FakeModel(1)
    assert "not cached" in caplog.text


def test_without_a_cache_directory_every_start_trains(directory: Directory) -> None:
    trainer = CountingTrainer()

    load_or_train(settings(None), directory, trainer=trainer)
    load_or_train(settings(None), directory, trainer=trainer)

    assert trainer.calls == 2


def test_rules_only_when_switched_off_or_without_data(tmp_path: Path, directory: Directory) -> None:
    trainer = CountingTrainer()
    off = RouterSettings(model_cache_dir=tmp_path, learned_model=False)

    assert load_or_train(off, directory, trainer=trainer) is None
    missing = settings(tmp_path, tmp_path / "none.yaml")
    assert load_or_train(missing, directory, trainer=trainer) is None
    assert trainer.calls == 0


def test_the_real_model_read_back_predicts_exactly_as_trained(
    tmp_path: Path, directory: Directory
) -> None:
    trained = load_or_train(settings(tmp_path), directory, trainer=train)
    loaded = load_or_train(settings(tmp_path), directory, trainer=CountingTrainer())

    assert trained is not None
    assert loaded is not None
    assert not isinstance(loaded, FakeModel), "the cached model was loaded, not retrained"
    for petition in load_petitions(FIXTURE):
        signals = domain.route_text(
            directory, text=petition.text, address=petition.locality
        ).signals
        assert loaded.predict(petition.text, signals) == trained.predict(petition.text, signals)
