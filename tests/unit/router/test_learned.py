"""The learned routing model beside the rules: reproducible training, decisions that explain
themselves, the rules' final say where the law is explicit, and learning from corrections."""

import pytest

from fakes import RouterWorld, router_world
from hoiam_router import domain
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.learned import BodyCorrection, Signals, remember
from hoiam_router.evaluation import prequential
from hoiam_router.labelled import Petition, load_petitions
from hoiam_router.model import Example, NgramModel, example_of, train
from hoiam_shared.events import Status
from support.samples import make_received

ROAD = "Đường liên thôn từ thôn Nà Mò đi thôn Khuổi Lếch xuống cấp, đề nghị đầu tư nâng cấp"
ROAD_AGAIN = "Đường liên thôn Nà Mò đi Khuổi Lếch xuống cấp nặng, đề nghị sớm nâng cấp"
PLACE = "xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"


@pytest.fixture(scope="module")
def model(directory: Directory) -> NgramModel:
    return train(directory, load_petitions())


def route(directory: Directory, text: str, **kwargs: object) -> domain.Routing:
    return domain.route_text(directory, text=text, address=PLACE, province_hint="86", **kwargs)  # type: ignore[arg-type]


def test_training_is_reproducible_and_leaves_held_out_items_out(directory: Directory) -> None:
    petitions = load_petitions()[:40]
    held = [p.model_copy(update={"heldout": True}) for p in petitions[:5]]
    first = train(directory, [*held, *petitions[5:]])
    again = train(directory, [*held, *petitions[5:]])
    signals = route(directory, ROAD).signals

    assert first.size == 35
    assert first.predict(ROAD, signals) == again.predict(ROAD, signals)


def test_a_decision_with_the_model_names_the_n_grams_that_weighed_most(
    directory: Directory, model: NgramModel
) -> None:
    routing = route(directory, ROAD, model=model)

    why = [r for r in routing.reasons if r.startswith("model: body")]
    assert why, routing.reasons
    assert "from '" in why[0]
    assert any(r.startswith("model: category") for r in routing.reasons)
    assert 0 <= routing.confidence <= 1


def test_the_rule_keeps_the_final_say_where_the_law_is_explicit(directory: Directory) -> None:
    # A model taught (wrongly) that kindergartens are the department's: Decree 142/2025 gives
    # them to the commune, and the rule says so whatever the model thinks.
    school = "Trường mầm non thôn 3 xuống cấp, đề nghị xây thêm phòng học cho các cháu"
    signals = route(directory, school).signals
    assert signals.rule_body == "ubnd-xa"
    wrong = Example(school, signals, "education", "so-gd-dt")
    other = Example("Mất điện kéo dài", route(directory, "Mất điện kéo dài").signals,
                    "electricity", "dien-luc")  # fmt: skip
    taught_wrong = NgramModel([wrong, wrong, other])

    routing = route(directory, school, model=taught_wrong, threshold=0.0)

    assert routing.body is not None
    assert routing.body.id == "29341-ubnd-xa"
    assert any("Decree 142/2025" in r for r in routing.reasons)


def test_a_correction_changes_the_next_similar_items_route(
    directory: Directory, model: NgramModel
) -> None:
    before = route(directory, ROAD_AGAIN, model=model, threshold=0.0)
    assert before.body is not None
    assert before.body.id == "29341-ubnd-xa"  # a local road: the commune's

    taught = remember(
        [BodyCorrection("reassignment", "86", before.category.code, "so-xay-dung", ROAD)]
    )
    after = route(directory, ROAD_AGAIN, model=model, memory=taught, threshold=0.0)
    unrelated = route(directory, "Mất điện thường xuyên vào buổi tối", model=model, memory=taught)

    assert after.body is not None
    assert after.body.id == "86-so-xay-dung"
    assert any(r.startswith("learned from 1 corrections") for r in after.reasons)
    assert unrelated.body is not None
    assert unrelated.body.id == "86-dien-luc"


def test_a_hand_back_lowers_the_body_for_similar_items(
    directory: Directory, model: NgramModel
) -> None:
    before = route(directory, ROAD_AGAIN, model=model, threshold=0.0)
    handed = remember([BodyCorrection("hand_back", "86", before.category.code, "ubnd-xa", ROAD)])
    after = route(directory, ROAD_AGAIN, model=model, memory=handed, threshold=0.0)

    assert after.confidence < before.confidence


async def test_reassignments_and_hand_backs_teach_the_router(
    directory: Directory, model: NgramModel
) -> None:
    world: RouterWorld = router_world(directory, model=model)
    first = await world.route(make_received(ROAD, address=PLACE))
    assert first.body is not None
    assert first.body.id == "29341-ubnd-xa"

    await world.ops.reassign(first.item_id, "86-so-xay-dung", reason="provincial works")
    later = await world.route(make_received(ROAD_AGAIN, address=PLACE))

    assert later.status is Status.ROUTED
    assert later.body is not None
    assert later.body.id == "86-so-xay-dung"
    kinds = [c.kind for c in await world.store.body_corrections()]
    await world.ops.hand_back(later.item_id, reason="not ours")
    assert [c.kind for c in await world.store.body_corrections()] == [*kinds, "hand_back"]


def test_signals_are_tokens_the_model_can_weigh() -> None:
    signals = Signals("transport", "local", "ubnd-xa", "transport/None/ubnd-xa", "known", 0.8)

    assert "rb=ubnd-xa" in signals.tokens()
    assert "lexconf=3" in signals.tokens()


def test_the_model_learns_from_the_rules_signals(directory: Directory) -> None:
    petition = Petition(
        id="x-1",
        source_url="https://x.example/1",
        province_code="86",
        text=ROAD,
        category="transport",
        level="commune",
        body_key="ubnd-xa",
        locality=PLACE,
    )
    example = example_of(directory, petition)

    assert example.signals.rule_body == "ubnd-xa"
    assert example.body_key == "ubnd-xa"


def test_with_the_model_a_commune_matter_of_an_unknown_commune_still_waits_for_the_commune(
    directory: Directory, model: NgramModel
) -> None:
    routing = domain.route_text(
        directory, text="Đường ấp bị ổ gà", address="tỉnh Trà Vinh", model=model, threshold=0.0
    )

    assert routing.triage
    assert routing.body is None
    assert routing.triage_reason == "commune_unknown"
    assert routing.candidates


def test_replaying_a_stream_with_corrections_beats_the_static_model(
    directory: Directory, model: NgramModel
) -> None:
    # The same matter again and again, answered by a body the rules do not pick: the static
    # model keeps missing it, the corrected one follows after the first correction.
    texts = [ROAD, ROAD_AGAIN, f"{ROAD} lần nữa", f"{ROAD_AGAIN}, đường hẹp", ROAD, ROAD_AGAIN]
    stream = [
        Petition(
            id=f"s-{i}",
            source_url=f"https://s.example/{i}",
            province_code="86",
            locality=PLACE,
            text=text,
            category="transport",
            level="province_department",
            body_key="so-xay-dung",
        )
        for i, text in enumerate(texts)
    ]

    result = prequential(directory, stream, lambda _: model, 0.0)

    assert result["last_half_static"] == 0.0
    assert result["last_half_learning"] > result["last_half_static"]
