"""Re-feed the notifier's dead letters after a fix: ``python -m hoiam_notifier.replay``.

The shared command (`hoiam_shared.replay`) on the topics the notifier consumes. Replaying is
idempotent: a delivery is claimed per (event, recipient, channel) before it is sent, so a
replayed event sends nothing twice.
"""

import sys
from collections.abc import Sequence

from hoiam_notifier.settings import NotifierSettings
from hoiam_shared import replay
from hoiam_shared.topics import (
    CITIZEN_CONTACTS,
    FEEDBACK_MESSAGES,
    FEEDBACK_ROUTED,
    FEEDBACK_STATUS,
)

SOURCES = (FEEDBACK_ROUTED, FEEDBACK_STATUS, FEEDBACK_MESSAGES, CITIZEN_CONTACTS)
"""The topics the notifier consumes (its `build` subscriptions; a test keeps the two equal)."""


def main(argv: Sequence[str] | None = None) -> int:
    return replay.main(
        argv,
        service="notifier",
        env_prefix=str(NotifierSettings.model_config.get("env_prefix")),
        sources=SOURCES,
    )


if __name__ == "__main__":
    sys.exit(main())
