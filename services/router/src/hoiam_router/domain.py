"""Pure routing rules: locate the province, classify the words, pick the body, explain why."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from typing import Literal

from hoiam_router.directory import Body, Category, Directory, Province
from hoiam_shared.events import FeedbackReceived, Status

CONFIDENCE_THRESHOLD = 0.5
# Due dates count from the day of receipt in Việt Nam (UTC+7, no daylight saving), not in UTC.
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
_VIETNAMESE_MARKS = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]"
)


def fold(text: str) -> str:
    """Lower-case without diacritics: ``Đường`` → ``duong``, for text typed without accents."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


class _Matcher:
    """Finds phrases as whole words; accented text is matched with accents, bare text without.

    Folding accented text would make different words meet (``đường`` road and ``Dương`` a
    place name both fold to ``duong``), so folding is kept for text that has no accents at all.
    """

    def __init__(self, text: str) -> None:
        lowered = unicodedata.normalize("NFC", text.lower())
        self._accented = bool(_VIETNAMESE_MARKS.search(lowered))
        self._text = lowered if self._accented else fold(lowered)

    def hits(self, phrases: tuple[str, ...]) -> list[str]:
        found = []
        for phrase in phrases:
            probe = unicodedata.normalize("NFC", phrase.lower())
            probe = probe if self._accented else fold(probe)
            if re.search(rf"(?<!\w){re.escape(probe)}(?!\w)", self._text):
                found.append(phrase)
        return found


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    status: Literal[Status.ROUTED, Status.TRIAGE]
    category: Category
    body: Body | None
    confidence: float
    reasons: tuple[str, ...]
    due_on: date | None


def add_working_days(start: date, days: int) -> date:
    """`days` working days (Monday–Friday) after `start`.

    Public holidays (Tết, 30/4, 2/9...) are not counted yet: they come with the router issue.
    """
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def locate(
    directory: Directory, *, address: str | None, text: str, fallback_code: str | None
) -> tuple[Province | None, str]:
    for where, source in (("address", address), ("text", text)):
        if not source:
            continue
        matcher = _Matcher(source)
        for province in directory.provinces:
            if found := matcher.hits((province.name, *province.aliases)):
                return province, f"province {province.name} from the {where} ({found[0]!r})"
    if fallback_code:
        for province in directory.provinces:
            if province.code == fallback_code:
                return province, f"province {province.name} from the receiving channel (fallback)"
    return None, "no province named in the address or text, and no fallback province"


def classify(directory: Directory, text: str) -> tuple[Category, float, str]:
    """Category by keyword weight (a phrase of n words weighs n); confidence from the margin."""
    matcher = _Matcher(text)
    scored: list[tuple[int, Category, list[str]]] = []
    for category in directory.categories:
        hits = matcher.hits(category.keywords)
        if hits:
            scored.append((sum(len(h.split()) for h in hits), category, hits))
    if not scored:
        return directory.category("other"), 0.0, "no category keyword found"
    scored.sort(key=lambda entry: entry[0], reverse=True)
    best, category, hits = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0
    confidence = min(0.95, best / (best + runner_up + 0.5))
    reason = f"category {category.code} from words {', '.join(repr(h) for h in hits)}"
    if runner_up:
        reason += f" (next: {scored[1][1].code} with weight {runner_up})"
    return category, round(confidence, 3), reason


def route(
    item: FeedbackReceived, directory: Directory, *, fallback_province: str | None
) -> RoutingDecision:
    """Decide who answers an item; anything uncertain goes to triage, never nowhere."""
    text = "\n".join(filter(None, (item.text.subject, item.text.normalised)))
    province, where = locate(
        directory,
        address=item.location.raw_address,
        text=text,
        fallback_code=item.location.province_hint or fallback_province,
    )
    category, confidence, why = classify(directory, text)
    reasons = [where, why]
    body: Body | None = None
    if province is not None:
        competent = [
            b
            for b in directory.bodies
            if b.replaced_by is None
            and province.code in b.provinces
            and category.code in b.categories
        ]
        if competent:
            body = competent[0]
            reasons.append(f"{body.name} handles {category.code} in {province.name}")
        else:
            committee = next(
                (
                    b
                    for b in directory.bodies
                    if b.level == "province_committee" and province.code in b.provinces
                ),
                None,
            )
            if committee is not None:
                body = committee
                confidence = round(confidence * 0.8, 3)
                reasons.append(f"no body for {category.code}; the province committee decides")
    if body is None or confidence < CONFIDENCE_THRESHOLD:
        reasons.append(
            f"confidence {confidence} below {CONFIDENCE_THRESHOLD}: triage"
            if body is not None
            else "no competent body: triage"
        )
        return RoutingDecision(Status.TRIAGE, category, None, confidence, tuple(reasons), None)
    received_on = item.received_at.astimezone(VIETNAM_TIME).date()
    due_on = add_working_days(received_on, body.sla_working_days)
    return RoutingDecision(Status.ROUTED, category, body, confidence, tuple(reasons), due_on)
