"""The generated directory: every province and commune, the 2025 departments, abolished bodies."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from hoiam_router.directory import Directory, load_config, load_directory


@pytest.fixture(scope="module")
def directory() -> Directory:
    return load_directory()


def test_every_province_and_commune_has_its_committee(directory: Directory) -> None:
    assert len(directory.provinces) == 34
    communes = [b for b in directory.bodies if b.key == "ubnd-xa"]
    assert len(communes) == 3321
    assert all(b.parent and b.parent.endswith("-ubnd-tinh") for b in communes)
    committees = {b.id for b in directory.bodies if b.level == "province_committee"}
    assert {f"{p.code}-ubnd-tinh" for p in directory.provinces} <= committees


def test_every_province_has_the_departments_of_decree_45(directory: Directory) -> None:
    keys = {
        "van-phong-ubnd", "so-noi-vu", "so-tu-phap", "so-tai-chinh", "so-cong-thuong",
        "so-nn-mt", "so-xay-dung", "so-khcn", "so-gd-dt", "so-y-te", "so-vhttdl", "thanh-tra",
        "so-dan-toc-ton-giao", "cong-an", "thue", "bhxh", "dien-luc", "cap-nuoc", "doan-dbqh",
    }  # fmt: skip
    for province in directory.provinces:
        for key in keys:
            body = directory.live_body(province=province.code, key=key)
            assert body is not None, (province.code, key)
            assert body.id == f"{province.code}-{key}"
            assert body.contacts


def test_abolished_bodies_point_at_their_successor(directory: Directory) -> None:
    assert directory.body("86-so-gtvt").id == "86-so-xay-dung"
    assert directory.body("86-so-tn-mt").id == "86-so-nn-mt"
    assert directory.body("86-so-ldtbxh").id == "86-so-noi-vu"
    assert directory.body("old-84-ubnd-tinh").id == "86-ubnd-tinh"  # Trà Vinh
    assert directory.body("old-83-ubnd-tinh").id == "86-ubnd-tinh"  # Bến Tre
    assert directory.body("old-74-ubnd-tinh").id == "79-ubnd-tinh"  # Bình Dương
    district = next(
        b for b in directory.bodies if b.name.startswith("Ủy ban nhân dân huyện Tiểu Cần")
    )
    assert directory.body(district.id).id == "86-ubnd-tinh"


def test_generated_contacts_use_the_reserved_domain_unless_overridden(
    directory: Directory,
) -> None:
    assert directory.body("86-dien-luc").contacts[0].address == "cskh@dienluc-vinhlong.example"
    assert directory.body("92-so-y-te").contacts[0].address.endswith(".hoiam.example")


def test_the_councillor_sample_is_marked_illustrative(directory: Directory) -> None:
    assert directory.councillors
    assert all(c.illustrative and c.communes for c in directory.councillors)


def test_a_configuration_with_an_unknown_category_in_a_rule_is_rejected(tmp_path: Path) -> None:
    config = load_config()
    text = Path(__file__).parents[3] / "services/router/src/hoiam_router/data/directory.yaml"
    broken = text.read_text("utf-8").replace(
        "  - {category: other, body: ubnd-tinh, factor: 0.5}",
        "  - {category: weather, body: ubnd-tinh}",
    )
    path = tmp_path / "directory.yaml"
    path.write_text(broken, "utf-8")
    assert config.version
    with pytest.raises(ValidationError, match="unknown category weather"):
        load_directory(path)
