"""Re-feed the router's dead letters after a fix: ``python -m hoiam_router.replay``.

The shared command (`hoiam_shared.replay`) on the topics the router consumes. Replaying is
idempotent: the router records one decision per item (insert-first on the item id).
"""

import sys
from collections.abc import Sequence

from hoiam_router.settings import RouterSettings
from hoiam_shared import replay
from hoiam_shared.topics import (
    FEEDBACK_MESSAGES,
    FEEDBACK_PUBLISHED,
    FEEDBACK_RATINGS,
    FEEDBACK_RECEIVED,
)

SOURCES = (FEEDBACK_RECEIVED, FEEDBACK_MESSAGES, FEEDBACK_RATINGS, FEEDBACK_PUBLISHED)
"""The topics the router consumes (its `build` subscriptions; a test keeps the two equal)."""


def main(argv: Sequence[str] | None = None) -> int:
    return replay.main(
        argv,
        service="router",
        env_prefix=str(RouterSettings.model_config.get("env_prefix")),
        sources=SOURCES,
    )


if __name__ == "__main__":
    sys.exit(main())
