"""The web form (and `POST /v1/intake/web`): what a citizen submits, and the item it becomes."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hoiam_intake.domain.items import (
    OptionalEmail,
    OptionalPhone,
    feedback_item,
    normalise_text,
)
from hoiam_intake.domain.rules import Rules
from hoiam_shared.events import (
    Attachment,
    Channel,
    Citizen,
    Contacts,
    FeedbackReceived,
    Origin,
    OriginKind,
    RawFeedbackAccepted,
)

WEB_CONTENT_TYPE = "application/json"
WEB_PHOTOS_CONTENT_TYPE = "application/vnd.hoiam.web-photos+json"
"""The raw record of a form sent with photos: a `WebWithPhotos` (the bytes are in the
attachment store, not on Kafka). A plain JSON post cannot name attachments: nobody may claim
photos that intake did not take in with that very submission."""


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
    publication_consent: bool = Field(
        default=False,
        description="The citizen agrees that their text (contacts masked) may be published.",
    )
    # "zalo": a web visitor has no Zalo user id, but a ZNS template reaches their phone number.
    preferred_channel: Literal["email", "phone", "zalo"] | None = None

    @model_validator(mode="after")
    def _reachable_on_preferred(self) -> "WebSubmission":
        if self.preferred_channel == "email" and not self.email:
            raise ValueError("preferred_channel is email but no email was given")
        if self.preferred_channel in ("phone", "zalo") and not self.phone:
            raise ValueError(
                f"preferred_channel is {self.preferred_channel} but no phone was given"
            )
        return self


class WebWithPhotos(BaseModel):
    """The raw record intake writes for a form sent with photos, after storing them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    submission: WebSubmission
    attachments: tuple[Attachment, ...]


def _reply_channel(submission: WebSubmission) -> Channel:
    # A web visitor gets answers where they asked, else by email, else by phone; no contact at all
    # still yields an item (anonymous feedback is allowed) that answers on the public page only.
    if submission.preferred_channel == "phone":
        return Channel.PHONE
    if submission.preferred_channel == "zalo":
        return Channel.ZALO
    if submission.email:
        return Channel.EMAIL
    if submission.phone:
        return Channel.PHONE
    return Channel.WEB


def normalise_web(raw: RawFeedbackAccepted, rules: Rules) -> FeedbackReceived:
    attachments: tuple[Attachment, ...] = ()
    if raw.content_type == WEB_PHOTOS_CONTENT_TYPE:
        with_photos = WebWithPhotos.model_validate_json(raw.payload)
        submission, attachments = with_photos.submission, with_photos.attachments
    else:
        submission = WebSubmission.model_validate_json(raw.payload)
    return feedback_item(
        raw,
        rules,
        source_ref=raw.source_ref,
        citizen=Citizen(
            name=normalise_text(submission.name) if submission.name else None,
            contacts=Contacts(email=submission.email, phone=submission.phone),
            preferred_channel=_reply_channel(submission),
            consent=submission.consent,
            publication_consent=submission.publication_consent,
        ),
        text=submission.text,
        subject=normalise_text(submission.subject) if submission.subject else None,
        raw_address=submission.address,
        attachments=attachments,
        origin=Origin(
            kind=OriginKind.OPEN311 if raw.channel is Channel.OPEN311 else OriginKind.WEB_FORM,
            account_id=raw.channel.value,
        ),
    )
