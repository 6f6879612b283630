"""Reading a provider's JSON body: every way it can be unreadable is one `ValueError`."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any


def read_json(payload: bytes | str) -> Any:
    """`json.loads`; JSON nested deeper than Python can follow (100k ``[``) is a `ValueError`
    too, not the `RecursionError` the parser raises, so it is refused like any bad JSON."""
    try:
        return json.loads(payload)
    except RecursionError as error:
        raise ValueError("JSON nested too deep") from error


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the door reads of a verified webhook, from one parse of its body: when the provider
    sent it (held against the clock to refuse replays; None without a timestamp) and the
    partition key that keeps one sender's or one Page's events in order."""

    sent_at: datetime | None
    key: str | None
