"""What uvicorn runs when a test starts a service as a process: the real app, with the test's clock.

`support.services` starts `uvicorn --factory support.apps:<service>`; the clock comes from the
environment the test set (`TestClock.env()`), so a process never reads the bare wall clock.
`notifier_crashing` is the real notifier with a crash built in, for the crash tests only.
"""

import os
import signal
from dataclasses import replace
from typing import Literal
from uuid import UUID

from fastapi import FastAPI

from hoiam_console.app import create_app as create_console
from hoiam_intake.app import create_app as create_intake
from hoiam_notifier.app import SERVICE as NOTIFIER
from hoiam_notifier.app import app_for, make_adapters
from hoiam_notifier.app import create_app as create_notifier
from hoiam_notifier.domain.deliveries import DeliveryStatus
from hoiam_notifier.domain.notifications import Notification, Target
from hoiam_notifier.repository import Delivery, DeliveryRepository
from hoiam_notifier.settings import NotifierSettings
from hoiam_router.app import create_app as create_router
from hoiam_shared.events import Event
from hoiam_shared.logs import configure_logging
from support.clock import TestClock

CRASH_VARIABLE = "HOIAM_TEST_CRASH_AFTER"
"""`send` or `record`: where `notifier_crashing` kills itself (see `CrashingDeliveries`)."""


def intake() -> FastAPI:
    return create_intake(clock=TestClock.from_env())


def router() -> FastAPI:
    return create_router(clock=TestClock.from_env())


def notifier() -> FastAPI:
    return create_notifier(clock=TestClock.from_env())


def console() -> FastAPI:
    return create_console(clock=TestClock.from_env())


class CrashingDeliveries:
    """The notifier's delivery store, killing its process (SIGKILL: no cleanup, no offset commit)
    around the first `sent` outcome: `send` after the provider accepted and before the outcome is
    recorded, `record` right after it is recorded and before the event is published."""

    def __init__(self, inner: DeliveryRepository, *, at: Literal["send", "record"]) -> None:
        self._inner = inner
        self._at = at

    async def claim(self, notification: Notification) -> Notification:
        return await self._inner.claim(notification)

    async def begin(self, delivery_id: str, notification: Notification, target: Target) -> Delivery:
        return await self._inner.begin(delivery_id, notification, target)

    async def finish(
        self, delivery_id: str, *, item_id: UUID, status: DeliveryStatus, outcome: Event | None
    ) -> None:
        sent = status is DeliveryStatus.SENT
        if sent and self._at == "send":
            os.kill(os.getpid(), signal.SIGKILL)
        await self._inner.finish(delivery_id, item_id=item_id, status=status, outcome=outcome)
        if sent and self._at == "record":
            os.kill(os.getpid(), signal.SIGKILL)

    async def outcomes(self, item_id: UUID) -> list[tuple[str, DeliveryStatus]]:
        return await self._inner.outcomes(item_id)


def notifier_crashing() -> FastAPI:
    """The notifier that kills itself around its first sent message (`HOIAM_TEST_CRASH_AFTER`)."""
    at = os.environ[CRASH_VARIABLE]
    if at not in ("send", "record"):
        raise ValueError(f"{CRASH_VARIABLE} must be send or record, not {at!r}")
    settings = NotifierSettings()
    clock = TestClock.from_env()
    configure_logging(NOTIFIER, settings.log_level)
    adapters = make_adapters(settings, clock=clock)
    crashing = CrashingDeliveries(adapters.deliveries, at="send" if at == "send" else "record")
    return app_for(settings, replace(adapters, deliveries=crashing), clock=clock)
