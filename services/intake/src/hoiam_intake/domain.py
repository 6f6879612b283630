"""Pure intake rules: what a web submission is, and how raw payloads become normalised items."""

import base64
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from hoiam_shared.events import (
    Channel,
    Citizen,
    Contacts,
    FeedbackReceived,
    FeedbackText,
    Location,
    Origin,
    OriginKind,
    RawFeedbackAccepted,
)

WEB_CONTENT_TYPE = "application/json"

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


class InvalidContactError(ValueError):
    """A phone number or email address that cannot be a real one."""


def normalise_text(text: str) -> str:
    """NFC (so one letter is one code point), tidy spaces, keep line breaks, drop control chars."""
    # Every line break (CRLF, a lone CR, NEL, U+2028...) becomes "\n" before control characters
    # go, so no break glues two words; NFC comes after, so a dropped control between a letter and
    # its mark cannot leave the pair decomposed.
    text = "\n".join(text.splitlines())
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C")
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


class WebSubmission(BaseModel):
    """What the web form (and `POST /v1/intake/web`) accepts from a citizen."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    name: str | None = Field(default=None, max_length=200)
    email: OptionalEmail = None
    phone: OptionalPhone = None
    address: str | None = Field(default=None, max_length=500)
    subject: str | None = Field(default=None, max_length=300)
    text: str = Field(min_length=3, max_length=20_000)
    consent: bool = Field(
        default=False, description="The citizen agrees that the body may see their contact details."
    )
    preferred_channel: Literal["email", "phone"] | None = None

    @model_validator(mode="after")
    def _reachable_on_preferred(self) -> "WebSubmission":
        if self.preferred_channel == "email" and not self.email:
            raise ValueError("preferred_channel is email but no email was given")
        if self.preferred_channel == "phone" and not self.phone:
            raise ValueError("preferred_channel is phone but no phone was given")
        return self


class UnsupportedChannelError(ValueError):
    """No normaliser for this channel or content type yet."""


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


def _reply_channel(submission: WebSubmission) -> Channel:
    # A web visitor gets answers where they asked, else by email, else by phone; no contact at all
    # still yields an item (anonymous feedback is allowed) that answers on the public page only.
    if submission.preferred_channel == "phone":
        return Channel.PHONE
    if submission.email:
        return Channel.EMAIL
    if submission.phone:
        return Channel.PHONE
    return Channel.WEB


def normalise_web(raw: RawFeedbackAccepted) -> FeedbackReceived:
    submission = WebSubmission.model_validate_json(raw.payload)
    return FeedbackReceived(
        correlation_id=raw.item_id,
        causation_id=raw.event_id,
        item_id=raw.item_id,
        tracking_code=raw.tracking_code,
        channel=raw.channel,
        source_ref=raw.source_ref,
        received_at=raw.received_at,
        citizen=Citizen(
            name=normalise_text(submission.name) if submission.name else None,
            contacts=Contacts(email=submission.email, phone=submission.phone),
            preferred_channel=_reply_channel(submission),
            consent=submission.consent,
        ),
        text=FeedbackText(
            original=submission.text,
            normalised=normalise_text(submission.text),
            subject=normalise_text(submission.subject) if submission.subject else None,
        ),
        location=Location(
            raw_address=normalise_text(submission.address) if submission.address else None
        ),
        origin=Origin(
            kind=OriginKind.OPEN311 if raw.channel is Channel.OPEN311 else OriginKind.WEB_FORM,
            account_id=raw.channel.value,
        ),
    )
