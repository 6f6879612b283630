"""Compiling a session (pure): grouping by level and field, near-duplicates across meetings
merged with their reasons, counts before and after, operators' adjustments."""

import json
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import pytest

from hoiam_console.domain.compiling import (
    MERGE_THRESHOLD,
    Adjusted,
    Adjustment,
    Drop,
    MeetingInfo,
    Merge,
    Move,
    Restore,
    Reword,
    SessionItem,
    Unmerge,
    compile_session,
    level_of,
    sheet_of,
)
from hoiam_console.domain.likeness import Corpus, fold, terms
from hoiam_intake.domain.minutes import split_minutes
from hoiam_intake.domain.minutes.blocks import blocks_of_text
from hoiam_intake.domain.minutes.sessions import NewSession, open_session
from hoiam_intake.sessions_api import MeetingSummary, SessionView
from support.compiling import (
    CAU_QUA_SUOI,
    CAU_QUA_SUOI_DAI_DINH,
    QUOC_LO_23,
    SHEET,
    TINH_LO_307,
    planned,
    session_items,
)

AT = datetime(2014, 9, 27, 3, 0, tzinfo=UTC)
MINUTES = Path(__file__).parents[3] / "services/intake/data/minutes"


def adjusted(*changes: Adjustment) -> tuple[Adjusted, ...]:
    return tuple(
        Adjusted(seq=k, adjustment=c, actor="operator:operator", at=AT)
        for k, c in enumerate(changes)
    )


def key(name: str) -> str:
    return str(planned(name).item_id)


def test_fold_takes_the_marks_off_and_terms_keep_names_apart() -> None:
    assert fold("Đường Tỉnh lộ 307") == "duong tinh lo 307"
    assert "tinh lo" in terms(TINH_LO_307)
    assert "307" in terms(TINH_LO_307)
    assert "quoc lo" in terms(QUOC_LO_23)
    assert "de nghi" not in terms(QUOC_LO_23)


def test_the_same_bridges_raised_in_short_and_in_full_score_above_different_roads() -> None:
    corpus = Corpus([CAU_QUA_SUOI, CAU_QUA_SUOI_DAI_DINH, TINH_LO_307, QUOC_LO_23])
    same = corpus.likeness(0, 1)
    assert same.score >= 0.5
    assert "qua suoi" in same.shared
    assert corpus.likeness(2, 3).score < 0.5


def test_near_duplicates_across_meetings_are_merged_keeping_every_source() -> None:
    compilation = compile_session(SHEET, session_items())

    bridges = compilation.petition(key("cau"))
    assert bridges is not None
    assert bridges.key == key("cau")  # the first meeting's item leads
    assert [s.meeting_id for s in bridges.sources] == ["mtg-phuc-yen", "mtg-lap-thach"]
    assert [s.place for s in bridges.sources] == ["huyện Tam Đảo", "xã Đại Đình"]
    (why,) = bridges.merged
    assert why.threshold <= why.score < 1
    assert "qua suoi" in why.shared_words
    road = compilation.petition(key("tl307-again"))
    assert road is not None
    assert road.key == key("tl307")
    assert len(road.sources) == 2
    # A different road of the same province stays apart.
    assert compilation.petition(key("ql23")) != road


def test_counts_as_reports_give_them() -> None:
    counts = compile_session(SHEET, session_items()).counts

    assert (counts.raised, counts.petitions_raised, counts.opinions_raised) == (9, 8, 1)
    assert (counts.compiled, counts.petitions, counts.opinions) == (7, 6, 1)
    assert counts.by_level == {"central": 1, "province": 4, "commune": 1, "unclassified": 0}


def test_the_same_text_twice_in_one_meeting_is_not_merged() -> None:
    items = [i for i in session_items() if i.item_id != planned("tl307-again").item_id]
    twin = items[3].model_copy(update={"item_id": UUID(int=7), "position": 99})
    compilation = compile_session(SHEET, [*items, twin])

    # Two lines of one set of minutes are the minutes' own split: the operator merges if need be.
    assert compilation.counts.petitions == 7
    assert compilation.petition(str(twin.item_id)) != compilation.petition(key("tl307"))


def test_grouped_by_level_in_report_order_then_field() -> None:
    grouped = compile_session(SHEET, session_items()).grouped()

    assert [level for level, _ in grouped] == ["central", "province", "commune"]
    central = grouped[0][1]
    assert [(name, [p.key for p in ps]) for name, ps in central] == [("Giao thông", [key("ql23")])]
    assert [p.key for p in grouped[2][1][0][1]] == [key("khuon-tham")]


def test_grouped_by_body_with_what_each_has_to_answer() -> None:
    bodies = compile_session(SHEET, session_items()).by_body()

    assert [(name, len(ps)) for name, ps in bodies] == [
        ("Bộ Giao thông vận tải", 1),
        ("Sở Giao thông vận tải", 4),
        ("UBND xã Tân Mỹ", 1),
    ]


def test_level_comes_from_the_minutes_then_the_router() -> None:
    item = session_items()[0]
    assert level_of(item) == "province"
    assert level_of(item.model_copy(update={"minutes_level": "central"})) == "central"
    assert level_of(item.model_copy(update={"router_level": "national"})) == "central"
    assert level_of(item.model_copy(update={"router_level": None})) == "unclassified"


def test_an_opinion_is_counted_apart_and_never_merged_with_a_petition() -> None:
    compilation = compile_session(SHEET, session_items())

    assert [o.key for o in compilation.opinions] == [key("tin-tuong")]
    assert all(p.kind == "petition" for p in compilation.petitions)


def test_move_puts_a_petition_under_another_level_and_field() -> None:
    compilation = compile_session(
        SHEET, session_items(),
        adjustments=adjusted(
            Move(key=key("den"), level="commune", category_name="An toàn giao thông")
        ),
    )  # fmt: skip

    moved = compilation.petition(key("den"))
    assert moved is not None
    assert moved.level == "commune"
    assert moved.field == "An toàn giao thông"
    assert compilation.counts.by_level["commune"] == 2


def test_merge_then_unmerge_an_item() -> None:
    merged = compile_session(
        SHEET, session_items(), adjustments=adjusted(Merge(key=key("tl307"), other=key("phuhau")))
    )
    road = merged.petition(key("tl307"))
    assert road is not None
    assert len(road.sources) == 3
    assert road.merged_by == ("operator:operator",)
    assert merged.counts.petitions == 5

    apart = compile_session(
        SHEET, session_items(),
        adjustments=adjusted(
            Merge(key=key("tl307"), other=key("phuhau")),
            Unmerge(key=key("tl307"), item_id=planned("tl307-again").item_id),
        ),
    )  # fmt: skip
    assert apart.counts.petitions == 6
    road = apart.petition(key("tl307"))
    assert road is not None
    assert {s.item_id for s in road.sources} == {
        planned("tl307").item_id,
        planned("phuhau").item_id,
    }
    assert road.merged == ()  # the automatic link went with the item


def test_unmerge_everything_apart() -> None:
    apart = compile_session(SHEET, session_items(), adjustments=adjusted(Unmerge(key=key("cau"))))
    assert apart.counts.petitions == 7
    assert apart.petition(key("cau-dai-dinh")) != apart.petition(key("cau"))


def test_drop_with_a_reason_then_restore() -> None:
    dropped = compile_session(
        SHEET, session_items(), adjustments=adjusted(Drop(key=key("den"), reason="Đã trả lời"))
    )
    assert [p.key for p in dropped.dropped] == [key("den")]
    assert dropped.dropped[0].dropped == "Đã trả lời"
    assert dropped.counts.petitions == 5
    assert dropped.counts.dropped == 1

    restored = compile_session(
        SHEET, session_items(),
        adjustments=adjusted(Drop(key=key("den"), reason="Đã trả lời"), Restore(key=key("den"))),
    )  # fmt: skip
    assert restored.dropped == ()
    assert restored.counts.petitions == 6


def test_reword_changes_only_the_summary() -> None:
    wording = "Sửa chữa, nâng cấp Tỉnh lộ 307 đoạn Liễn Sơn - Thái Hòa."
    compilation = compile_session(
        SHEET, session_items(), adjustments=adjusted(Reword(key=key("tl307"), summary=wording))
    )
    road = compilation.petition(key("tl307"))
    assert road is not None
    assert road.summary == wording
    assert road.reworded
    assert road.sources[0].text == TINH_LO_307


def test_an_adjustment_naming_a_petition_that_is_gone_does_nothing() -> None:
    items = [i for i in session_items() if i.item_id != planned("den").item_id]
    compilation = compile_session(
        SHEET, items, adjustments=adjusted(Drop(key=key("den"), reason="không còn"))
    )
    assert compilation.dropped == ()


@pytest.mark.parametrize("order", [1, -1])
def test_the_same_items_in_any_order_compile_the_same(order: int) -> None:
    items: list[SessionItem] = session_items()[::order]
    assert compile_session(SHEET, items) == compile_session(SHEET, session_items())


def real_petitions() -> list[tuple[str, str]]:
    """(document, text) of every petition the splitter finds in the stored real minutes."""
    found = []
    for path in sorted(MINUTES.glob("*.txt")):
        place = json.loads(path.with_suffix(".json").read_text())["meeting_place"]
        split = split_minutes(blocks_of_text(path.read_text()), meeting_place=place)
        found += [(path.stem, p.text) for p in split.petitions]
    return found


def test_on_real_minutes_the_threshold_merges_the_same_ask_and_nothing_else() -> None:
    petitions = real_petitions()
    corpus = Corpus([text for _, text in petitions])
    passing = [(petitions[i], petitions[j]) for i, j, _ in corpus.alike(MERGE_THRESHOLD)]
    # The index's sums are the pairwise cosine: the pairs above 0.3 checked one by one agree.
    above = corpus.alike(0.3)
    assert len(above) >= 10
    assert all(abs(corpus.likeness(i, j).score - score) < 1e-3 for i, j, score in above)

    assert len(petitions) > 150
    # Different documents are different meetings in different places: none is the same ask.
    assert [(a[0], b[0]) for a, b in passing if a[0] != b[0]] == []
    # The one ask Hà Tĩnh's page lists twice, word for word, passes.
    assert any(a[0] == b[0] == "hatinh-tra-loi" and a[1] == b[1] for a, b in passing)
    assert len(passing) <= 3


def test_the_sheet_is_read_from_intakes_session_view() -> None:
    session = open_session(
        NewSession(name="Kỳ họp thứ 12, HĐND tỉnh khóa XV", province_code="26",
                   opens_on=date(2014, 10, 8), closes_on=date(2014, 10, 10), term="XV", number=12),
        session_id="s-1", at=AT,
    )  # fmt: skip
    meeting = MeetingSummary(
        id="m-1", held_on=date(2014, 9, 22), place="thị xã Phúc Yên", delegates=("Nguyễn Văn A",),
        filename="bien-ban.docx", counts={"petitions": 3},
    )  # fmt: skip
    view = SessionView(session=session, meetings=[meeting]).model_dump(mode="json")

    sheet = sheet_of(view, province_name="Vĩnh Phúc")
    assert (sheet.id, sheet.number, sheet.term, sheet.province_name) == (
        "s-1",
        12,
        "XV",
        "Vĩnh Phúc",
    )
    assert sheet.meetings == (
        MeetingInfo(id="m-1", held_on=date(2014, 9, 22), place="thị xã Phúc Yên",
                    delegates=("Nguyễn Văn A",), filename="bien-ban.docx"),
    )  # fmt: skip
