"""Intake's operator routes take either credential: the machine operator token, or the console's
person token verified with intake's secret and clock."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from fakes import IntakeWorld, intake_world
from hoiam_shared.identity import Person, Role, issue_token
from support.clock import TestClock

AT = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
TOKEN = "op-token"
SECRET = SecretStr("intake-unit-person-secret-long-enough")
FRONT = Person(username="operator", role=Role.OPERATOR, province_code="86")


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def world() -> IntakeWorld:
    return intake_world(
        clock=TestClock.frozen(AT), operator_token=SecretStr(TOKEN), person_token_secret=SECRET
    )


async def test_both_credentials_open_the_task_list(world: IntakeWorld) -> None:
    person = issue_token(FRONT, SECRET, now=AT - timedelta(minutes=1))
    async with world.http() as client:
        for headers in (bearer(TOKEN), bearer(person)):
            answer = await client.get("/v1/operator/tasks", headers=headers)
            assert answer.status_code == 200, answer.text


async def test_an_expired_person_token_is_401_by_intakes_clock(world: IntakeWorld) -> None:
    person = issue_token(FRONT, SECRET, now=AT - timedelta(hours=1))
    async with world.http() as client:
        answer = await client.get("/v1/operator/tasks", headers=bearer(person))
    assert answer.status_code == 401
    assert "expired" in answer.json()["detail"]
