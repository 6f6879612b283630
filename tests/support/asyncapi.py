"""The AsyncAPI document of each service, from its real `build` on the fakes; run as a module
(`make asyncapi`) to re-export docs/asyncapi/ after a topic, subscription or event changes."""

import sys
from functools import cache
from pathlib import Path

from prometheus_client import CollectorRegistry

from fakes import (
    InMemoryAssignmentRepository,
    InMemoryIntakeStore,
    InMemoryItemRepository,
    InMemoryMailboxState,
    NotifierWorld,
    RecordingPublisher,
    intake_settings,
)
from hoiam_intake.app import build as build_intake
from hoiam_router.app import build as build_router
from hoiam_router.settings import RouterSettings
from hoiam_shared.asyncapi import asyncapi_document, render
from hoiam_shared.service import Wiring
from hoiam_shared.settings import ServiceSettings
from support.clock import TestClock
from support.router import bundled_directory

ASYNCAPI_DIR = Path(__file__).resolve().parents[2] / "docs" / "asyncapi"


@cache
def wirings() -> dict[str, tuple[Wiring, ServiceSettings]]:
    """Each service's wiring and settings as production defaults them (no topic prefix); built
    once, as nothing in a wiring changes by being documented."""
    clock = TestClock.daytime()
    intake = intake_settings()
    router = RouterSettings(fallback_province="86")
    notifier = NotifierWorld(clock)
    return {
        "intake": (
            build_intake(
                intake,
                items=InMemoryItemRepository(),
                store=InMemoryIntakeStore(),
                mailbox_state=InMemoryMailboxState(),
                publisher=RecordingPublisher(),
                clock=clock,
                registry=CollectorRegistry(),
            ).wiring,
            intake,
        ),
        "router": (
            build_router(
                router,
                directory=bundled_directory(),
                assignments=InMemoryAssignmentRepository(),
                publisher=RecordingPublisher(),
                clock=clock,
                registry=CollectorRegistry(),
            ).wiring,
            router,
        ),
        "notifier": (notifier.parts.wiring, notifier.settings),
    }


def rendered() -> dict[str, str]:
    """File name → JSON text of every service's document."""
    return {
        f"{name}.asyncapi.json": render(asyncapi_document(wiring, settings))
        for name, (wiring, settings) in wirings().items()
    }


def export(directory: Path = ASYNCAPI_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in rendered().items():
        path = directory / name
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    for path in export(Path(sys.argv[1]) if len(sys.argv) > 1 else ASYNCAPI_DIR):
        print(f"wrote {path}")
