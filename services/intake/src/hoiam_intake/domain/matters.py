"""A re-sent matter (gửi lại cùng nội dung): how alike two texts of one citizen are, and why.

Citizens re-send when they hear nothing, often re-typed, without accents, or with a greeting in
front. Two texts are compared on their folded words (no case, no tones, no punctuation): the Dice
coefficient of their word pairs (bigrams), which rewards the same words in the same order and is
not fooled by one shared word. Texts of fewer than `MIN_WORDS` words say too little to compare
by measure; only the same folded words count for them. Every decision is a `Likeness` that says
the score, the threshold and what was shared.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from uuid import UUID

from pydantic import AwareDatetime, BaseModel

from hoiam_intake.domain.keys import fold

MIN_WORDS = 3
"""Below this many folded words, only the very same words make a re-sent matter."""

_WORD = re.compile(r"[a-z0-9]+")


def fold_words(text: str) -> tuple[str, ...]:
    """The words of `text` without case, tones or punctuation: "Đèn ĐƯỜNG hỏng!" → den, duong,
    hong."""
    return tuple(_WORD.findall(fold(text)))


def _pairs(words: tuple[str, ...]) -> set[tuple[str, str]]:
    return set(pairwise(words))


@dataclass(frozen=True, slots=True)
class Likeness:
    """How alike two texts are, and the reason in words (kept in logs and on the message)."""

    score: float
    same: bool
    why: str


def likeness(mine: tuple[str, ...], theirs: tuple[str, ...], *, threshold: float) -> Likeness:
    """Dice of word pairs on folded words; short texts must be the same words."""
    if len(mine) < MIN_WORDS or len(theirs) < MIN_WORDS:
        same = bool(mine) and mine == theirs
        return Likeness(
            1.0 if same else 0.0,
            same,
            f"short text ({min(len(mine), len(theirs))} words): "
            + ("the same words" if same else "not the same words"),
        )
    a, b = _pairs(mine), _pairs(theirs)
    shared = len(a & b)
    score = round(2 * shared / (len(a) + len(b)), 3)
    same = score >= threshold
    return Likeness(
        score,
        same,
        f"word-pair similarity {score} {'≥' if same else '<'} {threshold} "
        f"({shared} of {len(a)}/{len(b)} word pairs shared)",
    )


class Matter(BaseModel):
    """What one item said, kept per citizen so that a re-sent matter can be recognised."""

    item_id: UUID
    tracking_code: str
    citizen_id: str
    words: tuple[str, ...]
    at: AwareDatetime


@dataclass(frozen=True, slots=True)
class Resent:
    """The earlier item a new text repeats, and why it was judged the same matter."""

    earlier: Matter
    likeness: Likeness


def earlier_matter(
    words: tuple[str, ...],
    known: Iterable[Matter],
    *,
    item_id: UUID,
    at: datetime,
    period: timedelta,
    threshold: float,
) -> Resent | None:
    """The first earlier item (oldest wins: it is the one the citizen was told about) within
    `period` before `at` that says the same matter as `words`; None when there is none."""
    for matter in sorted(known, key=lambda m: m.at):
        if matter.item_id == item_id or not (at - period <= matter.at <= at):
            continue
        found = likeness(words, matter.words, threshold=threshold)
        if found.same:
            return Resent(matter, found)
    return None
