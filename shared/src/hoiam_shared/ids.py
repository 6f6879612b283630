"""Identifiers: UUIDv7 for items and events, and the short tracking code citizens read aloud."""

import re
import secrets
import uuid

import uuid6

# Crockford's base32 leaves out I, L, O and U, so a code read over the phone is not misheard.
TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TRACKING_PREFIX = "HA"
_GROUP = f"[{re.escape(TRACKING_ALPHABET)}]{{4}}"
TRACKING_CODE_RE = re.compile(rf"\b{_TRACKING_PREFIX}-{_GROUP}-{_GROUP}\b")
"""Finds a tracking code inside text (a mail subject, a chat message)."""


def new_id() -> uuid.UUID:
    """A time-ordered UUIDv7, so ids sort by creation and index well."""
    return uuid.UUID(int=uuid6.uuid7().int)


def tracking_code_from_bits(bits: int) -> str:
    """The code (``HA-XXXX-XXXX``) spelling the low 40 bits of `bits`."""
    chars = "".join(TRACKING_ALPHABET[(bits >> (5 * i)) & 31] for i in range(8))
    return f"{_TRACKING_PREFIX}-{chars[:4]}-{chars[4:]}"


def new_tracking_code() -> str:
    """A code like ``HA-7K3Q-92XM``: 40 random bits, about one collision in a million items.

    Uniqueness is still enforced where items are stored; the code is for people, the id for
    machines.
    """
    return tracking_code_from_bits(secrets.randbits(40))


def is_tracking_code(text: str) -> bool:
    return TRACKING_CODE_RE.fullmatch(text) is not None
