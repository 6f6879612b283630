"""Open311 GeoReport v2 `POST requests`: form-encoded or JSON fields → one feedback item.

Fields as the spec names them: jurisdiction_id, service_code (required), lat/long, address_string,
address_id, email, device_id, account_id, first_name, last_name, phone, description, media_url.
A location (lat+long, address_string or address_id) is required by the spec, and so is a
description here (an item without words cannot be routed).
"""

from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hoiam_intake.domain.channels.web import WEB_CONTENT_TYPE, WebSubmission, normalise_web
from hoiam_intake.domain.items import OptionalEmail, OptionalPhone, feedback_item, normalise_text
from hoiam_intake.domain.outcomes import NewItem, Outcome
from hoiam_intake.domain.payloads import read_json
from hoiam_intake.domain.rules import Rules
from hoiam_shared.events import (
    Attachment,
    Channel,
    Citizen,
    Contacts,
    Origin,
    OriginKind,
    RawFeedbackAccepted,
)

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class Open311Request(BaseModel):
    """A GeoReport v2 service request as posted by a civic app."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    jurisdiction_id: str | None = Field(default=None, max_length=200)
    service_code: str = Field(min_length=1, max_length=100)
    lat: float | None = Field(default=None, ge=-90, le=90)
    long: float | None = Field(default=None, ge=-180, le=180)
    address_string: str | None = Field(default=None, max_length=500)
    address_id: str | None = Field(default=None, max_length=200)
    email: OptionalEmail = None
    device_id: str | None = Field(default=None, max_length=200)
    account_id: str | None = Field(default=None, max_length=200)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    phone: OptionalPhone = None
    description: str = Field(min_length=3, max_length=20_000)
    media_url: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _located(self) -> "Open311Request":
        if not (self.address_string or self.address_id or None not in (self.lat, self.long)):
            raise ValueError("a location is required: lat and long, address_string or address_id")
        return self


def read_open311(payload: bytes, content_type: str) -> dict[str, Any]:
    """The posted fields as a dict, from either encoding (`ValueError` if neither parses)."""
    if content_type == FORM_CONTENT_TYPE:
        return dict(parse_qsl(payload.decode("utf-8"), keep_blank_values=False))
    data = read_json(payload)
    if not isinstance(data, dict):
        raise ValueError("an Open311 request is a JSON object")
    return data


def open311_outcome(raw: RawFeedbackAccepted, rules: Rules) -> Outcome:
    fields = read_open311(raw.payload, raw.content_type)
    if raw.content_type == WEB_CONTENT_TYPE and "service_code" not in fields:
        # Records accepted before the Open311 shape existed carry the web form's fields.
        WebSubmission.model_validate(fields)
        return NewItem(normalise_web(raw, rules))
    request = Open311Request.model_validate(fields)
    name = " ".join(p for p in (request.first_name, request.last_name) if p) or None
    where = request.address_string or (
        f"{request.lat},{request.long}" if request.lat is not None else request.address_id
    )
    preferred = Channel.EMAIL if request.email else Channel.PHONE if request.phone else Channel.WEB
    account = request.jurisdiction_id or "open311"
    return NewItem(
        feedback_item(
            raw,
            rules,
            source_ref=raw.source_ref,
            citizen=Citizen(
                name=normalise_text(name) if name else None,
                contacts=Contacts(email=request.email, phone=request.phone),
                preferred_channel=preferred,
            ),
            text=request.description,
            subject=request.service_code,
            raw_address=where,
            attachments=(Attachment(filename=request.media_url, content_type="image/*", size=0),)
            if request.media_url
            else (),
            origin=Origin(kind=OriginKind.OPEN311, account_id=account),
        )
    )
