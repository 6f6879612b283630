"""Deterministic identities: the same provider message always maps to the same item and code.

A provider retries a webhook, a mail is fetched twice, a call log is uploaded again: each time the
(channel, source reference) pair is the same, so the item id and tracking code derived from it are
the same, and the store's unique `_id` makes the second write a no-op without any lookup first.
The derivation is keyed (HMAC with a secret from settings) because source references can be
public (a Facebook comment id) and a tracking code must not be computable by a stranger.
"""

import hashlib
import hmac
import json
import unicodedata
import uuid
from collections.abc import Collection

from hoiam_intake.domain.payloads import read_json
from hoiam_shared.events import Channel, Citizen, Contacts, RawFeedbackAccepted
from hoiam_shared.ids import tracking_code_from_bits


def source_key(channel: Channel, source_ref: str) -> str:
    """The dedupe key of a provider message: its channel and the provider's own id."""
    return f"{channel.value}:{source_ref}"


def _digest(secret: str, text: str) -> bytes:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()


def webhook_key(channel: Channel, signature: str) -> str:
    """The replay mark of a signed webhook: the provider's signature of exactly that body."""
    return f"webhook:{channel.value}:{signature}"


def item_id_for(channel: Channel, source_ref: str, *, secret: str) -> uuid.UUID:
    """A name-based UUID (version 5 layout) for the item this provider message becomes."""
    return uuid.UUID(bytes=_digest(secret, source_key(channel, source_ref))[:16], version=5)


def tracking_code_for(item_id: uuid.UUID, *, secret: str) -> str:
    """The item's tracking code (``HA-XXXX-XXXX``, 40 bits), derived from its id."""
    return tracking_code_from_bits(int.from_bytes(_digest(secret, f"code:{item_id}")[:5], "big"))


def json_fingerprint(body: bytes) -> str:
    """What a JSON submission says, whatever its key order and spacing: a retry of the same
    submission has the same fingerprint, another submission under a reused key does not."""
    canonical = json.dumps(read_json(body), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


MAIL_IDENTITY_HEADERS = ("from", "to", "subject", "date")


def email_fingerprint(message: bytes) -> str:
    """What a mail says, whichever relays it passed: its content and the headers its sender wrote.

    Trace headers (Received, Delivered-To, Return-Path...) are added on the way, so the same
    message fetched or piped twice differs in them; they are left out.
    """
    cut = min(
        (found for found in (message.find(b"\r\n\r\n"), message.find(b"\n\n")) if found >= 0),
        default=len(message),
    )
    head, content = message[:cut], message[cut:].strip()
    kept = []
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        name = line.split(b":", 1)[0].strip().lower().decode("ascii", "replace")
        if line[:1] not in (b" ", b"\t") and name in MAIL_IDENTITY_HEADERS:
            kept.append(line.strip())
    digest = hashlib.sha256(b"\n".join(sorted(kept)) + b"\n\n" + content)
    return digest.hexdigest()


def derived_uuid(*parts: str) -> uuid.UUID:
    """A stable id for an event that a redelivered cause must not duplicate (reply, task...)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "hoiam-intake:" + "\x1f".join(parts))


def contact_keys(contacts: Contacts) -> list[str]:
    """Contacts that certainly identify one person, most telling first."""
    keys = []
    if contacts.phone:
        keys.append(f"phone:{contacts.phone}")
    if contacts.email:
        keys.append(f"email:{contacts.email.lower()}")
    if contacts.zalo_user_id:
        keys.append(f"zalo:{contacts.zalo_user_id}")
    if contacts.facebook_psid:
        keys.append(f"facebook:{contacts.facebook_psid}")
    return keys


def same_person(citizen: Citizen, sender: Contacts, sender_citizens: Collection[str]) -> bool:
    """Whether a message from `sender` may join an item of `citizen`: its sender is one of that
    citizen's contacts (same email, Zalo user id, PSID or phone), on the item itself or bound to
    the same citizen record (`sender_citizens`: the citizens the sender's contacts are bound to).

    A tracking code is public (it is in every subject line), so quoting one proves nothing.
    """
    if citizen.citizen_id is not None and citizen.citizen_id in sender_citizens:
        return True
    return bool(set(contact_keys(citizen.contacts)) & set(contact_keys(sender)))


def fold(text: str) -> str:
    """`text` without case, tones or extra spaces (đ is d): what names and matters are compared
    on, since citizens type them with or without accents."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def name_key(name: str) -> str:
    """A name folded: "Nguyễn  Văn An" and "nguyen van an" meet."""
    return fold(name)


def identity(
    raw: RawFeedbackAccepted, source_ref: str | None, *, secret: str
) -> tuple[uuid.UUID, str]:
    """The (item id, tracking code) of an item read from `raw`.

    Where the edge knew the source reference it already derived both and answered them, so the
    raw record's own ids are used; items found inside a payload (a webhook batch) derive theirs.
    """
    if source_ref is None or source_ref == raw.source_ref:
        return raw.item_id, raw.tracking_code
    item_id = item_id_for(raw.channel, source_ref, secret=secret)
    return item_id, tracking_code_for(item_id, secret=secret)
