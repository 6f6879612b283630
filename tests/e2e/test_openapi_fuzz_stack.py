"""Schemathesis against the three services as processes on the real stack: no 5xx, anywhere.

The services run as `make up` runs them (uvicorn, Kafka, FerretDB), under a prefix of their own
so the requests drawn here do not touch the other e2e tests' items; every operation of each
service's OpenAPI (`/health` and `/metrics` included: the notifier has only those) gets 8
requests that fit its schema and 8 that do not, with the operator token, derandomized.
"""

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation

from support.clock import TestClock
from support.services import OPERATOR_TOKEN, Running, running_services
from support.smtp import SmtpServer
from support.stack import Stack, remove_test_leftovers

pytestmark = pytest.mark.e2e


@schemathesis.serializer("message/rfc822", "text/csv")
def _as_text(_: object, value: object) -> bytes:
    """The documents these endpoints take have no JSON schema: whatever was drawn, as text."""
    return value if isinstance(value, bytes) else str(value).encode()


@pytest.fixture(scope="module")
def fuzzed(
    stack: Stack, smtp: SmtpServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Running]:
    prefix = f"f{uuid.uuid4().hex[:10]}"
    with running_services(
        stack=stack,
        prefix=prefix,
        smtp_port=smtp.port,
        log_dir=tmp_path_factory.mktemp("fuzz-logs"),
        clock=TestClock.daytime(),
    ) as running:
        yield running
    asyncio.run(remove_test_leftovers(stack, prefix))


FUZZ = settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _fuzz(
    operation: APIOperation[Any, Any, Any, Any], mode: GenerationMode, url: str, answers: list[int]
) -> list[str]:
    """Draw up to 8 requests of `operation` in `mode`; the 5xx among them, as curl commands."""
    found: list[str] = []

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: schemathesis.Case[Any]) -> None:
        headers = {"authorization": f"Bearer {OPERATOR_TOKEN}"}
        response = case.call(base_url=url, headers=headers, timeout=30)
        answers.append(response.status_code)
        if response.status_code >= 500:
            found.append(f"{case.as_curl_command()} → {response.text[:300]}")

    try:
        call()
    except Unsatisfiable:
        # An operation without parameters or body (GET /health) has nothing to get wrong.
        assert mode is GenerationMode.NEGATIVE, operation.label
    return found


def server_errors(running: Running, service: str) -> list[str]:
    """Every operation of `service`'s served OpenAPI, 8 requests in and 8 out of its schema
    each (what has no input, once); the requests that got a 5xx, with the answers."""
    url = running.urls[service]
    results = list(schemathesis.openapi.from_url(f"{url}/openapi.json").get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert operations
    assert len(operations) == len(results)  # every operation's schema could be read
    found: list[str] = []
    for operation in operations:
        answers: list[int] = []
        for mode in GenerationMode:
            found += _fuzz(operation, mode, url, answers)
        raw = operation.definition.raw
        takes_input = bool(raw.get("parameters") or raw.get("requestBody"))
        assert len(answers) >= (8 if takes_input else 1), operation.label
    return found


@pytest.mark.parametrize("service", ["intake", "router", "notifier"])
def test_no_operation_of_a_service_on_the_stack_answers_5xx(fuzzed: Running, service: str) -> None:
    assert server_errors(fuzzed, service) == []
