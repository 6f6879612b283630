"""Zalo Official Account webhooks: signature check and events → items or reachability changes.

Zalo signs each event with ``X-ZEvent-Signature: mac=<hex>``, the SHA-256 of
app_id + raw body + timestamp + the OA secret key, where app_id and timestamp are the fields of
that same body. Text, image and file messages become items; follow/unfollow say whether the OA
can still message the citizen.
"""

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from hoiam_intake.domain.items import feedback_item
from hoiam_intake.domain.outcomes import Dropped, NewItem, Outcome, Reachability
from hoiam_intake.domain.payloads import Envelope, read_json
from hoiam_intake.domain.rules import Rules
from hoiam_shared.events import (
    Attachment,
    Channel,
    Citizen,
    ContactReachabilityChanged,
    Contacts,
    Origin,
    OriginKind,
    RawFeedbackAccepted,
)

ZALO_CONTENT_TYPE = "application/json"
MESSAGE_EVENTS = {"user_send_text", "user_send_image", "user_send_file", "user_send_gif",
                  "user_send_audio", "user_send_video", "user_send_location", "user_send_link",
                  "user_send_sticker"}  # fmt: skip


class BadSignatureError(ValueError):
    """The request is not signed by the provider with our secret."""


def zalo_mac(body: bytes, *, app_id: str, timestamp: str, oa_secret: str) -> str:
    data = app_id.encode() + body + timestamp.encode() + oa_secret.encode()
    return hashlib.sha256(data).hexdigest()


def verify_zalo(body: bytes, header: str | None, *, app_id: str, oa_secret: str) -> None:
    """Raise `BadSignatureError` unless `header` signs `body`; `ValueError` if it is not JSON."""
    if not header or not header.strip().startswith("mac="):
        raise BadSignatureError("missing X-ZEvent-Signature: mac=<hex>")
    event = read_json(body)
    if not isinstance(event, dict):
        raise ValueError("a Zalo event is a JSON object")
    sent_app = str(event.get("app_id", ""))
    if sent_app != app_id:
        raise BadSignatureError("app_id is not ours")
    expected = zalo_mac(
        body, app_id=app_id, timestamp=str(event.get("timestamp", "")), oa_secret=oa_secret
    )
    # Bytes, not str: compare_digest refuses non-ASCII strings with a TypeError.
    if not hmac.compare_digest(expected.encode(), header.strip()[4:].lower().encode()):
        raise BadSignatureError("signature does not match")


def zalo_envelope(body: bytes) -> Envelope:
    """A verified event's `timestamp` (milliseconds) and its user as the partition key, so one
    user's events stay in order. `ValueError` if not JSON."""
    event = read_json(body)
    if not isinstance(event, dict):
        return Envelope(sent_at=None, key=None)
    user = None
    for field in ("sender", "follower"):
        part = event.get(field)
        if isinstance(part, dict) and part.get("id"):
            user = f"zalo:{part['id']}"
            break
    return Envelope(sent_at=_when(event.get("timestamp"), None), key=user)


def _when[T: datetime | None](timestamp: Any, fallback: T) -> datetime | T:
    try:
        return datetime.fromtimestamp(int(str(timestamp)) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return fallback


def _attachments(message: dict[str, Any]) -> tuple[Attachment, ...]:
    found = []
    for attachment in message.get("attachments") or []:
        if not isinstance(attachment, dict):
            continue
        kind = str(attachment.get("type", "file"))
        payload = attachment.get("payload") or {}
        size = payload.get("size") if isinstance(payload, dict) else None
        found.append(
            Attachment(
                filename=str(payload.get("name"))
                if isinstance(payload, dict) and payload.get("name")
                else None,
                content_type="image/*" if kind == "image" else f"application/x-zalo-{kind}",
                size=int(str(size)) if str(size or "").isdigit() else 0,
            )
        )
    return tuple(found)


def _describe(event_name: str, attachments: tuple[Attachment, ...]) -> str:
    if event_name == "user_send_image":
        return "(Ảnh gửi qua Zalo)"
    names = ", ".join(a.filename for a in attachments if a.filename)
    return f"(Tệp gửi qua Zalo: {names})" if names else "(Tin nhắn Zalo không có chữ)"


def zalo_outcomes(raw: RawFeedbackAccepted, rules: Rules) -> list[Outcome]:
    event = read_json(raw.payload)
    if not isinstance(event, dict):
        raise ValueError("a Zalo event is a JSON object")
    name = str(event.get("event_name", ""))
    at = _when(event.get("timestamp"), raw.received_at)
    if name in ("follow", "unfollow"):
        follower = str((event.get("follower") or {}).get("id") or "")
        if not follower:
            raise ValueError(f"{name} without follower.id")
        return [
            Reachability(
                ContactReachabilityChanged(
                    occurred_at=raw.received_at,
                    correlation_id=raw.item_id,
                    causation_id=raw.event_id,
                    channel=Channel.ZALO,
                    address=follower,
                    reachable=name == "follow",
                    reason="followed" if name == "follow" else "unfollowed",
                    changed_at=at,
                )
            )
        ]
    if name not in MESSAGE_EVENTS:
        return [Dropped(f"zalo_event_{name or 'unnamed'}")]
    sender = str((event.get("sender") or {}).get("id") or "")
    oa = str((event.get("recipient") or {}).get("id") or "") or None
    message = event.get("message") or {}
    msg_id = str(message.get("msg_id") or "")
    if not sender or not msg_id:
        raise ValueError(f"{name} without sender.id or message.msg_id")
    attachments = _attachments(message)
    text = str(message.get("text") or "").strip() or _describe(name, attachments)
    item = feedback_item(
        raw,
        rules,
        source_ref=msg_id,
        citizen=Citizen(
            contacts=Contacts(zalo_user_id=sender),
            preferred_channel=Channel.ZALO,
            last_inbound_at=at,
        ),
        text=text,
        attachments=attachments,
        origin=Origin(
            kind=OriginKind.ZALO_MESSAGE, account_id=oa, message_id=msg_id, thread_id=sender
        ),
    )
    return [NewItem(item)]
