"""Compiling a session (tổng hợp ý kiến, kiến nghị cử tri): what its meetings raised, grouped by
level of competence, field and body, near-duplicates across meetings merged, adjusted by
operators and locked.

Pure: the items (from the read model) and the meetings (from intake) come in as values; the
adjustments and the lock come in as the log the store keeps. The same inputs give the same
compilation, so a report regenerated from them is the same document.
"""

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

type Level = Literal["central", "province", "commune", "unclassified"]
"""Thẩm quyền: trung ương / tỉnh / xã; unclassified until someone (minutes, router, operator)
says."""

LEVELS: tuple[Level, ...] = ("central", "province", "commune", "unclassified")
"""The report's order of sections (I. Trung ương, II. Tỉnh, III. Xã, then what is not placed)."""

type Kind = Literal["opinion", "petition"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- what comes in ------------------------------------------------------------------------------


class MeetingInfo(Frozen):
    """A voters' meeting (hội nghị tiếp xúc cử tri) as intake records it."""

    id: str
    held_on: date
    place: str
    delegates: tuple[str, ...] = ()
    constituency: str | None = None
    filename: str | None = None


class SessionSheet(Frozen):
    """A council session (kỳ họp) and its meetings, as intake's `GET /v1/sessions/{id}` gives
    them (the caller fetches it with the acting person's token and hands it in)."""

    id: str
    name: str
    province_code: str
    opens_on: date
    closes_on: date
    term: str | None = None
    number: int | None = None
    council_level: str = "province"
    commune_code: str | None = None
    meetings: tuple[MeetingInfo, ...] = ()


class SessionItem(Frozen):
    """One item of the session as compiling needs it: what the minutes said of it, where the
    router sent it and what came back (built from the console's read model)."""

    item_id: UUID
    tracking_code: str | None = None
    meeting_id: str
    kind: Kind = "petition"
    text: str
    voters: str | None = None
    place: str | None = None
    held_on: date | None = None
    position: int = 0
    answered_on_the_spot: bool = False
    spot_answer: str | None = Field(default=None, description="The answer given at the meeting.")
    minutes_level: str | None = Field(default=None, description="The minutes' own heading.")
    section: str | None = None
    router_level: str | None = Field(default=None, description="Level of the body it went to.")
    category_code: str | None = None
    category_name: str | None = None
    body_id: str | None = None
    body_name: str | None = None
    commune_code: str | None = None
    commune_name: str | None = None
    status: str | None = None
    answer: str | None = None


# --- operators' adjustments ----------------------------------------------------------------------


class Move(Frozen):
    """Put a petition under another level and/or field."""

    op: Literal["move"] = "move"
    key: str
    level: Level | None = None
    category_code: str | None = None
    category_name: str | None = None


class Merge(Frozen):
    """Merge petition `other` into petition `key` (every source kept)."""

    op: Literal["merge"] = "merge"
    key: str
    other: str


class Unmerge(Frozen):
    """Take one item (`item_id`) out of petition `key`, or every item apart when None."""

    op: Literal["unmerge"] = "unmerge"
    key: str
    item_id: UUID | None = None


class Drop(Frozen):
    """Leave a petition out of the report, saying why (it stays listed as dropped)."""

    op: Literal["drop"] = "drop"
    key: str
    reason: str = Field(min_length=3, max_length=500)


class Restore(Frozen):
    """Bring a dropped petition back."""

    op: Literal["restore"] = "restore"
    key: str


class Reword(Frozen):
    """Replace the summary wording the report gives for a petition."""

    op: Literal["reword"] = "reword"
    key: str
    summary: str = Field(min_length=3, max_length=4000)


type Adjustment = Annotated[
    Move | Merge | Unmerge | Drop | Restore | Reword, Field(discriminator="op")
]


class Adjusted(Frozen):
    """One adjustment as the store keeps it: who, when, in which order."""

    seq: int = Field(ge=0)
    adjustment: Adjustment
    actor: str
    at: AwareDatetime


class LockEvent(Frozen):
    """A lock or an unlock (unlock is an admin's act, with a reason); the lock keeps the
    compilation as it was, so later item changes do not move a locked report."""

    seq: int = Field(ge=0)
    action: Literal["lock", "unlock"]
    actor: str
    at: AwareDatetime
    reason: str | None = None
    snapshot: "Compilation | None" = Field(default=None, description="Set on a lock.")


# --- what comes out -------------------------------------------------------------------------------


class Source(Frozen):
    """Where a compiled petition came from: one item, its voters and its meeting."""

    item_id: UUID
    tracking_code: str | None = None
    meeting_id: str
    meeting_place: str | None = None
    held_on: date | None = None
    voters: str | None = None
    place: str | None = None
    text: str


class Similarity(Frozen):
    """Why two items were merged: the measured similarity, the bar, the shared words."""

    item_id: UUID
    with_item_id: UUID
    score: float = Field(ge=0, le=1)
    threshold: float = Field(ge=0, le=1)
    shared_words: tuple[str, ...] = ()


class CompiledPetition(Frozen):
    """One petition (or opinion) of the compilation: possibly several items merged."""

    key: str = Field(description="Its lead item's id: stable while that item stays in it.")
    kind: Kind
    summary: str
    level: Level
    category_code: str | None = None
    category_name: str | None = None
    body_id: str | None = None
    body_name: str | None = None
    sources: tuple[Source, ...]
    merged: tuple[Similarity, ...] = Field(default=(), description="Automatic merges, explained.")
    merged_by: tuple[str, ...] = Field(default=(), description="Operators who merged into it.")
    dropped: str | None = Field(default=None, description="Why it is left out of the report.")
    reworded: bool = False
    answered_on_the_spot: bool = False
    spot_answer: str | None = None
    status: str | None = None
    answer: str | None = None

    @property
    def item_ids(self) -> tuple[UUID, ...]:
        return tuple(s.item_id for s in self.sources)


class Counts(Frozen):
    """As real reports give them: "X ý kiến, kiến nghị; sau khi tổng hợp còn Y"."""

    raised: int = Field(description="Items raised (opinions and petitions), before merging.")
    petitions_raised: int
    petitions: int = Field(description="Petitions after merging (not dropped).")
    opinions_raised: int
    opinions: int = Field(description="Opinions after merging (not dropped).")
    compiled: int = Field(description="Opinions and petitions after merging (not dropped).")
    dropped: int
    answered_on_the_spot: int
    by_level: dict[str, int] = Field(default_factory=dict, description="Petitions per level.")


class Compilation(Frozen):
    """A session's compilation: petitions and opinions, counted, possibly locked."""

    session_id: str
    petitions: tuple[CompiledPetition, ...]
    opinions: tuple[CompiledPetition, ...]
    dropped: tuple[CompiledPetition, ...]
    counts: Counts
    threshold: float
    adjustments: tuple[Adjusted, ...] = ()
    locked: LockEvent | None = Field(default=None, description="The lock in force, if any.")

    def grouped(self) -> list[tuple[Level, list[tuple[str, list[CompiledPetition]]]]]:
        """Petitions by level (report order), then by field (category name): the report's
        sections and subsections, empty ones left out."""
        raise NotImplementedError

    def petition(self, key: str) -> CompiledPetition | None:
        """The petition, opinion or dropped entry `key` names (or that holds item `key`)."""
        raise NotImplementedError


class CompilationLockedError(Exception):
    """The compilation is locked: adjustments are refused until an admin unlocks it."""


class UnknownPetitionError(Exception):
    """An adjustment names a petition the compilation does not have."""


MERGE_THRESHOLD = 0.5
"""Cosine similarity of the folded, weighted words above which two items of different
meetings are the same petition (measured on the real minutes in services/intake/data)."""


def compile_session(
    sheet: SessionSheet,
    items: list[SessionItem],
    *,
    adjustments: tuple[Adjusted, ...] = (),
    threshold: float = MERGE_THRESHOLD,
) -> Compilation:
    """The compilation of `sheet` from its items, near-duplicates merged, then `adjustments`
    applied in order (an adjustment naming a petition that is gone is ignored)."""
    raise NotImplementedError


def level_of(item: SessionItem) -> Level:
    """The minutes' own level when they gave one, else the level of the body it was routed to."""
    raise NotImplementedError


class ReportHeading(Frozen):
    """The administrative header of a report: who issues it, its number, where and when.
    Every field has a default drawn from the session (never from the wall clock)."""

    parent: str | None = Field(default=None, description='e.g. "HĐND TỈNH VĨNH LONG".')
    issuer: str | None = Field(default=None, description='e.g. "THƯỜNG TRỰC HĐND".')
    number: str | None = Field(default=None, description='e.g. "125/BC-HĐND".')
    place: str | None = Field(default=None, description='e.g. "Vĩnh Long".')
    on: date | None = Field(default=None, description="The report's date.")
    author: str | None = Field(default=None, description="The document's author property.")


LockEvent.model_rebuild()
