"""What the public may see of an item, and when a citizen may rate it: pure rules.

The status page is reachable by anyone holding the tracking code, so it carries no personal
data: never the citizen's name or contacts, never the routing reasons or messages (they quote the
text), and the text itself only when the citizen consented to its publication; otherwise a
neutral line (the field and the commune) stands for it.
"""

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hoiam_console.domain.masking import mask
from hoiam_console.domain.readmodel import ItemRecord
from hoiam_shared.clock import vietnam_date
from hoiam_shared.events import Status

RATEABLE = frozenset({Status.RESOLVED, Status.CLOSED})
"""A rating is of an answer: only an item that was answered (resolved, or closed after) has one."""

LOW_SCORE = 2
"""At or below this score the item goes back to its body (the router reopens it)."""


class PublicStep(BaseModel):
    """One dated step of the timeline: a status, and the body it was with."""

    model_config = ConfigDict(frozen=True)

    at: AwareDatetime
    on: date = Field(description="The day in Vietnam time.")
    status: Status
    body_name: str | None = None


class PublicItem(BaseModel):
    """The status page and its JSON twin: everything here may be read by anyone with the code."""

    model_config = ConfigDict(frozen=True)

    tracking_code: str
    status: Status | None
    body_name: str | None = None
    due_on: date | None = None
    received_on: date | None = None
    category_name: str | None = None
    commune_name: str | None = None
    published_text: str | None = Field(
        default=None, description="The petition's words, only when the citizen consented."
    )
    answer: str | None = None
    timeline: tuple[PublicStep, ...] = ()
    rating: int | None = None
    rateable: bool = False


def public_item(record: ItemRecord) -> PublicItem:
    """The public view of `record`; what is not copied here never reaches a public page."""
    steps: list[PublicStep] = []
    for entry in record.sorted_history():
        if entry.kind == "received":
            steps.append(PublicStep(at=entry.at, on=vietnam_date(entry.at), status=Status.RECEIVED))
        elif entry.kind in ("routed", "status") and entry.status is not None:
            if steps and steps[-1].status == entry.status and entry.change != "reassigned":
                continue  # an overdue or escalation notice repeats the status: one step
            steps.append(
                PublicStep(
                    at=entry.at,
                    on=vietnam_date(entry.at),
                    status=entry.status,
                    body_name=entry.body_name,
                )
            )
    return PublicItem(
        tracking_code=record.tracking_code or "",
        status=record.status,
        body_name=record.body_name,
        due_on=record.due_on,
        received_on=vietnam_date(record.received_at) if record.received_at else None,
        category_name=record.category_name,
        commune_name=record.commune_name,
        published_text=masked(record.text, record.citizen_name)
        if record.publication_consent and record.text
        else None,
        answer=record.answer if record.status in RATEABLE | {Status.REJECTED} else None,
        timeline=tuple(steps),
        rating=record.rating_score,
        rateable=may_rate(record) is None,
    )


def masked(text: str, name: str | None) -> str:
    """A consented text as published: its phones, emails, ids, house numbers and the names it
    carries masked, the writer's own name above all (a consent to publish the matter is not one
    to publish how to reach them); the archive's drafts use the same rule (`masking`)."""
    return mask(text, names=[name] if name else []).text


class RatingRefusedError(Exception):
    """A rating that cannot be taken (409): not answered yet, or rated already."""


def may_rate(record: ItemRecord) -> str | None:
    """Why `record` cannot be rated now, or None when it can."""
    if record.status not in RATEABLE:
        return "not_resolved"
    if record.rating_score is not None:
        return "already_rated"
    return None


class Rating(BaseModel):
    """A citizen's rating of an item's answer, as the console keeps it (one per item)."""

    model_config = ConfigDict(frozen=True)

    item_id: UUID
    tracking_code: str
    score: int = Field(ge=1, le=5)
    reason: str | None = None
    body_id: str | None = None
    body_name: str | None = None
    rated_at: AwareDatetime


class Satisfaction(BaseModel):
    """One body's ratings, for the dashboard."""

    model_config = ConfigDict(frozen=True)

    body_id: str | None
    body_name: str | None
    ratings: int
    mean: float
    low: int = Field(description="Ratings at or below LOW_SCORE: items sent back to the body.")
    by_score: dict[int, int]


def satisfaction(ratings: Sequence[Rating]) -> list[Satisfaction]:
    """Satisfaction per body, the least satisfied first (then by name)."""
    groups: dict[str | None, list[Rating]] = {}
    for rating in ratings:
        groups.setdefault(rating.body_id, []).append(rating)
    found = [
        Satisfaction(
            body_id=body_id,
            body_name=next((r.body_name for r in group if r.body_name), None),
            ratings=len(group),
            mean=round(sum(r.score for r in group) / len(group), 2),
            low=sum(1 for r in group if r.score <= LOW_SCORE),
            by_score={s: sum(1 for r in group if r.score == s) for s in range(1, 6)},
        )
        for body_id, group in groups.items()
    ]
    return sorted(found, key=lambda s: (s.mean, s.body_name or ""))
