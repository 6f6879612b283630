"""Re-feed dead-lettered raw records to `intake.raw` after a fix: ``python -m hoiam_intake.replay``.

The shared command (`hoiam_shared.replay`) on intake's one input. Replaying is idempotent: a
record's item id comes from its (channel, source reference), so a record that already became an
item becomes the same item.
"""

import sys
from collections.abc import Sequence

from hoiam_intake.settings import IntakeSettings
from hoiam_shared import replay
from hoiam_shared.topics import INTAKE_RAW, OPERATOR_TASKS

SOURCES = (INTAKE_RAW, OPERATOR_TASKS)
"""The topics intake consumes, whose dead letters this replays."""


def main(argv: Sequence[str] | None = None) -> int:
    return replay.main(
        argv,
        service="intake",
        env_prefix=str(IntakeSettings.model_config.get("env_prefix")),
        sources=SOURCES,
    )


if __name__ == "__main__":
    sys.exit(main())
