"""Every in-memory stand-in the tests use, in one place, and the worlds built from them.

A world is a service's real `build(...)` called with these fakes: the same wiring production
uses, with nothing wired again by hand in a test. The contract suites under
`tests/integration/` run the same checks against each fake and its Mongo adapter, so a fake
cannot drift from the real thing.
"""

from uuid import UUID

from hoiam_shared.events import Event


class RecordingPublisher:
    """Keeps what was published, in order; can be told to fail like a broker that is down."""

    def __init__(self, fail_with: BaseException | None = None) -> None:
        self.published: list[tuple[str, Event]] = []
        self.fail_with = fail_with

    async def publish(self, topic: str, event: Event, *, key: UUID | str) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.published.append((topic, event))

    def of[E: Event](self, kind: type[E]) -> list[E]:
        return [e for _, e in self.published if isinstance(e, kind)]


# =================================================================================================
# intake
# =================================================================================================


# (intake's fakes and world go here)


# =================================================================================================
# router
# =================================================================================================


# (router's fakes and world go here)


# =================================================================================================
# notifier
# =================================================================================================


# (notifier's fakes and world go here)
