"""Council sessions (kỳ họp) and their voters' meetings (tiếp xúc cử tri), as intake records them.

A session's compile windows follow from its dates: the delegation and the Front compile what
voters raised at the latest 15 days before the session opens and 15 days after it closes
(WORKFLOW.md). A meeting is one set of minutes committed under a session; the same file bytes
under the same session are the same meeting.
"""

import re
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

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
