"""Adapter: the fitted routing model kept on disk, so a start loads it instead of training.

The file is named by a key that hashes everything the fit depends on: the labelled set's bytes,
the directory (the rules' signals are features), the source of the router package (the model's
code and the rules it stacks) and the versions of Python and the numerical libraries (a pickle is
only read back by the code that wrote it). Whatever `train` returns is kept as it is, so a change
of the model's internals needs nothing here: the key changes and the next start retrains.

The cache directory is trusted like the code (pickle): the image bakes it in at build time
(`python -m hoiam_router.model_cache DIR`), a developer's lives in `.local/cache`.
"""

import argparse
import hashlib
import logging
import os
import pickle
import platform
import sys
import tempfile
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from hoiam_router.directory_yaml import load_directory
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.learned import Predictor
from hoiam_router.labelled import DEFAULT_DATA, DataError, Petition, load_petitions
from hoiam_router.settings import RouterSettings

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
# A pickle holds references to these libraries' classes: another version may not read it.
LIBRARIES = ("numpy", "scipy", "scikit-learn", "threadpoolctl")
FORMAT = 1  # bumped when what is pickled around the model changes

Trainer = Callable[[Directory, Sequence[Petition]], Any]


def _default_trainer() -> Trainer:
    # Imported on use: scikit-learn is heavy, and a caller handing its own trainer needs none.
    from hoiam_router.model import train

    return train


def code_digest(package_dir: Path = PACKAGE_DIR) -> str:
    """A hash of every Python source of the package, by relative path: any edit retrains (safe
    and simple, where listing the modules the fit reads would go stale)."""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        digest.update(path.relative_to(package_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _versions() -> str:
    found = []
    for name in LIBRARIES:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=-")
    return ";".join([f"python={platform.python_version()}", *found])


def cache_key(data: bytes, directory: Directory, code: str) -> str:
    """The key of a fit: labelled bytes, directory, package source, library versions."""
    digest = hashlib.sha256()
    for part in (
        str(FORMAT).encode(),
        data,
        directory.model_dump_json().encode(),
        code.encode(),
        _versions().encode(),
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:24]


def cache_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"router-model-{key}.pkl"


def _read(path: Path, key: str) -> Predictor | None:
    """The model in `path`, or None when there is none; a file that cannot be read back as the
    model of this key is reported and ignored (it is overwritten by the retrained one)."""
    try:
        with path.open("rb") as file:
            stored = pickle.load(file)  # noqa: S301 - the cache is written by this code only
    except FileNotFoundError:
        return None
    except Exception as error:  # any damage to the file means: retrain
        log.warning("routing model cache %s unreadable, retraining: %r", path, error)
        return None
    if (
        not isinstance(stored, tuple)
        or len(stored) != 2
        or stored[0] != key
        or not callable(getattr(stored[1], "predict", None))
    ):
        log.warning("routing model cache %s is not the model of key %s, retraining", path, key)
        return None
    model: Predictor = stored[1]
    return model


def _write(path: Path, key: str, model: Predictor) -> None:
    """Atomically (a temporary file renamed over): a process killed mid-write leaves no half
    file, and two routers starting together each rename a whole one. A directory that cannot be
    written (a read-only image) only costs the next start a training."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        log.warning("routing model not cached in %s: %s", path.parent, error)
        return
    try:
        # mkstemp makes it private; the image's runtime user must read what the build wrote.
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as file:
            pickle.dump((key, model), file, protocol=pickle.HIGHEST_PROTOCOL)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except Exception as error:  # an unpicklable model or a full disk: go on
        log.warning("routing model not cached in %s: %r", path, error)
        Path(tmp).unlink(missing_ok=True)
        return
    _prune(path)


def _prune(kept: Path) -> None:
    """Remove the entries of other keys (each is megabytes, and a key that changed does not come
    back but by reverting): at worst a process of another version retrains."""
    for other in kept.parent.glob("router-model-*.pkl"):
        if other != kept:
            try:
                other.unlink(missing_ok=True)
            except OSError as error:
                log.warning("stale routing model %s not removed: %s", other, error)


def load_or_train(
    settings: RouterSettings,
    directory: Directory,
    *,
    trainer: Trainer | None = None,
    code: str | None = None,
) -> Predictor | None:
    """The fitted model: read from the cache when its key matches, else trained (and written
    there); None (rules only) when switched off or when the labelled set cannot be read."""
    if not settings.learned_model:
        return None
    data_path = settings.model_data_path or DEFAULT_DATA
    try:
        data = data_path.read_bytes()
    except OSError as error:
        log.warning("routing model not trained, rules only: %s", error)
        return None
    cache_dir = settings.model_cache_dir
    path = None
    key = ""
    if cache_dir is not None:
        # Keyed by the bytes: a hit never parses the labelled YAML (seconds on a busy machine).
        key = cache_key(data, directory, code if code is not None else code_digest())
        path = cache_path(cache_dir, key)
        cached = _read(path, key)
        if cached is not None:
            log.info("routing model loaded from %s", path)
            return cached
    try:
        petitions = load_petitions(data_path)
    except DataError as error:
        log.warning("routing model not trained, rules only: %s", error)
        return None
    model: Predictor = (trainer or _default_trainer())(directory, petitions)
    log.info("routing model trained on %d labelled petitions", getattr(model, "size", -1))
    if path is not None:
        _write(path, key, model)
    return model


def main(argv: list[str] | None = None) -> int:
    """Build the cache entry for the bundled (or configured) data and directory: the image runs
    this at build time, so its pods load the model instead of training it."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("cache_dir", type=Path, help="where router-model-<key>.pkl is written")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    settings = RouterSettings(model_cache_dir=args.cache_dir, learned_model=True)
    model = load_or_train(settings, load_directory(settings.directory_path))
    return 0 if model is not None else 1


if __name__ == "__main__":
    raise SystemExit(main())
