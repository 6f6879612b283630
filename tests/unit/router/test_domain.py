"""Routing rules: folding, classifying, locating, routing with due dates, and the directory."""

import textwrap
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from hoiam_router.directory import Directory, load_directory, parse_directory
from hoiam_router.domain import (
    CONFIDENCE_THRESHOLD,
    add_working_days,
    classify,
    fold,
    locate,
    route,
)
from hoiam_shared.events import FeedbackReceived, Location, Status
from support.samples import make_received


@pytest.fixture(scope="module")
def directory() -> Directory:
    return load_directory()


# A two-province directory: no electricity body in 01 (so its committee decides), an abolished
# electricity body there, and an electricity body in 02 only.
SMALL = """
version: test
provinces:
  - {code: "01", name: Thành phố Hà Nội, aliases: [Hà Nội]}
  - {code: "02", name: Tỉnh Cao Bằng}
categories:
  - {code: transport, name: Giao thông, keywords: [đường, ổ gà]}
  - {code: electricity, name: Điện, keywords: [điện, mất điện]}
  - {code: other, name: Khác}
bodies:
  - {id: hn-ubnd, name: UBND Hà Nội, level: province_committee, provinces: ["01"],
     categories: [other], sla_working_days: 30}
  - {id: hn-so-xd, name: Sở Xây dựng Hà Nội, level: province_department, parent: hn-ubnd,
     provinces: ["01"], categories: [transport]}
  - {id: hn-dien-cu, name: Điện lực cũ, level: utility, provinces: ["01"],
     categories: [electricity], replaced_by: hn-ubnd}
  - {id: cb-dien, name: Điện lực Cao Bằng, level: utility, provinces: ["02"],
     categories: [electricity], sla_working_days: 10}
"""


def small() -> Directory:
    return parse_directory(SMALL)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đường", "duong"),
        ("ĐƯỜNG BỊ Ổ GÀ", "duong bi o ga"),
        ("Bình Dương", "binh duong"),
        ("mất điện", "mat dien"),
        ("no accents", "no accents"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Đường bị ổ gà rất nguy hiểm", "transport"),
        ("duong bi o ga rat nguy hiem", "transport"),  # typed without diacritics
        ("DUONG BI O GA", "transport"),
        ("Nhà tôi bị mất điện ba ngày nay", "electricity"),
        ("mat dien ba ngay nay", "electricity"),
        ("Rác thải bốc mùi hôi", "environment"),
        ("tranh chấp đất với hàng xóm", "land"),
        ("Cúp nước máy hai ngày, mất nước sinh hoạt", "water_supply"),
    ],
)
def test_classify(directory: Directory, text: str, category: str) -> None:
    found, confidence, reason = classify(directory, text)

    assert found.code == category
    assert confidence >= CONFIDENCE_THRESHOLD
    assert category in reason


def test_classify_explains_the_words_it_used(directory: Directory) -> None:
    _, confidence, reason = classify(directory, "mat dien")

    assert "'mất điện'" in reason
    assert "'điện'" in reason
    assert confidence == pytest.approx(3 / 3.5, abs=1e-3)  # weight 1 + 2, no runner-up


def test_an_accented_place_name_is_not_mistaken_for_the_road_word(directory: Directory) -> None:
    assert fold("Bình Dương") == "binh duong"  # folding would meet đường...

    category, confidence, reason = classify(directory, "Gia đình tôi ở Bình Dương")

    assert category.code == "other"  # ...so accented text is matched with its accents
    assert confidence == 0.0
    assert reason == "no category keyword found"


def test_a_keyword_inside_another_word_does_not_count(directory: Directory) -> None:
    # "xe" is a transport keyword; "xem" is not.
    category, _, _ = classify(directory, "Tôi muốn xem lại hồ sơ")
    assert category.code == "other"


def test_two_categories_with_equal_weight_give_low_confidence(directory: Directory) -> None:
    _, confidence, reason = classify(directory, "rác và đất")

    assert confidence < CONFIDENCE_THRESHOLD
    assert "next:" in reason


@pytest.mark.parametrize(
    ("address", "text", "where"),
    [
        ("ấp Chợ, xã Tiểu Cần, tỉnh Trà Vinh", "", "address"),
        ("ap Cho, xa Tieu Can, tinh Tra Vinh", "", "address"),
        (None, "Ở Bến Tre mất điện cả tuần", "text"),
        ("số 5 đường 3/2", "Phường 1, TP Vĩnh Long có ổ gà", "text"),
    ],
)
def test_locate_finds_the_merged_province_from_old_names(
    directory: Directory, address: str | None, text: str, where: str
) -> None:
    province, reason = locate(directory, address=address, text=text, fallback_code=None)

    assert province is not None
    assert province.code == "86"
    assert f"from the {where}" in reason


def test_locate_falls_back_to_the_receiving_channel_province(directory: Directory) -> None:
    province, reason = locate(directory, address=None, text="mất điện", fallback_code="86")

    assert province is not None
    assert province.code == "86"
    assert "fallback" in reason


@pytest.mark.parametrize("fallback", [None, "99"])
def test_locate_gives_none_when_nothing_names_a_known_province(
    directory: Directory, fallback: str | None
) -> None:
    province, reason = locate(directory, address="Quận 1", text="mất điện", fallback_code=fallback)

    assert province is None
    assert "no province" in reason


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday → Monday
        (date(2026, 11, 27), 10, date(2026, 12, 11)),
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # Saturday → Monday
        (date(2026, 11, 29), 5, date(2026, 12, 4)),  # Sunday → Friday
        (date(2026, 11, 30), 4, date(2026, 12, 4)),  # Monday → Friday
        (date(2026, 11, 30), 0, date(2026, 11, 30)),
    ],
)
def test_add_working_days_skips_weekends(start: date, days: int, due: date) -> None:
    assert add_working_days(start, days) == due


def test_an_electricity_item_goes_to_the_power_company_with_its_sla(directory: Directory) -> None:
    item = make_received(
        "Nhà tôi bị mất điện ba ngày nay.", address="ấp Chợ, xã Tiểu Cần, tỉnh Trà Vinh"
    )  # received Friday 27/11/2026

    decision = route(item, directory, fallback_province=None)

    assert decision.status is Status.ROUTED
    assert decision.body is not None
    assert decision.body.id == "vl-dien-luc"
    assert decision.category.code == "electricity"
    assert decision.due_on == date(2026, 12, 11)  # 10 working days, two weekends skipped
    assert any("Trà Vinh" in r for r in decision.reasons)
    assert any("vl-dien-luc" in r or "Điện lực" in r for r in decision.reasons)


def test_the_due_date_counts_from_the_day_of_receipt_in_vietnam(directory: Directory) -> None:
    # 20:00 UTC on Sunday is 03:00 on Monday in Việt Nam: the SLA starts on Monday.
    item = make_received("Nhà tôi bị mất điện.", address="tỉnh Trà Vinh").model_copy(
        update={"received_at": datetime(2026, 11, 29, 20, 0, tzinfo=UTC)}
    )

    decision = route(item, directory, fallback_province=None)

    assert decision.due_on == add_working_days(date(2026, 11, 30), 10) == date(2026, 12, 14)


def test_the_pothole_goes_to_the_construction_department(
    directory: Directory, pothole: FeedbackReceived
) -> None:
    decision = route(pothole, directory, fallback_province=None)

    assert decision.status is Status.ROUTED
    assert decision.body is not None
    assert decision.body.id == "vl-so-xay-dung"


@pytest.mark.parametrize(
    "text",
    [
        "Xin chào, tôi có một ý kiến muốn gửi.",  # no keyword at all
        "Rác và đất ở đầu hẻm.",  # two categories with equal weight
    ],
)
def test_an_uncertain_item_goes_to_triage_with_reasons(directory: Directory, text: str) -> None:
    item = make_received(text, address="tỉnh Trà Vinh")

    decision = route(item, directory, fallback_province=None)

    assert decision.status is Status.TRIAGE
    assert decision.body is None
    assert decision.due_on is None
    assert decision.confidence < CONFIDENCE_THRESHOLD
    assert "triage" in decision.reasons[-1]
    assert any("province" in r for r in decision.reasons)


def test_an_item_from_nowhere_goes_to_triage(directory: Directory) -> None:
    item = make_received("Nhà tôi bị mất điện.", address="Quận 1")

    decision = route(item, directory, fallback_province=None)

    assert decision.status is Status.TRIAGE
    assert decision.body is None
    assert decision.category.code == "electricity"
    assert decision.reasons[-1] == "no competent body: triage"


def test_the_item_province_hint_beats_the_service_fallback(directory: Directory) -> None:
    item = make_received("Nhà tôi bị mất điện.", address=None).model_copy(
        update={"location": Location(province_hint="86")}
    )

    decision = route(item, directory, fallback_province="99")

    assert decision.body is not None
    assert decision.body.id == "vl-dien-luc"


def test_a_category_nobody_handles_in_the_province_goes_to_its_committee() -> None:
    directory = small()
    item = make_received("Nhà tôi bị mất điện ba ngày nay.", address="Hà Nội")
    _, classified, _ = classify(directory, item.text.normalised)

    decision = route(item, directory, fallback_province=None)

    assert decision.status is Status.ROUTED
    assert decision.body is not None
    assert decision.body.id == "hn-ubnd"  # not the abolished body, not the other province's
    assert decision.confidence == pytest.approx(classified * 0.8, abs=1e-3)
    assert decision.confidence < classified
    assert any("province committee" in r for r in decision.reasons)
    assert decision.due_on == add_working_days(date(2026, 11, 27), 30)


def test_the_competent_body_of_another_province_is_used_there() -> None:
    item = make_received("Nhà tôi bị mất điện ba ngày nay.", address="Tỉnh Cao Bằng")

    decision = route(item, small(), fallback_province=None)

    assert decision.body is not None
    assert decision.body.id == "cb-dien"


def test_body_follows_replaced_by_to_the_successor(directory: Directory) -> None:
    assert directory.body("tv-so-gtvt").id == "vl-so-xay-dung"
    assert directory.body("vl-dien-luc").id == "vl-dien-luc"


def test_the_bundled_sample_directory_loads() -> None:
    directory = load_directory()

    assert "86" in {p.code for p in directory.provinces}
    assert "other" in {c.code for c in directory.categories}
    live = [b for b in directory.bodies if b.replaced_by is None]
    handled = {c for b in live for c in b.categories}
    assert handled == {c.code for c in directory.categories}  # every category has a body
    assert all(b.contacts for b in live)


def test_load_directory_reads_a_given_file(tmp_path: Path) -> None:
    path = tmp_path / "directory.yaml"
    path.write_text(SMALL, "utf-8")

    assert load_directory(path) == small()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("parent: hn-ubnd", "parent: hn-ubnd-cu"), "unknown body hn-ubnd-cu"),
        (("replaced_by: hn-ubnd", "replaced_by: nowhere"), "unknown body nowhere"),
        (("categories: [transport]", "categories: [transport, health]"), "unknown categories"),
        (('provinces: ["02"]', 'provinces: ["03"]'), "unknown provinces"),
        (("  - {code: other, name: Khác}\n", ""), "'other' category"),
        (("replaced_by: hn-ubnd", "replaced_by: hn-dien-cu"), "replaced_by"),  # itself
        (("sla_working_days: 10", "sla_working_days: 0"), "sla_working_days"),
        (('level: utility, provinces: ["02"]', 'level: ward, provinces: ["02"]'), "level"),
    ],
)
def test_the_directory_rejects_broken_references(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in SMALL
    with pytest.raises(ValidationError, match=message):
        parse_directory(SMALL.replace(old, new))


def test_the_directory_rejects_a_replacement_cycle() -> None:
    text = textwrap.dedent(
        """
        version: test
        provinces: [{code: "01", name: Hà Nội}]
        categories: [{code: other, name: Khác}]
        bodies:
          - {id: a, name: A, level: commune, replaced_by: b}
          - {id: b, name: B, level: commune, replaced_by: a}
        """
    )
    with pytest.raises(ValidationError, match="cycle"):
        parse_directory(text)


def test_a_directory_with_a_body_id_twice_is_rejected() -> None:
    sample = """
version: "t"
provinces: [{code: "86", name: Tỉnh Vĩnh Long}]
categories: [{code: other, name: Khác}]
bodies:
  - {id: a, name: A, level: utility, provinces: ["86"], categories: [other]}
  - {id: a, name: A again, level: utility, provinces: ["86"], categories: [other]}
"""
    with pytest.raises(ValueError, match="repeated: \\['a'\\]"):
        parse_directory(sample)
