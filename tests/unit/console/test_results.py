"""The results report (pure): the kind of answer suggested from real answers' words, the
evaluations folded, the counts."""

from datetime import UTC, date, datetime

import pytest

from hoiam_console.domain.compiling import compile_session
from hoiam_console.domain.results import Evaluation, results_of, roadmap_date, suggest_kind
from support.compiling import (
    DIEN_ANSWER,
    DT746_ANSWER,
    KHUON_THAM_ANSWER,
    SHEET,
    TRUONG_ANSWER,
    TUAN_TRA_ANSWER,
    planned,
    session_items,
)

AT = datetime(2014, 12, 1, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("answer", "kind", "cue"),
    [
        (KHUON_THAM_ANSWER, "explanation", "chua the"),
        (DIEN_ANSWER, "explanation", "chua dap ung"),
        (DT746_ANSWER, "roadmap", "du kien"),
        (TRUONG_ANSWER, "roadmap", "ke hoach"),
        (TUAN_TRA_ANSWER, "inspection", "tuan tra"),
        # Made up for the test (no real answer of this kind is in the stored data):
        ("UBND tỉnh đã ban hành Quyết định số 12/2024/QĐ-UBND quy định mức hỗ trợ.", "regulation",
         "da ban hanh"),
        ("Đã tiếp thu.", "other", None),
    ],
)  # fmt: skip
def test_the_kind_of_a_real_answer_is_suggested_with_its_cues(
    answer: str, kind: str, cue: str | None
) -> None:
    guess = suggest_kind(answer)
    assert guess is not None
    assert guess.kind == kind
    if cue is None:
        assert guess.cues == ()
    else:
        assert cue in guess.cues


def test_a_roadmap_carries_its_date() -> None:
    guess = suggest_kind(DT746_ANSWER)
    assert guess is not None
    assert guess.due_on == date(2017, 12, 31)
    assert roadmap_date("hoan thanh trong quy ii/2026") == date(2026, 6, 30)
    assert roadmap_date("truoc ngay 15/03/2027") == date(2027, 3, 15)
    assert roadmap_date("nam 2026 se dau tu") == date(2026, 12, 31)
    assert roadmap_date("khong co ngay") is None


def test_no_answer_no_suggestion() -> None:
    assert suggest_kind(None) is None
    assert suggest_kind("   ") is None


def evaluation(seq: int, key: str, **fields: object) -> Evaluation:
    return Evaluation.model_validate(
        {"seq": seq, "petition_key": key, "actor": "operator:hdnd", "at": AT, **fields}
    )


def test_results_list_every_petition_with_its_answer_kind_and_evaluation() -> None:
    items = session_items()
    road = planned("khuon-tham").item_id
    items = [
        i.model_copy(update={"answer": KHUON_THAM_ANSWER, "status": "resolved"})
        if i.item_id == road
        else i
        for i in items
    ]
    compilation = compile_session(SHEET, items)
    key = str(road)
    results = results_of(
        compilation,
        [
            evaluation(0, key, kind="roadmap", roadmap_due="2015-06-30"),
            evaluation(1, key, verdict="unsatisfactory", note="Chưa có lộ trình cụ thể"),
            evaluation(2, key, follow_up="question"),
        ],
    )

    assert [line.petition.key for line in results.lines] == [p.key for p in compilation.petitions]
    assert [line.number for line in results.lines] == list(range(1, 7))
    line = next(line for line in results.lines if line.petition.key == key)
    assert line.suggested is not None
    assert line.suggested.kind == "explanation"
    assert line.kind == "roadmap"  # the operator's word wins over the suggestion
    assert line.kind_confirmed
    assert line.evaluation is not None
    # Each field is the latest given: the kind of the first, the verdict of the second.
    assert (line.evaluation.kind, line.evaluation.verdict) == ("roadmap", "unsatisfactory")
    assert line.evaluation.roadmap_due == date(2015, 6, 30)
    assert line.evaluation.follow_up == "question"
    assert results.counts.answered == 1
    assert results.counts.unsatisfactory == 1
    assert results.counts.questioned == 1
    assert results.counts.by_kind["roadmap"] == 1
    unanswered = [line for line in results.lines if line.petition.key != key]
    assert all(line.kind is None and line.answer is None for line in unanswered)


def test_an_evaluation_under_a_merged_items_id_reaches_its_petition() -> None:
    compilation = compile_session(SHEET, session_items())
    second = str(planned("cau-dai-dinh").item_id)  # merged into "cau"
    results = results_of(compilation, [evaluation(0, second, verdict="satisfactory")])

    line = next(line for line in results.lines if line.petition.key == str(planned("cau").item_id))
    assert line.evaluation is not None
    assert line.evaluation.verdict == "satisfactory"
