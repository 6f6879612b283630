"""The settings the pure normalisers read, handed in by the wiring (never defaulted to a secret)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo

from hoiam_shared.clock import VIETNAM_TIME


@dataclass(frozen=True, slots=True)
class Rules:
    """What a channel's reading depends on besides the record: keys, provinces, local time."""

    secret: str = field(repr=False)
    """Keys the item ids and tracking codes derived from provider ids (`keys`)."""
    account_provinces: Mapping[str, str] = field(default_factory=dict)
    """Receiving account (mailbox, hotline, OA id, page id) → province code."""
    timezone: tzinfo = VIETNAM_TIME
    """Of the local times in PBX call logs."""
    csv_columns: Mapping[str, str] = field(default_factory=dict)
    default_mailbox: str | None = None
    max_text_chars: int = 20_000
    """Longer texts are cut, with a marker saying so (the raw record keeps them whole)."""

    def province_of(self, account_id: str | None) -> str | None:
        return self.account_provinces.get(account_id) if account_id else None
