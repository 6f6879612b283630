"""The generated directory: every province and commune, the 2025 departments, abolished bodies."""

from collections import Counter
from pathlib import Path

import pytest
from pydantic import ValidationError

from hoiam_router.directory_yaml import load_config, load_directory
from hoiam_router.domain.directory import Directory


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


def test_the_vinh_long_councillors_are_marked_illustrative(directory: Directory) -> None:
    vinh_long = [c for c in directory.councillors if c.province == "86"]
    assert len(vinh_long) == 8  # constituencies 1-4, two placeholders each
    assert all(c.illustrative and c.communes and c.source is None for c in vinh_long)
    assert vinh_long[0].id == "86-hdnd-1-1"  # ids count per province


def test_the_hue_councillors_are_real_and_sourced(directory: Directory) -> None:
    hue = [c for c in directory.councillors if c.province == "46"]
    # Seats as published per constituency: 4, 4, 3 and 5.
    seats = Counter(c.constituency.removesuffix(" (HĐND thành phố Huế khóa IX)") for c in hue)
    assert seats == {
        "Đơn vị bầu cử số 1": 4, "Đơn vị bầu cử số 2": 4,
        "Đơn vị bầu cử số 3": 3, "Đơn vị bầu cử số 4": 5,
    }  # fmt: skip
    assert not any(c.illustrative for c in hue)
    assert all(c.source and c.source.startswith("https://") for c in hue)
    phu_xuan = directory.body("19753-ubnd-xa")  # Phường Phú Xuân, the whole of constituency 4
    assert phu_xuan.name == "Ủy ban nhân dân phường Phú Xuân"
    assert {c.name for c in directory.councillors_for("19753")} == {
        "Trần Kiêm Hảo", "Lê Minh Nhân", "Võ Lê Nhật", "Phạm Đức Tiến", "Nguyễn Đại Viên"
    }  # fmt: skip
    first = [c for c in hue if c.constituency.startswith("Đơn vị bầu cử số 1 ")]
    assert all(set(c.communes) == {"19828", "19831", "19858", "19819"} for c in first)


def _with_councillors(tmp_path: Path, block: str) -> Path:
    text = Path(__file__).parents[3] / "services/router/src/hoiam_router/data/directory.yaml"
    original = text.read_text("utf-8")
    start, end = original.index("councillors:\n"), original.index("\n# Per-body overrides")
    path = tmp_path / "directory.yaml"
    path.write_text(original[:start] + "councillors:\n" + block + original[end:], "utf-8")
    return path


def test_a_real_delegate_without_a_source_is_rejected(tmp_path: Path) -> None:
    path = _with_councillors(
        tmp_path,
        "  - {constituency: X, council: HĐND thành phố Huế, province: '46',"
        " communes: [Phường Phú Xuân], delegates: [Nguyễn Văn A]}\n",
    )
    with pytest.raises(ValidationError, match="real delegates need the source"):
        load_directory(path)


def test_a_misspelt_commune_is_rejected_rather_than_dropped(tmp_path: Path) -> None:
    path = _with_councillors(
        tmp_path,
        "  - {constituency: X, council: HĐND thành phố Huế, province: '46',"
        " communes: [Phường Phú Xuan Mới], delegates: ['Đại biểu minh họa 1']}\n",
    )
    with pytest.raises(ValueError, match="no commune 'Phường Phú Xuan Mới' in 46"):
        load_directory(path)


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


def _with_override(tmp_path: Path, block: str) -> Path:
    text = Path(__file__).parents[3] / "services/router/src/hoiam_router/data/directory.yaml"
    path = tmp_path / "directory.yaml"
    path.write_text(text.read_text("utf-8").rstrip("\n") + "\n" + block, "utf-8")
    return path


def test_every_body_says_where_it_comes_from_and_whether_its_contacts_are_generated(
    directory: Directory,
) -> None:
    department = directory.body("86-so-xay-dung")
    assert (department.source or "").startswith("Nghị định 45/2025/NĐ-CP")
    assert department.generated
    assert department.contacts_source is None
    tieu_can = directory.body("29341-ubnd-xa")
    assert tieu_can.name == "Ủy ban nhân dân xã Tiểu Cần"
    assert "16/6/2025" in (tieu_can.source or "")
    assert tieu_can.generated
    by_law = [b for b in directory.bodies if b.replaced_by is None and b.level != "utility"]
    assert all(b.source for b in by_law if b.level in ("commune", "province_committee"))
    assert all(b.source for b in by_law if b.id.endswith(("-so-y-te", "-so-noi-vu", "-thanh-tra")))


def test_a_sourced_override_makes_the_contacts_real(tmp_path: Path) -> None:
    path = _with_override(
        tmp_path,
        '  "86-so-y-te":\n'
        "    contacts: [{channel: email, address: soyte@vinhlong.gov.vn}]\n"
        "    contacts_source: https://example.org/danh-ba\n",
    )
    body = load_directory(path).body("86-so-y-te")
    assert not body.generated
    assert body.contacts_source == "https://example.org/danh-ba"


def test_a_real_contact_without_a_source_is_rejected(tmp_path: Path) -> None:
    path = _with_override(
        tmp_path,
        '  "86-so-y-te":\n    contacts: [{channel: email, address: soyte@vinhlong.gov.vn}]\n',
    )
    with pytest.raises(ValidationError, match="real contacts need their source"):
        load_directory(path)
