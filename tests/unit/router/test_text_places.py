"""Place names inside the text (a bridge, canal, market, hamlet, an old commune named bare) are
used where the address names no commune, with candidates when ambiguous."""

from hoiam_router import domain
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.geo import locate


def test_a_bridge_named_after_an_old_commune_locates_the_matter() -> None:
    located = locate(
        address=None, text="Đề nghị sửa cầu Phú Cần bị hư hỏng nặng", province_hint="86"
    )

    assert located.location.commune is not None
    assert located.location.commune.name == "Xã Tiểu Cần"
    assert located.location.commune.confidence < 0.95  # a weaker sign than the commune typed
    assert any("cầu 'Phú Cần' in the text" in r for r in located.reasons)


def test_voters_named_by_their_old_commune_locate_the_matter() -> None:
    located = locate(
        address=None, text="Cử tri Tân Phước Khánh phản ánh đường xuống cấp", province_hint="79"
    )

    assert located.location.commune is not None
    assert located.location.commune.name == "Phường Tân Khánh"


def test_an_ambiguous_place_name_keeps_its_candidates() -> None:
    located = locate(address=None, text="Chợ Long Hòa xuống cấp, mái dột", province_hint="86")

    names = [c.name for c in located.location.commune_candidates]
    assert len(names) >= 2
    assert "Xã Long Hòa" in names


def test_a_place_named_after_no_commune_says_nothing_and_the_address_wins() -> None:
    nothing = locate(address=None, text="Kênh Tư Thừa bị bồi lắng", province_hint="86")
    addressed = locate(
        address="xã Hòa Minh, huyện Châu Thành, tỉnh Trà Vinh",
        text="Đề nghị sửa cầu Phú Cần",
        province_hint="86",
    )

    assert nothing.location.commune is None
    assert addressed.location.commune is not None
    assert addressed.location.commune.name != "Xã Tiểu Cần"


def test_a_place_in_the_text_lets_a_commune_matter_reach_its_commune(
    directory: Directory,
) -> None:
    routing = domain.route_text(
        directory,
        text="Cầu Phú Cần hư hỏng, mặt cầu nhiều ổ gà, đề nghị sửa chữa",
        province_hint="86",
    )

    assert routing.body is not None
    assert routing.body.level == "commune"
