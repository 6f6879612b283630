"""Council sessions (kỳ họp) and their voters' meetings (tiếp xúc cử tri), as intake records them.

A session's compile windows follow from its dates: the delegation and the Front compile what
voters raised at the latest 15 days before the session opens and 15 days after it closes
(WORKFLOW.md). A meeting is one set of minutes committed under a session; the same file bytes
under the same session are the same meeting.

The operator may commit their own review of the split (`reviewed_items`): the lines they fixed,
dropped or joined replace the splitter's; they stay bound to the file (the same file twice is one
meeting, whatever was edited the second time).
"""

import json
import re
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from hoiam_intake.domain.minutes.splitter import Petition, Skipped, Split

COMPILE_DAYS = 15
"""Compiling is due this many days before a session opens and after it closes."""


class CouncilLevel(StrEnum):
    """Whose session: the National Assembly's, a province's People's Council or a commune's."""

    NATIONAL = "national"
    PROVINCE = "province"
    COMMUNE = "commune"


class NewSession(BaseModel):
    """`POST /v1/sessions`: a session as an operator declares it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    name: str = Field(min_length=3, max_length=300)
    province_code: str = Field(pattern=r"^\d{2}$", description="The province's 2-digit code.")
    opens_on: date
    closes_on: date
    term: str | None = Field(default=None, max_length=40, description="Khóa, e.g. XVII.")
    number: int | None = Field(default=None, ge=1, le=100, description="Kỳ họp thứ …")
    council_level: CouncilLevel = CouncilLevel.PROVINCE
    commune_code: str | None = Field(default=None, pattern=r"^\d{5}$")

    @model_validator(mode="after")
    def _dates_in_order(self) -> "NewSession":
        if self.closes_on < self.opens_on:
            raise ValueError("closes_on is before opens_on")
        if (self.closes_on - self.opens_on).days > 60:
            raise ValueError("a session lasts at most 60 days")
        if self.council_level is CouncilLevel.COMMUNE and self.commune_code is None:
            raise ValueError("a commune's session needs its commune_code")
        return self


class Session(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    province_code: str
    opens_on: date
    closes_on: date
    term: str | None = None
    number: int | None = None
    council_level: CouncilLevel = CouncilLevel.PROVINCE
    commune_code: str | None = None
    compile_before_due: date = Field(description="Compile what voters raised before it, by then.")
    compile_after_due: date = Field(description="Compile what voters raised after it, by then.")
    created_at: AwareDatetime


def open_session(command: NewSession, *, session_id: str, at: datetime) -> Session:
    """The session `command` declares, with its compile windows."""
    return Session(
        id=session_id,
        **command.model_dump(),
        compile_before_due=command.opens_on - timedelta(days=COMPILE_DAYS),
        compile_after_due=command.closes_on + timedelta(days=COMPILE_DAYS),
        created_at=at,
    )


class MeetingItem(BaseModel):
    """One petition of a committed meeting and the item it became."""

    model_config = ConfigDict(frozen=True)

    position: int
    tracking_code: str | None = Field(default=None, description="None in a review (not committed).")
    item_id: str | None = None
    kind: str
    routed: bool = Field(description="False for an opinion: counted, not sent to a body.")
    text: str
    place: str | None
    voters: str | None
    answered_on_the_spot: bool
    answer: str | None
    level: str | None
    section: str | None


class SkippedLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    reason: str


class Meeting(BaseModel):
    """A session's voters' meeting: when and where, who was there, the file, what it became."""

    model_config = ConfigDict(frozen=True)

    id: str
    session_id: str
    sha256: str
    filename: str | None
    held_on: date
    place: str
    delegates: tuple[str, ...] = ()
    constituency: str | None = Field(
        default=None, description="The electoral unit (đơn vị bầu cử) the delegates stand for."
    )
    items: tuple[MeetingItem, ...]
    skipped: tuple[SkippedLine, ...]
    created_at: AwareDatetime

    @property
    def counts(self) -> dict[str, int]:
        return {
            "petitions": sum(1 for i in self.items if i.kind == "petition"),
            "opinions": sum(1 for i in self.items if i.kind == "opinion"),
            "answered_on_the_spot": sum(1 for i in self.items if i.answered_on_the_spot),
        }


def delegates_of(raw: str | None) -> tuple[str, ...]:
    """ "Nguyễn Văn A; Trần Thị B" (or one per line, or commas) → the delegates' names."""
    if not raw:
        return ()
    return tuple(name.strip() for name in re.split(r"[;\n,]", raw) if name.strip())[:50]


def item_of(position: int, petition: Petition) -> MeetingItem:
    """The review line of one split petition (not yet an item)."""
    return MeetingItem(
        position=position,
        kind=petition.kind.value,
        routed=petition.kind.value == "petition",
        text=petition.text,
        place=petition.place,
        voters=petition.voters,
        answered_on_the_spot=petition.answered_on_the_spot,
        answer=petition.answer,
        level=petition.level,
        section=petition.section,
    )


def review_of(split: Split) -> tuple[tuple[MeetingItem, ...], tuple[SkippedLine, ...]]:
    return (
        tuple(item_of(i, p) for i, p in enumerate(split.petitions)),
        tuple(skipped_line(s) for s in split.skipped),
    )


def skipped_line(skipped: Skipped) -> SkippedLine:
    return SkippedLine(text=skipped.text[:1000], reason=skipped.reason)


MAX_REVIEWED_LINES = 500
"""More lines than any real minutes hold (the largest sample has under 60): a runaway client."""


class ReviewedLine(BaseModel):
    """One line of an operator's reviewed split: the shape of the review's `items` (what else
    they carry, a position or a tracking code, is ignored: the order is the position)."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=20_000)
    kind: Literal["petition", "opinion"]
    place: str | None = Field(default=None, max_length=300)
    voters: str | None = Field(default=None, max_length=300)
    answered_on_the_spot: bool = False
    answer: str | None = Field(default=None, max_length=20_000)
    level: str | None = Field(default=None, max_length=40)
    section: str | None = Field(default=None, max_length=300)


_LINES = TypeAdapter(list[ReviewedLine])


class ReviewRejectedError(ValueError):
    """The reviewed lines cannot be committed; `reasons` says which and why, one per problem."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def reviewed_items(raw: str) -> tuple[MeetingItem, ...]:
    """The operator's reviewed lines (a JSON list) as the meeting's items, in their order."""
    try:
        lines = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ReviewRejectedError([f"`petitions` is not JSON: {error.msg}"]) from None
    except RecursionError:  # "[[[[…" thousands deep: not lines, and no reason for a 500
        raise ReviewRejectedError(["`petitions` is nested too deeply"]) from None
    if not isinstance(lines, list):
        raise ReviewRejectedError(["`petitions` must be a JSON list of lines"])
    if not lines:
        raise ReviewRejectedError(["`petitions` is empty: keep at least one line"])
    if len(lines) > MAX_REVIEWED_LINES:
        raise ReviewRejectedError(
            [f"`petitions` has {len(lines)} lines, at most {MAX_REVIEWED_LINES} are taken"]
        )
    try:
        parsed = _LINES.validate_python(lines)
    except ValidationError as error:
        raise ReviewRejectedError([_reason(e) for e in error.errors()]) from None
    return tuple(
        MeetingItem(
            position=position,
            kind=line.kind,
            routed=line.kind == "petition",
            text=line.text,
            place=line.place or None,
            voters=line.voters or None,
            answered_on_the_spot=line.answered_on_the_spot,
            answer=line.answer or None,
            level=line.level or None,
            section=line.section or None,
        )
        for position, line in enumerate(parsed)
    )


def _reason(error: ErrorDetails) -> str:
    """ "line 3, text: String should have at least 1 character" (lines counted from 1)."""
    where = list(error["loc"])
    line = f"line {where[0] + 1}" if where and isinstance(where[0], int) else "a line"
    field = ".".join(str(part) for part in where[1:])
    return f"{line}{', ' + field if field else ''}: {error['msg']}"
