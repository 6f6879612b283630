"""The minutes review's rules (pure): edits, drops, joining and splitting lines at a marker,
restoring a skipped line, what is committed, and the day a draft lives."""

from datetime import UTC, date, datetime, timedelta

import pytest

from hoiam_console.domain import review
from hoiam_console.domain.review import (
    Draft,
    LineEdit,
    MeetingFields,
    MinutesFile,
    ReviewError,
    ReviewLine,
    SkippedText,
)

AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
# Petitions of services/intake/data/minutes/ninhthuan-nhon-son.txt (the voters' own words).
ROAD = "Đề nghị nâng cấp tuyến đường liên thôn Láng Me đi Tân Hà"
LIGHT = "Đề nghị lắp đặt hệ thống điện chiếu sáng tuyến đường thôn Láng Me"


def draft(*texts: str, skipped: tuple[str, ...] = ()) -> Draft:
    return review.start(
        draft_id="m-1",
        session_id="s1",
        meeting=MeetingFields(held_on=date(2026, 11, 25), place="xã Nhơn Sơn"),
        file=MinutesFile(content=b"minutes", filename="bien-ban.docx"),
        lines=tuple(ReviewLine(text=t, place="thôn Láng Me", voters="Cử tri thôn Láng Me")
                    for t in texts),
        skipped=tuple(SkippedText(text=s, reason="title") for s in skipped),
        created_by="operator:operator",
        at=AT,
    )  # fmt: skip


def test_a_draft_lives_one_day_after_its_upload() -> None:
    found = draft(ROAD)
    assert not found.expired(AT + timedelta(hours=23, minutes=59))
    assert found.expired(AT + timedelta(days=1))


def test_edits_change_words_kind_place_and_voters_and_an_emptied_line_is_dropped() -> None:
    found = review.edit(
        draft(ROAD, LIGHT),
        {
            0: LineEdit(text=f"  {ROAD}  tỉnh  ", kind="opinion", place="thôn Tân Hà"),
            1: LineEdit(text="   ", kind="petition"),
        },
    )
    first, second = found.lines
    assert (first.text, first.kind, first.place, first.voters) == (
        f"{ROAD} tỉnh",
        "opinion",
        "thôn Tân Hà",
        None,
    )
    assert second.dropped
    assert second.text == LIGHT
    assert found.version == 2
    assert found.counts == {"petitions": 0, "opinions": 1, "dropped": 1, "skipped": 0}
    assert review.to_commit(found) == (first,)


def test_joining_a_line_to_the_one_before_keeps_the_earlier_fields() -> None:
    found = review.join_with_previous(draft(ROAD, "và xây dựng mương thoát nước hai bên"), 1)
    assert [line.text for line in found.lines] == [f"{ROAD} và xây dựng mương thoát nước hai bên"]
    with pytest.raises(ReviewError, match="first line"):
        review.join_with_previous(found, 0)


def test_a_line_is_split_at_each_marker_and_not_without_one() -> None:
    found = review.split_at_marker(draft(f"{ROAD}. || {LIGHT}"), 0)
    assert [line.text for line in found.lines] == [f"{ROAD}.", LIGHT]
    assert all(line.place == "thôn Láng Me" for line in found.lines)
    with pytest.raises(ReviewError, match=r"\|\|"):
        review.split_at_marker(found, 1)
    with pytest.raises(ReviewError, match="no line 9"):
        review.split_at_marker(found, 8)


def test_a_skipped_line_is_restored_as_a_petition_at_the_end() -> None:
    found = review.restore(draft(ROAD, skipped=("BIÊN BẢN", LIGHT)), 1)
    assert [line.text for line in found.lines] == [ROAD, LIGHT]
    assert found.lines[1].restored
    assert found.lines[1].kind == "petition"
    assert [s.text for s in found.skipped] == ["BIÊN BẢN"]
    with pytest.raises(ReviewError):
        review.restore(found, 1)


def test_nothing_kept_cannot_be_committed() -> None:
    found = review.edit(draft(ROAD), {0: LineEdit(text=ROAD, kind="petition", dropped=True)})
    with pytest.raises(ReviewError, match="nothing to commit"):
        review.to_commit(found)


def test_a_review_is_bounded() -> None:
    with pytest.raises(ReviewError, match="more than"):
        draft(*[ROAD] * (review.MAX_LINES + 1))
