"""What uvicorn runs when a test starts a service as a process: the real app, with the test's clock.

`support.services` starts `uvicorn --factory support.apps:<service>`; the clock comes from the
environment the test set (`TestClock.env()`), so a process never reads the bare wall clock.
"""

from fastapi import FastAPI

from hoiam_intake.app import create_app as create_intake
from hoiam_notifier.app import create_app as create_notifier
from hoiam_router.app import create_app as create_router
from support.clock import TestClock


def intake() -> FastAPI:
    return create_intake(clock=TestClock.from_env())


def router() -> FastAPI:
    return create_router(clock=TestClock.from_env())


def notifier() -> FastAPI:
    return create_notifier(clock=TestClock.from_env())
