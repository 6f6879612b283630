"""Each service's replay command covers exactly the topics the service consumes."""

from datetime import datetime

from fakes import NotifierWorld, intake_world, router_world
from hoiam_intake.replay import SOURCES as INTAKE_SOURCES
from hoiam_notifier.replay import SOURCES as NOTIFIER_SOURCES
from hoiam_router.domain.directory import Directory
from hoiam_router.replay import SOURCES as ROUTER_SOURCES
from hoiam_shared.topics import Topics
from support.clock import TestClock


def names(sources: tuple[str, ...]) -> set[str]:
    return {Topics().name(source) for source in sources}


def test_every_consumed_topic_has_its_dead_letters_replayed(directory: Directory) -> None:
    router = router_world(directory)
    notifier = NotifierWorld(TestClock.frozen(datetime(2026, 3, 2, 10, 0)))
    intake = intake_world()
    for wiring, sources in (
        (router.parts.wiring, ROUTER_SOURCES),
        (notifier.parts.wiring, NOTIFIER_SOURCES),
        (intake.parts.wiring, INTAKE_SOURCES),
    ):
        assert {s.topic for s in wiring.subscriptions} == names(sources), wiring.name
