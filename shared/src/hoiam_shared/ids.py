"""Identifiers: UUIDv7 for items and events, and the short tracking code citizens read aloud."""

import secrets
import uuid

import uuid6

# Crockford's base32 leaves out I, L, O and U, so a code read over the phone is not misheard.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TRACKING_PREFIX = "HA"


def new_id() -> uuid.UUID:
    """A time-ordered UUIDv7, so ids sort by creation and index well."""
    return uuid.UUID(int=uuid6.uuid7().int)


def new_tracking_code() -> str:
    """A code like ``HA-7K3Q-92XM``: 40 random bits, about one collision in a million items.

    Uniqueness is still enforced where items are stored; the code is for people, the id for
    machines.
    """
    bits = secrets.randbits(40)
    chars = "".join(_ALPHABET[(bits >> (5 * i)) & 31] for i in range(8))
    return f"{_TRACKING_PREFIX}-{chars[:4]}-{chars[4:]}"


def is_tracking_code(text: str) -> bool:
    parts = text.split("-")
    return (
        len(parts) == 3
        and parts[0] == _TRACKING_PREFIX
        and all(len(p) == 4 and all(c in _ALPHABET for c in p) for p in parts[1:])
    )
