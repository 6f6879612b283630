"""The router's operator API takes either credential: the machine operator token, or the
console's person token verified with the router's secret and clock."""

from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr

from fakes import ROUTER_MONDAY, RouterWorld, router_world
from hoiam_router.domain.directory import Directory
from hoiam_router.settings import RouterSettings
from hoiam_shared.clock import VIETNAM_TIME
from hoiam_shared.identity import Person, Role, issue_token

TOKEN = "unit-operator-token"
SECRET = SecretStr("router-unit-person-secret-long-enough")
NOW = ROUTER_MONDAY.replace(tzinfo=VIETNAM_TIME)
FRONT = Person(username="operator", role=Role.OPERATOR, province_code="86")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(directory: Directory) -> RouterWorld:
    settings = RouterSettings(
        fallback_province="86", operator_token=SecretStr(TOKEN), person_token_secret=SECRET
    )
    return router_world(directory, settings=settings)


async def test_both_credentials_open_the_triage_queue(client: httpx.AsyncClient) -> None:
    person = issue_token(FRONT, SECRET, now=NOW)
    for headers in (bearer(TOKEN), bearer(person)):
        answer = await client.get("/v1/triage", headers=headers)
        assert answer.status_code == 200, answer.text


async def test_an_expired_or_foreign_person_token_is_401(client: httpx.AsyncClient) -> None:
    old = issue_token(FRONT, SECRET, now=NOW - timedelta(hours=1))
    foreign = issue_token(FRONT, SecretStr("another-secret-that-is-long-enough-0"), now=NOW)
    expired = await client.get("/v1/triage", headers=bearer(old))
    forged = await client.get("/v1/triage", headers=bearer(foreign))
    assert (expired.status_code, forged.status_code) == (401, 401)
    assert "expired" in expired.json()["detail"]
    assert "Signature" in forged.json()["detail"]
