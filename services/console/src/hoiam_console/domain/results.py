"""The results report (báo cáo kết quả giải quyết kiến nghị cử tri): each compiled petition, the
body, its status and answer, the kind of answer and the evaluation the HĐND or the Front records.

Pure. The kind of answer is suggested from the answer's words (a few cues, each one shown as
the reason); an operator confirms or corrects it, and what they recorded wins.
"""

import re
from datetime import date, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hoiam_console.domain.compiling import Compilation, CompiledPetition, Level
from hoiam_console.domain.likeness import fold

type AnswerKind = Literal["regulation", "inspection", "explanation", "roadmap", "other"]
"""What the answer did: issued a regulation (ban hành văn bản), inspected (kiểm tra, thanh tra),
only explained (giải thích), promised a roadmap with a date (lộ trình), or something else."""

ANSWER_KINDS: tuple[AnswerKind, ...] = (
    "regulation",
    "inspection",
    "explanation",
    "roadmap",
    "other",
)

type Verdict = Literal["satisfactory", "unsatisfactory"]

type FollowUp = Literal["send_back", "question"]
"""On an unsatisfactory answer: send it back to the body, or mark it for questioning (chất vấn)."""


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KindGuess(Frozen):
    """The suggested kind of an answer and the words that suggested it."""

    kind: AnswerKind
    cues: tuple[str, ...] = ()
    due_on: date | None = Field(default=None, description="A roadmap's date, when it gives one.")


class Evaluation(Frozen):
    """What the HĐND standing body or the Front recorded about one petition's answer."""

    seq: int = Field(ge=0)
    petition_key: str
    kind: AnswerKind | None = Field(default=None, description="The confirmed kind of answer.")
    verdict: Verdict | None = None
    note: str | None = Field(default=None, max_length=2000)
    roadmap_due: date | None = None
    follow_up: FollowUp | None = None
    actor: str
    at: AwareDatetime


class ResultLine(Frozen):
    """One petition of the results report."""

    number: int = Field(ge=1)
    petition: CompiledPetition
    level: Level
    body_name: str | None
    status: str | None
    answer: str | None
    suggested: KindGuess | None = Field(default=None, description="None while unanswered.")
    kind: AnswerKind | None = Field(default=None, description="Confirmed, else the suggestion.")
    kind_confirmed: bool = False
    evaluation: Evaluation | None = Field(default=None, description="The latest recorded one.")


class ResultsCounts(Frozen):
    petitions: int
    answered: int
    by_kind: dict[str, int] = Field(default_factory=dict)
    satisfactory: int = 0
    unsatisfactory: int = 0
    sent_back: int = 0
    questioned: int = 0


class Results(Frozen):
    session_id: str
    lines: tuple[ResultLine, ...]
    counts: ResultsCounts


_CUES: tuple[tuple[AnswerKind, tuple[str, ...]], ...] = (
    ("regulation", (
        "da ban hanh", "ban hanh nghi quyet", "ban hanh quyet dinh", "ban hanh van ban",
        "sua doi, bo sung", "sua doi bo sung quy dinh", "chinh sach moi",
    )),
    ("roadmap", (
        "lo trinh", "ke hoach", "du kien", "se trien khai", "se bo tri", "se dau tu",
        "se thuc hien", "giai doan 20", "khoi cong",
    )),
    ("inspection", (
        "kiem tra", "thanh tra", "khao sat", "xac minh", "ra soat", "tuan tra", "lap bien ban",
        "xu ly vi pham", "xu phat",
    )),
    ("explanation", (
        "giai thich", "chua the", "chua dap ung", "kho khan", "chua bo tri", "theo quy dinh",
        "khong co co so", "thuoc tham quyen", "nghien cuu",
    )),
)  # fmt: skip
"""Words (folded) that suggest each kind of answer, strongest kind first: an answer that cites
a regulation it issued is a regulation even if it also explains; one that gives a roadmap is a
roadmap even if it inspected first. An answer with none of them is "other"."""

_DATES = (
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(20\d\d)\b"), "day"),
    (re.compile(r"\bthang (\d{1,2})[/ ](?:nam )?(20\d\d)\b"), "month"),
    (re.compile(r"\bquy (i{1,3}|iv|[1-4])[/ ](?:nam )?(20\d\d)\b"), "quarter"),
    (re.compile(r"\bnam (20\d\d)\b"), "year"),
)
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _end_of_month(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def roadmap_date(folded: str) -> date | None:
    """The first date a roadmap gives (dd/mm/yyyy, "tháng 6/2026", "quý II/2026", "năm 2026"),
    as the last day it allows."""
    for pattern, unit in _DATES:
        found = pattern.search(folded)
        if found is None:
            continue
        try:
            if unit == "day":
                return date(int(found[3]), int(found[2]), int(found[1]))
            if unit == "month":
                return _end_of_month(int(found[2]), int(found[1]))
            if unit == "quarter":
                return _end_of_month(int(found[2]), 3 * _QUARTERS[found[1]])
            return date(int(found[1]), 12, 31)
        except ValueError:
            continue
    return None


def suggest_kind(answer: str | None) -> KindGuess | None:
    """The kind of answer its words suggest, with those words (None for no answer)."""
    if not answer or not answer.strip():
        return None
    folded = fold(answer)
    for kind, cues in _CUES:
        found = tuple(c for c in cues if c in folded)
        if not found:
            continue
        if kind == "roadmap":
            due = roadmap_date(folded)
            return KindGuess(kind=kind, cues=found, due_on=due)
        return KindGuess(kind=kind, cues=found)
    return KindGuess(kind="other")


def latest(evaluations: list[Evaluation], petition: CompiledPetition) -> Evaluation | None:
    """What was recorded for `petition` (under its key or any of its items' ids), each field
    the latest value given: a kind confirmed once stays when a verdict is added later."""
    names = {petition.key, *(str(i) for i in petition.item_ids)}
    mine = sorted((e for e in evaluations if e.petition_key in names), key=lambda e: e.seq)
    if not mine:
        return None
    folded = mine[0]
    for later in mine[1:]:
        given = {k: v for k, v in later.model_dump().items() if v is not None}
        folded = folded.model_copy(update=given)
    return folded


def results_of(compilation: Compilation, evaluations: list[Evaluation]) -> Results:
    """The results report of `compilation`: its petitions in report order, each with the latest
    evaluation recorded for it."""
    lines = []
    for number, petition in enumerate(compilation.petitions, start=1):
        answer = petition.answer or (
            petition.spot_answer if petition.answered_on_the_spot else None
        )
        suggested = suggest_kind(answer)
        evaluation = latest(evaluations, petition)
        confirmed = evaluation.kind if evaluation else None
        lines.append(
            ResultLine(
                number=number,
                petition=petition,
                level=petition.level,
                body_name=petition.body_name,
                status=petition.status,
                answer=answer,
                suggested=suggested,
                kind=confirmed or (suggested.kind if suggested else None),
                kind_confirmed=confirmed is not None,
                evaluation=evaluation,
            )
        )
    by_kind: dict[str, int] = {k: sum(1 for line in lines if line.kind == k) for k in ANSWER_KINDS}
    verdicts = [line.evaluation.verdict for line in lines if line.evaluation]
    follow_ups = [line.evaluation.follow_up for line in lines if line.evaluation]
    counts = ResultsCounts(
        petitions=len(lines),
        answered=sum(1 for line in lines if line.answer),
        by_kind=by_kind,
        satisfactory=verdicts.count("satisfactory"),
        unsatisfactory=verdicts.count("unsatisfactory"),
        sent_back=follow_ups.count("send_back"),
        questioned=follow_ups.count("question"),
    )
    return Results(session_id=compilation.session_id, lines=tuple(lines), counts=counts)
