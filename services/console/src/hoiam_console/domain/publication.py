"""Publishing an answered petition to the public archive, and searching that archive: pure rules.

An operator approves what the public reads: a draft is built from the item with its personal
data masked (`masking`): the petition's words only when the citizen consented to publication,
otherwise the neutral line of the status page (the field and the place), and the answer. The
operator may edit both; what they approve is masked again for the kinds never published
(phones, emails, ids, house numbers, the citizen's own name), and a summary of an item without
consent may not quote the citizen's words. One publication per item (`publication_id`): a
re-approval replaces the entry, a withdrawal takes it out (the last event wins).
"""

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hoiam_console.domain.folding import fold_words
from hoiam_console.domain.masking import Mask, mask
from hoiam_console.domain.readmodel import ItemRecord
from hoiam_console.i18n import translate
from hoiam_shared.clock import vietnam_date
from hoiam_shared.events import AnswerPublished, Status

PUBLISHABLE = frozenset({Status.RESOLVED, Status.CLOSED})
"""Only an answered item (resolved, or closed after it) has an answer to publish."""

WITHDRAWN_TEXT = "[đã rút khỏi kho trả lời]"
"""What a withdrawal carries instead of the texts: the topic is compacted and kept for ever, so
the withdrawn words must not stay on it."""

QUOTE_WORDS = 8
"""A summary of an item published without consent may not share this many words in a row with
the citizen's text (it would be their words, which they did not agree to publish)."""

_NAMESPACE = uuid5(NAMESPACE_URL, "https://hoi-am.example/publications")


class PublicationRefusedError(Exception):
    """Publishing or withdrawing cannot happen now (409): `not_answered`, `not_published`."""


def publication_id(item_id: UUID) -> str:
    """Stable per item, so approving it again replaces the entry (the topic's key)."""
    return str(uuid5(_NAMESPACE, str(item_id)))


def refusal(record: ItemRecord) -> str | None:
    """Why `record` cannot be published now, or None when it can."""
    if record.status not in PUBLISHABLE or not (record.answer or "").strip():
        return "not_answered"
    return None


def neutral_summary(record: ItemRecord) -> str:
    """The status page's line for a petition whose words may not be shown."""
    return translate(
        "public.status.summary",
        "vi",
        category=record.category_name or translate("public.status.no_category", "vi"),
        place=record.commune_name or translate("public.status.no_place", "vi"),
    )


class Draft(BaseModel):
    """What an operator sees before approving: masked texts and what was masked in each."""

    model_config = ConfigDict(frozen=True)

    publication_id: str
    tracking_code: str
    consented: bool = Field(description="The citizen agreed that their words be published.")
    summary: str
    answer: str
    summary_masks: tuple[Mask, ...] = ()
    answer_masks: tuple[Mask, ...] = ()


def _names(record: ItemRecord) -> list[str]:
    return [record.citizen_name] if record.citizen_name else []


def draft_of(record: ItemRecord) -> Draft:
    """The masked draft of an answered item (PublicationRefusedError when it is not)."""
    why = refusal(record)
    if why is not None:
        raise PublicationRefusedError(why)
    answer = mask(record.answer or "", names=_names(record))
    if record.publication_consent and record.text:
        summary = mask(record.text, names=_names(record))
        summary_text, summary_masks = summary.text, summary.masks
    else:
        summary_text, summary_masks = neutral_summary(record), ()
    return Draft(
        publication_id=publication_id(record.item_id),
        tracking_code=record.tracking_code or "",
        consented=record.publication_consent,
        summary=summary_text,
        answer=answer.text,
        summary_masks=summary_masks,
        answer_masks=answer.masks,
    )


def _quotes(summary: str, text: str) -> bool:
    said = fold_words(text)
    grams = {said[i : i + QUOTE_WORDS] for i in range(len(said) - QUOTE_WORDS + 1)}
    written = fold_words(summary)
    return any(written[i : i + QUOTE_WORDS] in grams for i in range(len(written) - QUOTE_WORDS + 1))


def answered_on(record: ItemRecord) -> date | None:
    """The day (Vietnam time) of the item's last resolution."""
    days = [
        vietnam_date(e.at)
        for e in record.sorted_history()
        if e.kind == "status" and e.status is Status.RESOLVED
    ]
    return days[-1] if days else None


def approved(
    record: ItemRecord, *, summary: str, answer: str, approved_by: str, at: datetime
) -> AnswerPublished:
    """The event of an operator's approval of `summary` and `answer` for `record`.

    ValueError (422) for an empty text or a summary quoting a text published without consent;
    PublicationRefusedError (409) when the item has no answer."""
    why = refusal(record)
    if why is not None:
        raise PublicationRefusedError(why)
    names = _names(record)
    summary = mask(summary.strip(), names=names, hard_only=True).text
    answer = mask(answer.strip(), names=names, hard_only=True).text
    if not summary or not answer:
        raise ValueError("the summary and the answer may not be empty")
    if not record.publication_consent and record.text and _quotes(summary, record.text):
        raise ValueError(
            "the citizen did not consent to publishing their words: the summary may describe "
            "the matter, not quote the petition"
        )
    return _event(record, summary=summary, answer=answer, by=approved_by, at=at)


def withdrawal(record: ItemRecord, *, withdrawn_by: str, at: datetime) -> AnswerPublished:
    """The event taking `record`'s entry out of the archive."""
    return _event(
        record, summary=WITHDRAWN_TEXT, answer=WITHDRAWN_TEXT, by=withdrawn_by, at=at,
        withdrawn=True,
    )  # fmt: skip


def _event(
    record: ItemRecord, *, summary: str, answer: str, by: str, at: datetime, withdrawn: bool = False
) -> AnswerPublished:
    """The one place an `AnswerPublished` is assembled."""
    return AnswerPublished(
        occurred_at=at,
        correlation_id=record.item_id,
        publication_id=publication_id(record.item_id),
        item_id=record.item_id,
        tracking_code=record.tracking_code or "",
        summary=summary[:5_000],
        answer=answer[:20_000],
        body_id=record.body_id,
        body_name=record.body_name,
        category_code=record.category_code,
        category_name=record.category_name,
        province_code=record.province_code,
        province_name=record.province_name,
        commune_code=record.commune_code,
        commune_name=record.commune_name,
        session_id=record.session_id,
        answered_on=answered_on(record),
        approved_by=by,
        withdrawn=withdrawn,
        published_at=at,
    )


# --- the archive --------------------------------------------------------------------------------


def order_key(event: AnswerPublished) -> str:
    """Which of two events of one publication is the later: its time, then its (time-ordered)
    id; fixed-width text, so a store compares it as a string."""
    at = event.published_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return f"{at}|{event.event_id}"


class ArchiveEntry(BaseModel):
    """One published answer as the archive keeps it (withdrawn entries are kept as tombstones,
    so a late copy of an older approval cannot bring them back)."""

    model_config = ConfigDict(frozen=True)

    publication_id: str
    item_id: UUID
    tracking_code: str
    summary: str
    answer: str
    body_name: str | None = None
    category_code: str | None = None
    category_name: str | None = None
    province_code: str | None = None
    province_name: str | None = None
    commune_code: str | None = None
    commune_name: str | None = None
    session_id: str | None = None
    answered_on: date | None = None
    published_at: AwareDatetime
    withdrawn: bool = False
    order: str
    words: tuple[str, ...] = Field(
        description="The folded words searched: summary, answer, field, place, body."
    )

    @classmethod
    def of(cls, event: AnswerPublished) -> "ArchiveEntry":
        # The field, the place and the body are searched too: "sat lo tieu can" finds it.
        searched = [
            event.summary,
            event.answer,
            *(event.category_name, event.commune_name, event.province_name, event.body_name),
        ]
        return cls(
            **event.model_dump(
                include={
                    "publication_id", "item_id", "tracking_code", "summary", "answer",
                    "body_name", "category_code", "category_name", "province_code",
                    "province_name", "commune_code", "commune_name", "session_id",
                    "answered_on", "published_at", "withdrawn",
                }
            ),
            order=order_key(event),
            words=tuple(dict.fromkeys(fold_words(" ".join(w for w in searched if w)))),
        )  # fmt: skip


class PublicAnswer(BaseModel):
    """An archive entry as anyone may read it (`/answers`, its JSON twin)."""

    model_config = ConfigDict(frozen=True)

    publication_id: str
    tracking_code: str
    summary: str
    answer: str
    body_name: str | None
    category_code: str | None
    category_name: str | None
    province_name: str | None
    commune_name: str | None
    session_id: str | None
    answered_on: date | None
    published_on: date
    link: str
    status_link: str

    @classmethod
    def of(cls, entry: ArchiveEntry) -> "PublicAnswer":
        return cls(
            **entry.model_dump(
                include={
                    "publication_id", "tracking_code", "summary", "answer", "body_name",
                    "category_code", "category_name", "province_name", "commune_name",
                    "session_id", "answered_on",
                }
            ),
            published_on=vietnam_date(entry.published_at),
            link=f"/answers/{entry.publication_id}",
            status_link=f"/t/{entry.tracking_code}",
        )  # fmt: skip


PAGE_SIZE = 10


class ArchiveQuery(BaseModel):
    """A search of the archive: every word (folded) must appear; places, field and session
    narrow it. `commune_codes` is every current commune the asked place may be."""

    model_config = ConfigDict(frozen=True)

    words: tuple[str, ...] = ()
    province_code: str | None = None
    commune_codes: tuple[str, ...] | None = None
    category_code: str | None = None
    session_id: str | None = None
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=PAGE_SIZE, ge=1, le=50)

    @property
    def skip(self) -> int:
        return (self.page - 1) * self.page_size


def query_words(text: str | None) -> tuple[str, ...]:
    """The words of a search box, folded (so "duong bi sat lo" finds "đường bị sạt lở")."""
    return tuple(dict.fromkeys(fold_words((text or "")[:200])))[:12]


def matches(entry: ArchiveEntry, query: ArchiveQuery) -> bool:
    """Whether `entry` answers `query` (the rule the store's query reproduces)."""
    if entry.withdrawn:
        return False
    if query.words and not set(query.words) <= set(entry.words):
        return False
    if query.province_code is not None and entry.province_code != query.province_code:
        return False
    if query.commune_codes is not None and entry.commune_code not in query.commune_codes:
        return False
    if query.category_code is not None and entry.category_code != query.category_code:
        return False
    return query.session_id is None or entry.session_id == query.session_id


def newest_first(entries: Sequence[ArchiveEntry]) -> list[ArchiveEntry]:
    """The archive's order: the latest answers first, then the latest published."""
    return sorted(
        entries,
        key=lambda e: ((e.answered_on or date.min).isoformat(), e.order),
        reverse=True,
    )


class ArchivePage(BaseModel):
    """One page of a search."""

    model_config = ConfigDict(frozen=True)

    entries: tuple[ArchiveEntry, ...]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


class Facet(BaseModel):
    """A value the archive can be narrowed by, with its name."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str


SAFE_CODE = re.compile(r"^[\w.-]{1,64}$")
"""Category codes and session ids as the archive's filters accept them."""
