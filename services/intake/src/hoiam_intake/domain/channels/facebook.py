"""Facebook Page webhooks: verification, signature, Messenger messages and feed comments.

`GET` answers Meta's subscription check (hub.mode=subscribe, hub.verify_token, hub.challenge);
`POST` bodies are signed with ``X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw bytes with the
app secret>``. Messages (echoes of the page's own replies skipped) and new comments become items;
an edited or removed comment becomes a message on the item the comment made.
"""

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any, Literal

from hoiam_intake.domain.channels.zalo import BadSignatureError
from hoiam_intake.domain.items import as_message, edit_ref, feedback_item, normalise_text
from hoiam_intake.domain.outcomes import Dropped, Followup, NewItem, Outcome
from hoiam_intake.domain.payloads import Envelope, read_json
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

FACEBOOK_CONTENT_TYPE = "application/json"


def facebook_signature(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_facebook(body: bytes, header: str | None, *, app_secret: str) -> None:
    if not header or not header.startswith("sha256="):
        raise BadSignatureError("missing X-Hub-Signature-256: sha256=<hex>")
    # Bytes, not str: compare_digest refuses non-ASCII strings with a TypeError.
    given = header.strip().lower().encode()
    if not hmac.compare_digest(facebook_signature(body, app_secret).encode(), given):
        raise BadSignatureError("signature does not match")


def facebook_envelope(body: bytes) -> Envelope:
    """A verified webhook's sending time (its oldest entry's `time`; None if an entry has none)
    and its Page as the partition key, so a comment's add, edit and removal (separate webhooks)
    are normalised in the order Meta sent them. `ValueError` if not JSON."""
    data = read_json(body)
    entries = data.get("entry") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        return Envelope(sent_at=None, key=None)
    page = entries[0].get("id") if isinstance(entries[0], dict) else None
    times = [_when(e.get("time"), None) if isinstance(e, dict) else None for e in entries]
    known = [t for t in times if t is not None]
    return Envelope(
        sent_at=min(known) if len(known) == len(times) else None,
        key=f"facebook:{page}" if page else None,
    )


def _when[T: datetime | None](value: Any, fallback: T) -> datetime | T:
    """Messenger timestamps are milliseconds; feed `created_time` seconds."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return fallback
    try:
        return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, UTC)
    except (OverflowError, OSError, ValueError):
        return fallback


def _item(
    raw: RawFeedbackAccepted,
    rules: Rules,
    *,
    source_ref: str,
    text: str,
    citizen: Citizen,
    origin: Origin,
    attachments: tuple[Attachment, ...] = (),
) -> FeedbackReceived:
    return feedback_item(
        raw,
        rules,
        source_ref=source_ref,
        citizen=citizen,
        text=text,
        origin=origin,
        attachments=attachments,
    )


def _messaging(raw: RawFeedbackAccepted, rules: Rules, page: str, event: dict[str, Any]) -> Outcome:
    message = event.get("message")
    if not isinstance(message, dict):
        return Dropped("facebook_not_a_message")  # deliveries, reads, postbacks...
    if message.get("is_echo"):
        return Dropped("facebook_echo")
    psid = str((event.get("sender") or {}).get("id") or "")
    mid = str(message.get("mid") or "")
    if not psid or not mid:
        raise ValueError("a Messenger message without sender.id or mid")
    attachments = tuple(
        Attachment(content_type=f"{a.get('type', 'file')}/*", size=0)
        for a in message.get("attachments") or []
        if isinstance(a, dict)
    )
    text = str(message.get("text") or "").strip() or "(Tệp đính kèm gửi qua Messenger)"
    at = _when(event.get("timestamp"), raw.received_at)
    return NewItem(
        _item(
            raw,
            rules,
            source_ref=mid,
            text=text,
            citizen=Citizen(
                contacts=Contacts(facebook_psid=psid),
                preferred_channel=Channel.FACEBOOK,
                last_inbound_at=at,
            ),
            origin=Origin(
                kind=OriginKind.MESSENGER, account_id=page, message_id=mid, thread_id=psid
            ),
            attachments=attachments,
        )
    )


def _comment(raw: RawFeedbackAccepted, rules: Rules, page: str, value: dict[str, Any]) -> Outcome:
    comment_id = str(value.get("comment_id") or "")
    if not comment_id:
        raise ValueError("a feed comment change without comment_id")
    author = value.get("from") or {}
    if str(author.get("id") or "") == page:
        return Dropped("facebook_own_comment")
    verb = str(value.get("verb") or "")
    text = str(value.get("message") or "").strip() or "(Bình luận không có chữ)"
    origin = Origin(
        kind=OriginKind.FEED_COMMENT,
        account_id=page,
        message_id=comment_id,
        thread_id=str(value.get("post_id") or "") or None,
    )
    citizen = Citizen(
        name=normalise_text(str(author["name"])) if author.get("name") else None,
        preferred_channel=Channel.FACEBOOK,
        last_inbound_at=_when(value.get("created_time"), raw.received_at),
    )
    item = _item(raw, rules, source_ref=comment_id, text=text, citizen=citizen, origin=origin)
    if verb == "add":
        return NewItem(item)
    if verb not in ("edited", "remove", "edit"):
        return Dropped(f"facebook_comment_{verb or 'no_verb'}")
    kind: Literal["edit", "remove"] = "remove" if verb == "remove" else "edit"
    ref = (
        f"{comment_id}:remove" if kind == "remove" else edit_ref(source_ref=comment_id, words=text)
    )
    message = as_message(item, kind=kind, source_ref=ref)
    # An edit of a comment made before we subscribed is still feedback; a removal of one is not.
    return Followup(message, fallback=item if kind == "edit" else None)


def facebook_outcomes(raw: RawFeedbackAccepted, rules: Rules) -> list[Outcome]:
    body = read_json(raw.payload)
    if not isinstance(body, dict) or body.get("object") != "page":
        raise ValueError("not a Page webhook (object != 'page')")
    outcomes: list[Outcome] = []
    for entry in body.get("entry") or []:
        if not isinstance(entry, dict):
            raise ValueError("entry[] holds a non-object")
        page = str(entry.get("id") or "")
        for event in entry.get("messaging") or []:
            outcomes.append(_messaging(raw, rules, page, event))
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            if change.get("field") == "feed" and value.get("item") == "comment":
                outcomes.append(_comment(raw, rules, page, value))
            else:
                outcomes.append(Dropped(f"facebook_{change.get('field')}_{value.get('item')}"))
    return outcomes
