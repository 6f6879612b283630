"""Repeat petitions: the pure matcher (same place, similar text, why), and the router pointing a
new item to the published answer it repeats while routing it as usual."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from fakes import RouterWorld, router_world
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.repeats import (
    OTHER_COMMUNE_MARGIN,
    REPEAT_THRESHOLD,
    AnswerIndex,
    Place,
    PublishedAnswer,
    published_answer,
    text_terms,
)
from hoiam_router.repeats import RepeatFinder
from hoiam_shared.events import AnswerPublished, Status
from hoiam_shared.ids import new_id
from support.samples import make_received

ROAD = "Đường ấp 3 xã Tiểu Cần bị sạt lở, nhiều ổ gà nguy hiểm cho học sinh đi học"
ROAD_AGAIN = "Cử tri ấp 3 đề nghị sửa đường ấp 3 sạt lở, ổ gà nguy hiểm cho học sinh"
POWER = "Mất điện liên tục ở ấp 3 vào buổi tối, đề nghị điện lực kiểm tra trạm biến áp"
PLACE = "ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"
TIEU_CAN, VINH_LONG = "29341", "86"
AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def answer(
    text: str, *, commune: str | None, province: str | None = "86", pid: str = "p1"
) -> PublishedAnswer:
    return published_answer(
        publication_id=pid,
        item_id=UUID(int=1),
        tracking_code="HA-AAAA-11",
        province=province,
        commune=commune,
        summary=text,
    )


def background() -> list[PublishedAnswer]:
    """Other answers of the archive, so document frequencies mean something."""
    texts = [
        "Xây dựng trạm y tế xã để khám chữa bệnh cho nhân dân",
        "Nạo vét kênh mương nội đồng phục vụ sản xuất lúa",
        "Lắp đèn chiếu sáng đường liên ấp",
        "Cấp giấy chứng nhận quyền sử dụng đất cho các hộ dân",
    ]
    return [answer(t, commune="29999", pid=f"bg{n}") for n, t in enumerate(texts)]


def test_terms_are_folded_without_boilerplate_and_keep_their_written_form() -> None:
    terms = text_terms("Cử tri xã Tiểu Cần đề nghị sửa ĐƯỜNG ĐT-746")
    assert "de nghi" not in terms.counts
    assert "cu tri" not in terms.counts
    assert {"duong", "dt", "746", "duong dt", "dt 746"} <= set(terms.counts)
    assert terms.shown["duong"] == "đường"
    assert text_terms("duong dt 746").counts.keys() <= terms.counts.keys()


def test_the_same_matter_of_the_same_commune_matches_with_its_shared_terms() -> None:
    index = AnswerIndex([answer(ROAD, commune=TIEU_CAN), *background()])
    found = index.best(ROAD_AGAIN, Place(VINH_LONG, TIEU_CAN, commune_matter=True))
    assert found is not None
    assert found.answer.publication_id == "p1"
    assert found.score >= REPEAT_THRESHOLD == found.threshold
    # Why: words of both texts, as the new item wrote them (accents kept).
    assert {"gà", "sạt lở", "gà nguy"} & set(found.shared_terms)
    assert all(t in ROAD_AGAIN.lower() for t in found.shared_terms)
    assert found.place == TIEU_CAN
    # Another matter of the same commune does not.
    assert index.best(POWER, Place(VINH_LONG, TIEU_CAN, commune_matter=True)) is None


def test_another_communes_answer_never_answers_a_communes_matter() -> None:
    index = AnswerIndex([answer(ROAD, commune="29342"), *background()])
    assert index.best(ROAD, Place(VINH_LONG, TIEU_CAN, commune_matter=True)) is None
    assert index.best(ROAD, Place("80", TIEU_CAN, commune_matter=False)) is None


def test_a_provincial_matter_meets_another_communes_answer_only_when_nearly_the_same() -> None:
    index = AnswerIndex([answer(ROAD, commune="29342"), *background()])
    province_wide = Place(VINH_LONG, TIEU_CAN, commune_matter=False)
    same = index.best(ROAD, province_wide)
    assert same is not None
    assert same.threshold == pytest.approx(REPEAT_THRESHOLD + OTHER_COMMUNE_MARGIN)
    assert same.place == VINH_LONG
    # Similar enough for the same commune (0.37), not for another one.
    shorter = "Sửa đường ấp 3 bị sạt lở"
    assert index.best(shorter, Place(VINH_LONG, "29342", commune_matter=False)) is not None
    assert index.best(shorter, province_wide) is None


def test_a_withdrawn_or_replaced_entry_is_matched_no_more() -> None:
    index = AnswerIndex([answer(ROAD, commune=TIEU_CAN), *background()])
    here = Place(VINH_LONG, TIEU_CAN, commune_matter=True)
    index.put(answer(POWER, commune=TIEU_CAN))  # re-approved with another summary
    assert index.best(ROAD_AGAIN, here) is None
    assert index.best(POWER, here) is not None
    index.remove("p1")
    assert index.best(POWER, here) is None
    assert len(index) == len(background())


def published(
    item_text: str = ROAD, *, withdrawn: bool = False, at: datetime = AT, pid: str = "pub-1"
) -> AnswerPublished:
    item_id = new_id()
    return AnswerPublished(
        occurred_at=at,
        correlation_id=item_id,
        publication_id=pid,
        item_id=item_id,
        tracking_code="HA-7K3Q-92",
        summary=item_text,
        answer="UBND xã đã vá các ổ gà và gia cố đoạn sạt lở trong tháng 11.",
        province_code=VINH_LONG,
        commune_code=TIEU_CAN,
        approved_by="operator:lan",
        withdrawn=withdrawn,
        published_at=at,
    )


@pytest.fixture
def world(directory: Directory) -> RouterWorld:
    return router_world(directory)


async def test_a_repeat_is_routed_as_usual_and_points_to_the_answer(world: RouterWorld) -> None:
    event = published()
    await world.parts.record_published(event)
    routed = await world.route(make_received(ROAD_AGAIN, address=PLACE))
    assert routed.status is Status.ROUTED
    assert routed.body is not None
    assert routed.body.id == "29341-ubnd-xa"
    assert routed.repeat_of is not None
    assert routed.repeat_of.publication_id == "pub-1"
    assert routed.repeat_of.item_id == event.item_id
    assert routed.repeat_of.tracking_code == "HA-7K3Q-92"
    assert routed.repeat_of.place == TIEU_CAN
    assert routed.repeat_of.shared_terms
    # Another matter of the same commune is not pointed anywhere.
    other = await world.route(make_received(POWER, address=PLACE))
    assert other.repeat_of is None
    assert world.parts.metrics.repeats_found._value.get() == 1


async def test_a_withdrawal_takes_the_answer_out_and_an_older_approval_does_not_return_it(
    world: RouterWorld,
) -> None:
    await world.parts.record_published(published())
    await world.parts.record_published(published(withdrawn=True, at=AT + timedelta(hours=1)))
    await world.parts.record_published(published())  # redelivered after the withdrawal
    assert (await world.route(make_received(ROAD_AGAIN, address=PLACE))).repeat_of is None
    assert await world.published.current() == []


async def test_a_new_process_finds_what_another_one_recorded(world: RouterWorld) -> None:
    await world.parts.record_published(published())
    other = RepeatFinder()
    await other.reload(world.published)
    assert len(other) == 1
    decision_of = await world.route(make_received(ROAD_AGAIN, address=PLACE))
    assert decision_of.repeat_of is not None
