"""The results report (báo cáo kết quả giải quyết kiến nghị cử tri): each compiled petition, the
body, its status and answer, the kind of answer and the evaluation the HĐND or the Front records.

Pure. The kind of answer is suggested from the answer's words (a few cues, each one shown as
the reason); an operator confirms or corrects it, and what they recorded wins.
"""

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hoiam_console.domain.compiling import Compilation, CompiledPetition, Level

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


def suggest_kind(answer: str | None) -> KindGuess | None:
    """The kind of answer its words suggest, with those words (None for no answer)."""
    raise NotImplementedError


def results_of(compilation: Compilation, evaluations: list[Evaluation]) -> Results:
    """The results report of `compilation`: its petitions in report order, each with the latest
    evaluation recorded for it."""
    raise NotImplementedError
