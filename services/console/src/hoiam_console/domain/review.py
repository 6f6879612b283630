"""The review of a meeting's minutes between upload and commit (rà soát biên bản): pure rules.

Intake splits the minutes (`review=true`, nothing committed); the operator fixes the split here:
edits a line's words, kind (kiến nghị / ý kiến), place or voters, drops a line, joins a line
with the one before or splits it at a marker where the splitter missed a boundary, and restores
a skipped line. The draft keeps the uploaded file so the commit sends intake the same bytes
(the meeting's id derives from them: the same file is one meeting) with the reviewed lines.
A draft is bounded (lines, words, file) and expires a day after its upload.
"""

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

type Kind = Literal["petition", "opinion"]
KINDS: tuple[Kind, ...] = ("petition", "opinion")

SPLIT_MARKER = "||"
"""Typed into a line's words where it should become two lines."""
MAX_LINES = 500
MAX_TEXT = 20_000
MAX_FIELD = 300
MAX_FILE = 10 * 1024 * 1024
"""Bytes of one minutes file (intake's default limit for minutes)."""
REVIEW_TTL = timedelta(days=1)


class ReviewError(ValueError):
    """An edit the review cannot take (a 422 with this reason)."""


class ReviewLine(BaseModel):
    """One line of the split as the operator sees it: one petition or opinion of the minutes."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(max_length=MAX_TEXT)
    kind: Kind = "petition"
    place: str | None = Field(default=None, max_length=MAX_FIELD)
    voters: str | None = Field(default=None, max_length=MAX_FIELD)
    answered_on_the_spot: bool = False
    answer: str | None = Field(default=None, max_length=MAX_TEXT)
    level: str | None = None
    section: str | None = Field(default=None, max_length=MAX_FIELD)
    dropped: bool = False
    restored: bool = Field(default=False, description="Brought back from the skipped lines.")


class SkippedText(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    reason: str


class MinutesFile(BaseModel):
    """The uploaded file, kept as it came so the commit sends intake the same bytes."""

    model_config = ConfigDict(frozen=True)

    content: bytes = Field(max_length=MAX_FILE)
    filename: str | None = None
    content_type: str | None = None


class MeetingFields(BaseModel):
    """What the operator says of the meeting on the upload form."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    held_on: date
    place: str = Field(min_length=2, max_length=MAX_FIELD)
    delegates: str | None = Field(default=None, max_length=5000)
    constituency: str | None = Field(default=None, max_length=MAX_FIELD)


class Draft(BaseModel):
    """A review in progress; its id is the meeting id intake derived from (session, file)."""

    model_config = ConfigDict(frozen=True)

    id: str
    session_id: str
    meeting: MeetingFields
    file: MinutesFile
    lines: tuple[ReviewLine, ...] = Field(max_length=MAX_LINES)
    skipped: tuple[SkippedText, ...]
    created_by: str
    created_at: AwareDatetime
    expires_at: AwareDatetime
    version: int = 1

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    @property
    def kept(self) -> tuple[ReviewLine, ...]:
        return tuple(line for line in self.lines if not line.dropped)

    @property
    def counts(self) -> dict[str, int]:
        kept = self.kept
        return {
            "petitions": sum(1 for line in kept if line.kind == "petition"),
            "opinions": sum(1 for line in kept if line.kind == "opinion"),
            "dropped": len(self.lines) - len(kept),
            "skipped": len(self.skipped),
        }


class LineEdit(BaseModel):
    """The fields of one line as the review form sends them back."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    text: str = Field(max_length=MAX_TEXT)
    kind: Kind
    place: str | None = Field(default=None, max_length=MAX_FIELD)
    voters: str | None = Field(default=None, max_length=MAX_FIELD)
    dropped: bool = False


def start(
    *,
    draft_id: str,
    session_id: str,
    meeting: MeetingFields,
    file: MinutesFile,
    lines: tuple[ReviewLine, ...],
    skipped: tuple[SkippedText, ...],
    created_by: str,
    at: datetime,
) -> Draft:
    if len(lines) > MAX_LINES:
        raise ReviewError(f"the minutes split into more than {MAX_LINES} lines")
    return Draft(
        id=draft_id,
        session_id=session_id,
        meeting=meeting,
        file=file,
        lines=lines,
        skipped=skipped,
        created_by=created_by,
        created_at=at,
        expires_at=at + REVIEW_TTL,
    )


def _next(draft: Draft, lines: list[ReviewLine], skipped: tuple[SkippedText, ...]) -> Draft:
    if len(lines) > MAX_LINES:
        raise ReviewError(f"a review holds at most {MAX_LINES} lines")
    return draft.model_copy(
        update={"lines": tuple(lines), "skipped": skipped, "version": draft.version + 1}
    )


def _line(draft: Draft, index: int) -> ReviewLine:
    if not 0 <= index < len(draft.lines):
        raise ReviewError(f"there is no line {index + 1}")
    return draft.lines[index]


def edit(draft: Draft, edits: dict[int, LineEdit]) -> Draft:
    """The lines with the form's fields applied (a line the form did not send is unchanged).
    A kept line needs words; an emptied one is dropped rather than committed blank."""
    lines = list(draft.lines)
    for index, change in edits.items():
        line = _line(draft, index)
        words = " ".join(change.text.split())
        lines[index] = line.model_copy(
            update={
                "text": words or line.text,
                "kind": change.kind,
                "place": change.place or None,
                "voters": change.voters or None,
                "dropped": change.dropped or not words,
            }
        )
    return _next(draft, lines, draft.skipped)


def join_with_previous(draft: Draft, index: int) -> Draft:
    """Line `index` was the end of the line before it: one line, the earlier one's fields."""
    line = _line(draft, index)
    if index == 0:
        raise ReviewError("the first line has no line before it to join")
    lines = list(draft.lines)
    before = lines[index - 1]
    lines[index - 1] = before.model_copy(
        update={
            "text": f"{before.text.rstrip()} {line.text.lstrip()}"[:MAX_TEXT],
            "answer": before.answer or line.answer,
            "answered_on_the_spot": before.answered_on_the_spot or line.answered_on_the_spot,
        }
    )
    del lines[index]
    return _next(draft, lines, draft.skipped)


def split_at_marker(draft: Draft, index: int) -> Draft:
    """Line `index` held two petitions: cut at each `||` typed into it, every part keeping
    the line's place, voters and kind (the operator fixes them after if they differ)."""
    line = _line(draft, index)
    parts = [" ".join(part.split()) for part in line.text.split(SPLIT_MARKER)]
    parts = [part for part in parts if part]
    if len(parts) < 2:
        raise ReviewError(f"type {SPLIT_MARKER} into line {index + 1} where it should be split")
    lines = list(draft.lines)
    lines[index : index + 1] = [
        line.model_copy(update={"text": part, "answer": line.answer if i == 0 else None})
        for i, part in enumerate(parts)
    ]
    return _next(draft, lines, draft.skipped)


def restore(draft: Draft, skipped_index: int) -> Draft:
    """A skipped line was a petition after all: it joins the lines, at the end."""
    if not 0 <= skipped_index < len(draft.skipped):
        raise ReviewError(f"there is no skipped line {skipped_index + 1}")
    found = draft.skipped[skipped_index]
    skipped = draft.skipped[:skipped_index] + draft.skipped[skipped_index + 1 :]
    restored = ReviewLine(text=found.text, kind="petition", restored=True)
    return _next(draft, [*draft.lines, restored], skipped)


def to_commit(draft: Draft) -> tuple[ReviewLine, ...]:
    """The lines intake commits, in order; a review with nothing kept cannot be committed."""
    kept = draft.kept
    if not kept:
        raise ReviewError("every line is dropped: nothing to commit")
    for number, line in enumerate(kept, start=1):
        if len(line.text) < 3:
            raise ReviewError(f"line {number} has no words")
    return kept
