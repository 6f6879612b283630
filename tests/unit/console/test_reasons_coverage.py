"""Every reason the router gives on its labelled set has a Vietnamese form in the console: a new
English reason in the router fails here until the console translates it."""

import pytest

from hoiam_console.domain.reasons import in_vietnamese
from hoiam_router import domain
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.learned import BodyCorrection, remember
from hoiam_router.labelled import Petition, load_petitions
from hoiam_router.model import NgramModel, train
from support.router import bundled_directory


@pytest.fixture(scope="module")
def directory() -> Directory:
    return bundled_directory()


@pytest.fixture(scope="module")
def petitions() -> list[Petition]:
    return load_petitions()


@pytest.fixture(scope="module")
def model(directory: Directory, petitions: list[Petition]) -> NgramModel:
    return train(directory, petitions)


def _route(directory: Directory, petition: Petition, **kwargs: object) -> domain.Routing:
    return domain.route_text(
        directory,
        text=petition.text,
        address=petition.locality,
        province_hint=petition.province_code,
        **kwargs,  # type: ignore[arg-type]
    )


def test_every_reason_on_the_labelled_set_is_recognised(
    directory: Directory, petitions: list[Petition], model: NgramModel
) -> None:
    # What operators would have taught: each item's labelled body, and a hand-back of the
    # commune for every other item, so that the corrections' reasons appear too.
    taught = remember(
        [
            BodyCorrection(
                "hand_back" if i % 2 else "reassignment",
                p.province_code,
                p.category,
                "ubnd-xa" if i % 2 else p.body_key,
                p.text,
            )
            for i, p in enumerate(petitions)
        ]
    )
    seen: set[str] = set()
    for petition in petitions:
        for kwargs in ({}, {"model": model}, {"model": model, "memory": taught}):
            seen.update(_route(directory, petition, **kwargs).reasons)
            seen.update(
                _route(directory, petition, ask_commune=False, threshold=0.99, **kwargs).reasons
            )
    unknown = sorted(r for r in seen if in_vietnamese(r) is None)
    assert unknown == []
    # The set exercises the router's main kinds of reasons (so the check above is not empty).
    for start in ("category ", "scope ", "model: body ", "learned from ", "province "):
        assert any(r.startswith(start) for r in seen), start
