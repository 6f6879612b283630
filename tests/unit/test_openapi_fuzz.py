"""Schemathesis against the HTTP routes of intake and the router, on the worlds of `fakes`: no 5xx.

Each operation gets 8 generated requests that fit its schema and 8 that do not, with the operator
token (so the guarded endpoints are reached too), derandomized so a run is repeatable. The
services as processes on the real stack (with `/health`, `/metrics` and the notifier) are
fuzzed by `tests/e2e/test_openapi_fuzz_stack.py`.
"""

from collections.abc import Sequence
from typing import Any

import schemathesis
from fastapi import APIRouter, FastAPI
from hypothesis import HealthCheck, settings
from pydantic import SecretStr

from fakes import intake_world, router_world
from hoiam_router.settings import RouterSettings
from support.intake_samples import ZALO_APP
from support.router import bundled_directory

TOKEN = "fuzz-operator-token"


@schemathesis.serializer("message/rfc822", "text/csv")
def _as_text(_: object, value: object) -> bytes:
    """The documents these endpoints take have no JSON schema: whatever was drawn, as text."""
    return value if isinstance(value, bytes) else str(value).encode()


def _served(title: str, routers: Sequence[APIRouter]) -> FastAPI:
    app = FastAPI(title=title)
    for router in routers:
        app.include_router(router)
    return app


INTAKE = _served(
    "intake",
    intake_world(
        operator_token=SecretStr(TOKEN),
        zalo_app_id=ZALO_APP,
        zalo_oa_secret=SecretStr("fuzz-oa-secret"),
        facebook_app_secret=SecretStr("fuzz-app-secret"),
        facebook_verify_token=SecretStr("fuzz-verify-token"),
    ).parts.wiring.routers,
)
ROUTER = _served(
    "router",
    router_world(
        bundled_directory(),
        settings=RouterSettings(fallback_province="86", operator_token=SecretStr(TOKEN)),
    ).parts.wiring.routers,
)

intake_schema = schemathesis.openapi.from_asgi("/openapi.json", INTAKE)
router_schema = schemathesis.openapi.from_asgi("/openapi.json", ROUTER)

FUZZ = settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _no_server_error(case: schemathesis.Case[Any]) -> None:
    response = case.call(headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code < 500, (case.as_curl_command(), response.text[:500])


@intake_schema.parametrize()
@FUZZ
def test_intake_answers_no_5xx(case: schemathesis.Case[Any]) -> None:
    _no_server_error(case)


@router_schema.parametrize()
@FUZZ
def test_router_answers_no_5xx(case: schemathesis.Case[Any]) -> None:
    _no_server_error(case)
