"""Rate limits of the public endpoints: fixed windows of the clock, counted per address and contact.

Every accepted submission is acknowledged on the contact it names (an email, an SMS), so an open
form would let anyone mail-bomb or SMS-pump a stranger; a limit per sender address bounds one
machine, a limit per contact bounds what one victim receives from many machines.
"""

import math
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Window:
    """The fixed window `at` falls in: its number and the seconds left until the next one."""

    index: int
    retry_after: int


def window_at(at: datetime, *, seconds: float) -> Window:
    """Windows are aligned on the epoch, so every replica reading the same clock agrees."""
    elapsed = at.timestamp()
    index = math.floor(elapsed / seconds)
    left = (index + 1) * seconds - elapsed
    return Window(index=index, retry_after=max(1, math.ceil(left)))
