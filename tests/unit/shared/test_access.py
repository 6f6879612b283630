"""Who acts: the machine operator token or a verified person token, and 401 with the reason."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI
from pydantic import SecretStr

from hoiam_shared.access import MACHINE_ACTOR, Actor, Machine, actor_guard, operators_only
from hoiam_shared.identity import Person, Role, issue_token, verifier
from support.clock import TestClock

SECRET = SecretStr("a-test-person-secret-that-is-long-enough")
OPERATOR_TOKEN = SecretStr("machine-operator-token")
NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
STAFF = Person(username="ubnd-tieucan", role=Role.BODY, body_id="vl-xa-tieu-can")
FRONT = Person(username="operator", role=Role.OPERATOR, province_code="86")


def app_with(
    clock: TestClock, *, token: SecretStr | None = OPERATOR_TOKEN, secret: SecretStr | None = SECRET
) -> httpx.AsyncClient:
    app = FastAPI()
    guard = actor_guard(token, verifier(secret, clock))

    @app.get("/who", dependencies=[Depends(guard)])
    async def who(actor: Annotated[Actor, Depends(guard)]) -> dict[str, str]:
        return {"actor": actor.actor, "kind": type(actor).__name__}

    @app.get("/front-only")
    async def front_only(actor: Annotated[Actor, Depends(operators_only(guard))]) -> str:
        return actor.actor

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_machine_token_acts_as_the_machine() -> None:
    async with app_with(TestClock.frozen(NOW)) as client:
        answer = await client.get("/who", headers=bearer("machine-operator-token"))
    assert answer.status_code == 200
    assert answer.json() == {"actor": MACHINE_ACTOR, "kind": "Machine"}
    assert MACHINE_ACTOR == "service:operator-token"


async def test_a_person_token_acts_as_that_person() -> None:
    token = issue_token(STAFF, SECRET, now=NOW)
    async with app_with(TestClock.frozen(NOW + timedelta(minutes=1))) as client:
        answer = await client.get("/who", headers=bearer(token))
    assert answer.status_code == 200
    assert answer.json() == {"actor": "body:ubnd-tieucan", "kind": "Person"}


async def test_an_expired_person_token_says_so() -> None:
    token = issue_token(STAFF, SECRET, now=NOW)
    # The service's clock, not the wall clock, decides.
    async with app_with(TestClock.frozen(NOW + timedelta(minutes=10))) as client:
        answer = await client.get("/who", headers=bearer(token))
    assert answer.status_code == 401
    assert "expired" in answer.json()["detail"]
    assert answer.headers["WWW-Authenticate"] == "Bearer"


async def test_a_forged_person_token_says_so() -> None:
    claims = {"iss": "hoiam-console", "aud": "hoiam", "sub": "admin", "iat": 1, "exp": 2**40}
    claims["person"] = {"username": "admin", "role": "admin"}
    forged = jwt.encode(claims, "another-key-that-is-also-long-enough!!", algorithm="HS256")
    async with app_with(TestClock.frozen(NOW)) as client:
        answer = await client.get("/who", headers=bearer(forged))
    assert answer.status_code == 401
    assert "invalid person token" in answer.json()["detail"]
    assert "Signature" in answer.json()["detail"]


async def test_a_person_token_is_refused_where_no_secret_is_set() -> None:
    token = issue_token(FRONT, SECRET, now=NOW)
    async with app_with(TestClock.frozen(NOW), secret=None) as client:
        answer = await client.get("/who", headers=bearer(token))
    assert answer.status_code == 401
    assert "not accepted here" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "token required"),
        ({"Authorization": "machine-operator-token"}, "token required"),
        ({"Authorization": "Basic machine-operator-token"}, "token required"),
        ({"Authorization": "Bearer "}, "token required"),
        (bearer("wrong"), "wrong operator token"),
        (bearer("machine-operator-token-and-more"), "wrong operator token"),
        ({b"authorization": "Bearer tộken".encode()}, "wrong operator token"),
        ({b"authorization": "Bearer a.tộ.ken".encode()}, "invalid person token"),
        (bearer("a.b.c"), "invalid person token"),
    ],
)
async def test_anything_else_is_401_with_a_reason(
    headers: dict[str, str] | dict[bytes, bytes], reason: str
) -> None:
    async with app_with(TestClock.frozen(NOW)) as client:
        answer = await client.get("/who", headers=headers)
    assert answer.status_code == 401
    assert reason in answer.json()["detail"]


async def test_an_unset_or_empty_operator_token_lets_no_machine_in() -> None:
    for token in (None, SecretStr("")):
        async with app_with(TestClock.frozen(NOW), token=token) as client:
            answer = await client.get("/who", headers=bearer(""))
            assert answer.status_code == 401
            # A person token still works: the machine credential may go.
            person = issue_token(FRONT, SECRET, now=NOW)
            assert (await client.get("/who", headers=bearer(person))).status_code == 200


async def test_operators_only_turns_body_staff_and_delegates_away() -> None:
    delegate = Person(username="daibieu", role=Role.DELEGATE, constituency=("29050",))
    admin = Person(username="admin", role=Role.ADMIN)
    async with app_with(TestClock.frozen(NOW)) as client:
        for person in (STAFF, delegate):
            answer = await client.get(
                "/front-only", headers=bearer(issue_token(person, SECRET, now=NOW))
            )
            assert answer.status_code == 403
            assert person.role.value in answer.json()["detail"]
        for person in (FRONT, admin):
            answer = await client.get(
                "/front-only", headers=bearer(issue_token(person, SECRET, now=NOW))
            )
            assert answer.json() == person.actor
        machine = await client.get("/front-only", headers=bearer("machine-operator-token"))
        assert machine.json() == MACHINE_ACTOR


def test_the_machine_keeps_a_given_name_beside_its_own() -> None:
    assert Machine().named("chị Lan") == "service:operator-token/chị Lan"
    assert Machine().named("  ") == MACHINE_ACTOR
    assert Machine().named(None) == MACHINE_ACTOR
