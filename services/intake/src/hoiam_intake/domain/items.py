"""Pure rules of one item: its text and contacts normalised, the raw record it is born as.

The raw record (`RawFeedbackAccepted`) is written before a caller is answered; every channel's
reading of it becomes one `FeedbackReceived` (built by `feedback_item`), and a later message on
a known item one `FeedbackMessageAdded` (built by `as_message`).
"""

import base64
import hashlib
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, Field

from hoiam_intake.domain.keys import identity
from hoiam_intake.domain.legacy import repair_legacy
from hoiam_intake.domain.rules import Rules
from hoiam_shared.events import (
    Attachment,
    Channel,
    Citizen,
    FeedbackMessageAdded,
    FeedbackReceived,
    FeedbackText,
    Location,
    MeetingPetition,
    Origin,
    RawFeedbackAccepted,
)

# Mobile prefixes renumbered in 2018 (11 digits → 10): old prefix → new prefix, without the 0.
_OLD_MOBILE_PREFIXES = {
    "162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37", "168": "38",
    "169": "39",  # Viettel
    "120": "70", "121": "79", "122": "77", "126": "76", "128": "78",  # MobiFone
    "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",  # VinaPhone
    "186": "56", "188": "58",  # Vietnamobile
    "199": "59",  # Gmobile
}  # fmt: skip
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SPACES = re.compile(r"[ \t\u00a0]+")
_KEPT = "\n\t\u00ad"
MAX_SUBJECT_CHARS = 1_000
MAX_ADDRESS_CHARS = 1_000
MAX_ATTACHMENTS = 100
MAX_FILENAME_CHARS = 255


class InvalidContactError(ValueError):
    """A phone number or email address that cannot be a real one."""


def normalise_text(text: str) -> str:
    """NFC (so one letter is one code point), tidy spaces, keep line breaks, drop control chars."""
    # Every line break (CRLF, a lone CR, NEL, U+2028...) becomes "\n" before control characters
    # go, so no break glues two words; NFC comes after, so a dropped control between a letter and
    # its mark cannot leave the pair decomposed.
    text = "\n".join(text.splitlines())
    # U+00AD (soft hyphen, a format character) stays: it is TCVN3's "ư", and old-font text may
    # still be repaired from the original later.
    text = "".join(c for c in text if c in _KEPT or unicodedata.category(c)[0] != "C")
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def normalise_phone(raw: str) -> str:
    """A Vietnamese phone number as E.164 (``+84…``), old 11-digit mobiles renumbered.

    Foreign numbers written with ``+`` are kept in E.164 as they are.
    """
    digits = re.sub(r"[\s.\-()/]", "", raw)
    if digits.startswith("+") and not digits.startswith("+84"):
        if re.fullmatch(r"\+[1-9]\d{6,14}", digits):
            return digits
        raise InvalidContactError(f"not a phone number: {raw!r}")
    digits = digits.removeprefix("+")
    if digits.startswith("0084"):
        digits = digits[4:]
    elif digits.startswith("84") and len(digits) >= 11:
        digits = digits[2:]
    digits = digits.removeprefix("0")
    if not digits.isdigit():
        raise InvalidContactError(f"not a phone number: {raw!r}")
    if len(digits) == 10 and digits[:3] in _OLD_MOBILE_PREFIXES:
        digits = _OLD_MOBILE_PREFIXES[digits[:3]] + digits[3:]
    # Today: mobiles are 9 digits after 0 (3x, 5x, 7x, 8x, 9x); landlines 10 digits (2xx area).
    if (len(digits) == 9 and digits[0] in "35789") or (len(digits) == 10 and digits[0] == "2"):
        return f"+84{digits}"
    raise InvalidContactError(f"not a Vietnamese phone number: {raw!r}")


def normalise_email(raw: str) -> str:
    """Trim, and lower-case the domain (the local part is the mailbox owner's to case)."""
    value = raw.strip()
    if not _EMAIL.match(value):
        raise InvalidContactError(f"not an email address: {raw!r}")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _when_given(normalise: Callable[[str], str]) -> Callable[[str | None], str | None]:
    return lambda value: normalise(value) if value else None


OptionalEmail = Annotated[
    str | None, Field(max_length=320), AfterValidator(_when_given(normalise_email))
]
"""An email field of a submission form: normalised when given, `None` when empty."""

OptionalPhone = Annotated[
    str | None, Field(max_length=40), AfterValidator(_when_given(normalise_phone))
]
"""A phone field of a submission form: E.164 when given, `None` when empty."""


def accept_raw(
    *,
    item_id: UUID,
    tracking_code: str,
    channel: Channel,
    payload: bytes,
    content_type: str,
    received_at: datetime,
    source_ref: str | None = None,
) -> RawFeedbackAccepted:
    """The raw record written before the caller is answered; the item is born here."""
    return RawFeedbackAccepted(
        occurred_at=received_at,
        correlation_id=item_id,
        item_id=item_id,
        tracking_code=tracking_code,
        channel=channel,
        source_ref=source_ref,
        received_at=received_at,
        content_type=content_type,
        # Base64Bytes validates base64 text into bytes; the raw bytes go in encoded.
        payload=base64.b64encode(payload),
    )


def feedback_item(
    raw: RawFeedbackAccepted,
    rules: Rules,
    *,
    source_ref: str | None,
    citizen: Citizen,
    text: str,
    origin: Origin,
    subject: str | None = None,
    raw_address: str | None = None,
    attachments: tuple[Attachment, ...] = (),
    province_hint: str | None = None,
    meeting: MeetingPetition | None = None,
) -> FeedbackReceived:
    """The one place a channel's reading of `raw` becomes a `FeedbackReceived`.

    Its id and tracking code are derived from `source_ref` (`keys.identity`), its words and
    address normalised, and its province hinted by the account that received it (or given, for a
    meeting of a province's session). A meeting's opinion is recorded but not routed. Like every
    event intake derives from a raw record, it occurred when that record was received.
    """
    item_id, tracking_code = identity(raw, source_ref, secret=rules.secret)
    return FeedbackReceived(
        occurred_at=raw.received_at,
        correlation_id=item_id,
        causation_id=raw.event_id,
        item_id=item_id,
        tracking_code=tracking_code,
        channel=raw.channel,
        source_ref=source_ref,
        received_at=raw.received_at,
        citizen=citizen,
        text=feedback_text(text, subject=subject, max_chars=rules.max_text_chars),
        location=Location(
            raw_address=_readable(raw_address, MAX_ADDRESS_CHARS),
            province_hint=province_hint or rules.province_of(origin.account_id),
        ),
        attachments=tuple(
            a.model_copy(update={"filename": a.filename[:MAX_FILENAME_CHARS]}) if a.filename else a
            for a in attachments[:MAX_ATTACHMENTS]
        ),
        origin=origin,
        meeting=meeting,
        to_route=meeting is None or meeting.kind == "petition",
    )


def cut_marker(length: int) -> str:
    """What ends a text cut to the length limit (the raw record keeps the whole)."""
    return f"\n\n[… Đã cắt bớt: nội dung dài {length} ký tự; bản đầy đủ được lưu ở bản gốc.]"


def feedback_text(text: str, *, subject: str | None, max_chars: int) -> FeedbackText:
    """The words as they came (`original`) and as they are read (`normalised`: old-font TCVN3 or
    VNI text repaired, NFC, spaces tidied), both cut to `max_chars` with a marker saying so;
    the subject is read the same way and kept short."""
    length = len(text)
    cut = text[:max_chars]
    normalised = normalise_text(repair_legacy(cut)[0])
    marker = cut_marker(length) if length > max_chars else ""
    return FeedbackText(
        original=cut + marker,
        normalised=normalised + marker,
        subject=_readable(subject, MAX_SUBJECT_CHARS),
        original_length=length if marker else None,
    )


def _readable(value: str | None, max_chars: int) -> str | None:
    """A short field (subject, address) repaired, normalised and kept under `max_chars`."""
    if not value:
        return None
    return normalise_text(repair_legacy(value[: max_chars * 2])[0])[:max_chars] or None


class Earlier(BaseModel):
    """An item already known, by its ids: what a reply, an edit or a duplicate points at."""

    item_id: UUID
    tracking_code: str

    @classmethod
    def of(cls, item: FeedbackReceived) -> "Earlier":
        return cls(item_id=item.item_id, tracking_code=item.tracking_code)


def edit_ref(*, source_ref: str | None, words: str) -> str:
    """The source reference of an edit: providers give an edit no id, so its words tell one edit
    from another (and the same edit delivered twice is one message)."""
    return f"{source_ref}:edit:{hashlib.sha256(words.encode()).hexdigest()[:16]}"


def as_message(
    item: FeedbackReceived,
    *,
    kind: Literal["reply", "edit", "remove", "resent"],
    source_ref: str | None,
    onto: Earlier | None = None,
) -> FeedbackMessageAdded:
    """`item`'s words as a message on a known item (`onto`, else `item` itself): a reply, an
    edit, a removal (which carries no words), or the same matter sent again."""
    target = onto or Earlier.of(item)
    return FeedbackMessageAdded(
        occurred_at=item.received_at,
        correlation_id=target.item_id,
        causation_id=item.causation_id,
        item_id=target.item_id,
        tracking_code=target.tracking_code,
        channel=item.channel,
        source_ref=source_ref,
        kind=kind,
        received_at=item.received_at,
        citizen=item.citizen,
        text=None if kind == "remove" else item.text,
        origin=item.origin,
        attachments=item.attachments,
    )
