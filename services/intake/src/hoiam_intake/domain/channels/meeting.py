"""The `meeting` channel: one petition split out of a voters' meeting's minutes → one item.

The API publishes each petition of a committed meeting as its own raw record (this JSON), with
the source reference "<meeting id>:<position>", so the same minutes committed again give the same
items. The voters are the citizen (no contact: answers reach them through the commune's Front and
the delegates), the petition's place completed by the meeting's is the address the router reads.
"""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hoiam_intake.domain.folding import folded
from hoiam_intake.domain.items import feedback_item
from hoiam_intake.domain.outcomes import NewItem, Outcome
from hoiam_intake.domain.rules import Rules
from hoiam_shared.events import (
    Channel,
    Citizen,
    MeetingPetition,
    Origin,
    OriginKind,
    RawFeedbackAccepted,
)

MEETING_CONTENT_TYPE = "application/vnd.hoiam.meeting-petition+json"


class MeetingPetitionRecord(BaseModel):
    """The raw record of one petition of a meeting: what the minutes say and where it was held."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    meeting_id: str
    session_id: str
    province_code: str | None = None
    meeting_place: str = Field(min_length=1, max_length=300)
    held_on: date
    position: int = Field(ge=0)
    text: str = Field(min_length=1, max_length=20_000)
    kind: Literal["opinion", "petition"]
    voters: str | None = Field(default=None, max_length=300)
    place: str | None = Field(default=None, max_length=300)
    answered_on_the_spot: bool = False
    answer: str | None = Field(default=None, max_length=20_000)
    level: str | None = Field(default=None, max_length=40)
    section: str | None = Field(default=None, max_length=300)
    delegates: tuple[str, ...] = Field(default=(), max_length=50)
    constituency: str | None = Field(default=None, max_length=300)


def address_of(place: str | None, meeting_place: str) -> str:
    """The petition's place inside the meeting's ("ấp Thuận Chánh, xã Lợi Thuận"), once."""
    if not place:
        return meeting_place
    if folded(meeting_place) in folded(place) or folded(place) in folded(meeting_place):
        return place if len(place) > len(meeting_place) else meeting_place
    return f"{place}, {meeting_place}"


def meeting_outcome(raw: RawFeedbackAccepted, rules: Rules) -> Outcome:
    record = MeetingPetitionRecord.model_validate_json(raw.payload)
    voters = record.voters or f"Cử tri {record.meeting_place}"
    return NewItem(
        feedback_item(
            raw,
            rules,
            source_ref=raw.source_ref,
            citizen=Citizen(name=voters, preferred_channel=Channel.MEETING),
            text=record.text,
            raw_address=address_of(record.place, record.meeting_place),
            province_hint=record.province_code,
            origin=Origin(
                kind=OriginKind.MEETING,
                meeting_id=record.meeting_id,
                session_id=record.session_id,
            ),
            meeting=MeetingPetition(
                kind=record.kind,
                voters=record.voters,
                place=record.place,
                held_on=record.held_on,
                answered_on_the_spot=record.answered_on_the_spot,
                answer=record.answer,
                level=record.level,
                section=record.section,
                position=record.position,
                delegates=record.delegates,
                constituency=record.constituency,
            ),
        )
    )
