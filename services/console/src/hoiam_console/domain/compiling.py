"""Compiling a session (tổng hợp ý kiến, kiến nghị cử tri): what its meetings raised, grouped by
level of competence, field and body, near-duplicates across meetings merged, adjusted by
operators and locked.

Pure: the items (from the read model) and the meetings (from intake) come in as values; the
adjustments and the lock come in as the log the store keeps. The same inputs give the same
compilation, so a report regenerated from them is the same document.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hoiam_console.domain.likeness import Corpus, fold
from hoiam_console.domain.readmodel import ItemRecord

type Level = Literal["central", "province", "commune", "unclassified"]
"""Thẩm quyền: trung ương / tỉnh / xã; unclassified until someone (minutes, router, operator)
says."""

LEVELS: tuple[Level, ...] = ("central", "province", "commune", "unclassified")
"""The report's order of sections (I. Trung ương, II. Tỉnh, III. Xã, then what is not placed)."""

type Kind = Literal["opinion", "petition"]

OTHER_FIELD = "Lĩnh vực khác"
"""The subsection of petitions no field was given for."""

ROUTER_LEVELS: dict[str, Level] = {
    "national": "central",
    "province_committee": "province",
    "province_department": "province",
    "utility": "province",
    "commune": "commune",
}
"""The router's body levels as the report's levels of competence (a utility is the province's)."""

MINUTES_LEVELS: dict[str, Level] = {
    "central": "central",
    "province": "province",
    "commune": "commune",
}
"""The levels the minutes splitter reads from a heading ("I. Kiến nghị thuộc thẩm quyền …")."""


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
    province_name: str | None = Field(default=None, description='e.g. "Vĩnh Long".')
    meetings: tuple[MeetingInfo, ...] = ()


def sheet_of(view: Mapping[str, Any], *, province_name: str | None = None) -> SessionSheet:
    """The sheet of intake's `GET /v1/sessions/{id}` answer (``{"session": …, "meetings": […]}``),
    keeping the fields compiling uses and ignoring the rest (counts, compile dates, …)."""
    session = dict(view["session"])
    known = {k: session[k] for k in SessionSheet.model_fields if k in session}
    meetings = tuple(
        MeetingInfo.model_validate({k: m[k] for k in MeetingInfo.model_fields if k in m})
        for m in view.get("meetings", ())
    )
    return SessionSheet.model_validate(
        known | {"meetings": meetings, "province_name": province_name or known.get("province_name")}
    )


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
    commune_code: str | None = None
    commune_name: str | None = None
    text: str
    status: str | None = None
    answer: str | None = None


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

    @property
    def field(self) -> str:
        """The report's subsection: the category's name, or "Lĩnh vực khác"."""
        return self.category_name or OTHER_FIELD


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
        out: list[tuple[Level, list[tuple[str, list[CompiledPetition]]]]] = []
        for level in LEVELS:
            fields: dict[str, list[CompiledPetition]] = {}
            for petition in self.petitions:
                if petition.level == level:
                    fields.setdefault(petition.field, []).append(petition)
            if fields:
                out.append((level, list(fields.items())))
        return out

    def by_body(self) -> list[tuple[str, list[CompiledPetition]]]:
        """Petitions by the body they went to (name order, report order within), those with no
        body yet last: what each body has to answer."""
        bodies: dict[str, list[CompiledPetition]] = {}
        for petition in self.petitions:
            bodies.setdefault(petition.body_name or "", []).append(petition)
        return sorted(bodies.items(), key=lambda kv: (kv[0] == "", kv[0]))

    def petition(self, key: str) -> CompiledPetition | None:
        """The petition, opinion or dropped entry `key` names (or that holds item `key`)."""
        every = (*self.petitions, *self.opinions, *self.dropped)
        for petition in every:
            if petition.key == key:
                return petition
        for petition in every:
            if any(str(i) == key for i in petition.item_ids):
                return petition
        return None


class CompilationLockedError(Exception):
    """The compilation is locked: adjustments are refused until an admin unlocks it."""


class UnknownPetitionError(Exception):
    """An adjustment names a petition the compilation does not have."""


MERGE_THRESHOLD = 0.5
"""Cosine similarity of weighted words (likeness.py) at or above which two items of different
meetings are the same petition. Measured on the 177 petitions the splitter finds in the real
minutes of services/intake/data/minutes (15,576 pairs): only two pairs reach it, both one ask
written twice on one page (1.0 and 0.53); the closest different asks of different places score
0.49 ("chế độ chính sách người có công") and below (tests/unit/console/test_compiling.py)."""


def level_of(item: SessionItem) -> Level:
    """The minutes' own level when they gave one, else the level of the body it was routed to."""
    minutes = MINUTES_LEVELS.get(item.minutes_level or "")
    if minutes is not None:
        return minutes
    if item.router_level is not None:
        return ROUTER_LEVELS.get(item.router_level, "unclassified")
    return "unclassified"


@dataclass
class _Group:
    """A petition while it is being compiled: its items and what operators changed of it."""

    key: str
    items: list[SessionItem]
    merged: list[Similarity] = field(default_factory=list)
    merged_by: list[str] = field(default_factory=list)
    level: Level | None = None
    category: tuple[str | None, str | None] | None = None
    summary: str | None = None
    dropped: str | None = None


class _Groups:
    def __init__(self, order: dict[UUID, int]) -> None:
        self.order = order
        self.groups: list[_Group] = []

    def find(self, key: str) -> _Group | None:
        for group in self.groups:
            if group.key == key:
                return group
        for group in self.groups:
            if any(str(i.item_id) == key for i in group.items):
                return group
        return None

    def sort(self, group: _Group) -> None:
        group.items.sort(key=lambda i: self.order[i.item_id])


def _merge_automatically(items: list[SessionItem], groups: _Groups, threshold: float) -> None:
    """Link every two items of one kind from different meetings alike enough, and group
    what is linked (each link kept, to explain the merge)."""
    corpus = Corpus([i.text for i in items])
    parent = list(range(len(items)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    links: list[tuple[int, int, Similarity]] = []
    for a, b, _ in corpus.alike(threshold):
        x, y = items[a], items[b]
        if x.kind != y.kind or x.meeting_id == y.meeting_id:
            continue
        alike = corpus.likeness(a, b)  # the rounded score and the shared terms, to explain it
        links.append((a, b, Similarity(
            item_id=x.item_id, with_item_id=y.item_id, score=alike.score,
            threshold=threshold, shared_words=alike.shared,
        )))  # fmt: skip
        parent[root(b)] = root(a)
    members: dict[int, list[int]] = {}
    for k in range(len(items)):
        members.setdefault(root(k), []).append(k)
    for ks in members.values():
        group = _Group(key=str(items[ks[0]].item_id), items=[items[k] for k in ks])
        group.merged = [s for a, _, s in links if root(a) == root(ks[0])]
        groups.groups.append(group)


def _apply(groups: _Groups, adjusted: Adjusted) -> None:
    """One operator's adjustment; one naming a petition that is no longer there does nothing."""
    change = adjusted.adjustment
    group = groups.find(change.key)
    if group is None:
        return
    if isinstance(change, Move):
        if change.level is not None:
            group.level = change.level
        if change.category_code is not None or change.category_name is not None:
            group.category = (change.category_code, change.category_name)
    elif isinstance(change, Merge):
        other = groups.find(change.other)
        if other is None or other is group:
            return
        group.items += other.items
        group.merged += other.merged
        group.merged_by += [*other.merged_by, adjusted.actor]
        groups.groups.remove(other)
        groups.sort(group)
    elif isinstance(change, Unmerge):
        leaving = [i for i in group.items if change.item_id is None or i.item_id == change.item_id]
        if change.item_id is None:
            leaving = leaving[1:]  # the lead item stays, every other one leaves
        for item in leaving:
            group.items.remove(item)
            groups.groups.append(_Group(key=str(item.item_id), items=[item]))
        gone = {i.item_id for i in leaving}
        group.merged = [
            s for s in group.merged if s.item_id not in gone and s.with_item_id not in gone
        ]
        if group.items and all(str(i.item_id) != group.key for i in group.items):
            group.key = str(group.items[0].item_id)
    elif isinstance(change, Drop):
        group.dropped = change.reason
    elif isinstance(change, Restore):
        group.dropped = None
    else:
        group.summary = change.summary


def _first[T](values: list[T | None]) -> T | None:
    return next((v for v in values if v is not None), None)


def _compiled(group: _Group, meetings: dict[str, MeetingInfo]) -> CompiledPetition:
    lead = group.items[0]
    levels = [level_of(i) for i in group.items]
    placed: Level = next((lv for lv in levels if lv != "unclassified"), "unclassified")
    level = group.level or placed
    with_category = next((i for i in group.items if i.category_name), None)
    code, name = group.category or (
        (with_category.category_code, with_category.category_name)
        if with_category
        else (None, None)
    )
    with_body = next((i for i in group.items if i.body_id), lead)
    answered = next((i for i in group.items if i.answer), None)
    return CompiledPetition(
        key=group.key,
        kind=lead.kind,
        summary=group.summary or lead.text,
        level=level,
        category_code=code,
        category_name=name,
        body_id=with_body.body_id,
        body_name=with_body.body_name,
        sources=tuple(
            Source(
                item_id=i.item_id,
                tracking_code=i.tracking_code,
                meeting_id=i.meeting_id,
                meeting_place=meetings[i.meeting_id].place if i.meeting_id in meetings else None,
                held_on=i.held_on
                or (meetings[i.meeting_id].held_on if i.meeting_id in meetings else None),
                voters=i.voters,
                place=i.place,
                commune_code=i.commune_code,
                commune_name=i.commune_name,
                text=i.text,
                status=i.status,
                answer=i.answer,
            )
            for i in group.items
        ),
        merged=tuple(group.merged),
        merged_by=tuple(dict.fromkeys(group.merged_by)),
        dropped=group.dropped,
        reworded=group.summary is not None,
        answered_on_the_spot=any(i.answered_on_the_spot for i in group.items),
        spot_answer=_first([i.spot_answer for i in group.items]),
        status=(answered or with_body).status,
        answer=answered.answer if answered else None,
    )


def compile_session(
    sheet: SessionSheet,
    items: list[SessionItem],
    *,
    adjustments: tuple[Adjusted, ...] = (),
    threshold: float = MERGE_THRESHOLD,
) -> Compilation:
    """The compilation of `sheet` from its items, near-duplicates merged, then `adjustments`
    applied in order (an adjustment naming a petition that is gone is ignored)."""
    meetings = {m.id: m for m in sheet.meetings}
    rank = {m.id: (m.held_on, k) for k, m in enumerate(sheet.meetings)}
    far = (date.max, len(rank))
    ordered = sorted(
        items, key=lambda i: (rank.get(i.meeting_id, far), i.meeting_id, i.position, str(i.item_id))
    )
    groups = _Groups({i.item_id: k for k, i in enumerate(ordered)})
    _merge_automatically(ordered, groups, threshold)
    for adjusted in sorted(adjustments, key=lambda a: a.seq):
        _apply(groups, adjusted)
    compiled = [_compiled(g, meetings) for g in groups.groups if g.items]
    place = {lv: k for k, lv in enumerate(LEVELS)}
    first = groups.order

    def report_order(p: CompiledPetition) -> tuple[int, bool, str, str, int]:
        # Fields in Vietnamese order (folded: Đ with D), "other fields" last.
        other = p.field == OTHER_FIELD
        return (place[p.level], other, fold(p.field), p.field, first[p.sources[0].item_id])

    kept = sorted((p for p in compiled if p.dropped is None), key=report_order)
    petitions = tuple(p for p in kept if p.kind == "petition")
    opinions = tuple(p for p in kept if p.kind == "opinion")
    dropped = tuple(sorted((p for p in compiled if p.dropped is not None), key=report_order))
    counts = Counts(
        raised=len(items),
        petitions_raised=sum(1 for i in items if i.kind == "petition"),
        petitions=len(petitions),
        opinions_raised=sum(1 for i in items if i.kind == "opinion"),
        opinions=len(opinions),
        compiled=len(petitions) + len(opinions),
        dropped=len(dropped),
        answered_on_the_spot=sum(1 for i in items if i.answered_on_the_spot),
        by_level={lv: sum(1 for p in petitions if p.level == lv) for lv in LEVELS},
    )
    return Compilation(
        session_id=sheet.id,
        petitions=petitions,
        opinions=opinions,
        dropped=dropped,
        counts=counts,
        threshold=threshold,
        adjustments=tuple(sorted(adjustments, key=lambda a: a.seq)),
    )


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


def session_item_of(record: ItemRecord) -> SessionItem | None:
    """A read model record as compiling sees it; None for an item of no voters' meeting."""
    if record.meeting_id is None:
        return None
    minutes = record.meeting
    return SessionItem(
        item_id=record.item_id,
        tracking_code=record.tracking_code,
        meeting_id=record.meeting_id,
        kind=minutes.kind if minutes else "petition",
        text=record.text or record.subject or "",
        voters=(minutes.voters if minutes else None) or record.citizen_name,
        place=(minutes.place if minutes else None) or record.raw_address,
        held_on=minutes.held_on if minutes else None,
        position=minutes.position if minutes else 0,
        answered_on_the_spot=minutes.answered_on_the_spot if minutes else False,
        spot_answer=minutes.answer if minutes else None,
        minutes_level=minutes.level if minutes else None,
        section=minutes.section if minutes else None,
        router_level=record.body_level or record.level,
        category_code=record.category_code,
        category_name=record.category_name,
        body_id=record.body_id,
        body_name=record.body_name,
        commune_code=record.commune_code,
        commune_name=record.commune_name,
        status=record.status.value if record.status else None,
        answer=record.answer,
    )


def refreshed(compilation: Compilation, records: dict[UUID, ItemRecord]) -> Compilation:
    """A locked compilation with its items' statuses, bodies and answers as they are now: the
    grouping, levels and wording stay as locked, the results move on."""

    def now(petition: CompiledPetition) -> CompiledPetition:
        sources = tuple(
            s.model_copy(
                update={"status": r.status.value if r.status else s.status, "answer": r.answer}
            )
            if (r := records.get(s.item_id)) is not None
            else s
            for s in petition.sources
        )
        known = [records[s.item_id] for s in petition.sources if s.item_id in records]
        answered = next((r for r in known if r.answer), None)
        with_body = next((r for r in known if r.body_id), None)
        lead = answered or with_body
        return petition.model_copy(
            update={
                "sources": sources,
                "status": lead.status.value if lead and lead.status else petition.status,
                "answer": answered.answer if answered else petition.answer,
                "body_id": with_body.body_id if with_body else petition.body_id,
                "body_name": with_body.body_name if with_body else petition.body_name,
            }
        )

    return compilation.model_copy(
        update={
            "petitions": tuple(map(now, compilation.petitions)),
            "opinions": tuple(map(now, compilation.opinions)),
        }
    )
