"""Schemathesis against the public archive's JSON API and the operators' publication API on the
console built with fakes: whatever is asked, a 4xx with a reason or an answer, never a 5xx."""

from datetime import UTC, datetime
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings

from support.clock import TestClock
from support.public import public_console_parts

CLOCK = TestClock.frozen(datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
APP = FastAPI(title="console")
for router in public_console_parts(CLOCK, lookups_allowed=1_000_000).wiring.routers:
    APP.include_router(router)

schema = schemathesis.openapi.from_asgi("/openapi.json", APP).include(
    path_regex=r"^/api/v1/(public/answers|items/\{tracking_code\}/publication)"
)

FUZZ = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ
def test_the_archive_and_publication_apis_answer_no_5xx(case: schemathesis.Case[Any]) -> None:
    response = case.call()
    assert response.status_code < 500, (case.as_curl_command(), response.text[:500])
