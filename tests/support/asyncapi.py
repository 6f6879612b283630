"""The AsyncAPI document of each service, from its real `build` on the fakes; run as a module
(`make asyncapi`) to re-export docs/asyncapi/ after a topic, subscription or event changes."""

import sys
from functools import cache
from pathlib import Path

from fakes import InMemoryEraser, NotifierWorld, intake_world, router_world
from hoiam_console.settings import ConsoleSettings
from hoiam_router.settings import RouterSettings
from hoiam_shared.asyncapi import asyncapi_document, render
from hoiam_shared.schemas import write_changed
from hoiam_shared.service import Wiring, honouring_erasures
from hoiam_shared.settings import ServiceSettings
from support.clock import TestClock
from support.public import public_console_parts
from support.router import bundled_directory

ASYNCAPI_DIR = Path(__file__).resolve().parents[2] / "docs" / "asyncapi"


@cache
def wirings() -> dict[str, tuple[Wiring, ServiceSettings]]:
    """Each service's wiring and settings as production defaults them (no topic prefix); built
    once, as nothing in a wiring changes by being documented."""
    clock = TestClock.daytime()
    intake = intake_world(clock=clock)
    router_settings = RouterSettings(fallback_province="86")
    router = router_world(bundled_directory(), clock=clock, settings=router_settings)
    notifier = NotifierWorld(clock)
    console = public_console_parts(clock)
    documented: dict[str, tuple[Wiring, ServiceSettings]] = {
        "intake": (intake.parts.wiring, intake.settings),
        "router": (router.parts.wiring, router_settings),
        "notifier": (notifier.parts.wiring, notifier.settings),
        "console": (console.wiring, ConsoleSettings(person_token_secret=None)),
    }
    # `serve` adds the erasure subscriber to every service: so does its document.
    return {
        name: (honouring_erasures(w, settings=s, eraser=InMemoryEraser(), vault=None), s)
        for name, (w, s) in documented.items()
    }


def rendered() -> dict[str, str]:
    """File name → JSON text of every service's document."""
    return {
        f"{name}.asyncapi.json": render(asyncapi_document(wiring, settings))
        for name, (wiring, settings) in wirings().items()
    }


def export(directory: Path = ASYNCAPI_DIR) -> list[Path]:
    return write_changed(directory, rendered())


if __name__ == "__main__":
    for path in export(Path(sys.argv[1]) if len(sys.argv) > 1 else ASYNCAPI_DIR):
        print(f"wrote {path}")
