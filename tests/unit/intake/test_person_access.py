"""Intake's operator routes take either credential: the machine operator token, or the console's
person token verified with intake's secret and clock."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from pydantic import SecretStr

from fakes import IntakeWorld, intake_world
from hoiam_shared.events import Location, OperatorTaskOpened
from hoiam_shared.identity import Person, Role, issue_token
from support.clock import TestClock
from support.samples import make_received

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


# --- who may, and who acted ---------------------------------------------------------------------

STAFF = Person(username="ubnd-tieucan", role=Role.BODY, body_id="86-xa-tieu-can")
DELEGATE = Person(username="daibieu", role=Role.DELEGATE, constituency=("29050",))
ADMIN = Person(username="admin", role=Role.ADMIN)
ELSEWHERE = Person(username="mttq-hanoi", role=Role.OPERATOR, province_code="01")

TASK = OperatorTaskOpened(
    correlation_id=UUID(int=5),
    task_id="t-1",
    kind="call_back",
    reason="missed call",
    phone="+84383456789",
    opened_at=AT,
)

# Every route that shows citizens' contacts or is the Front's own work.
FRONT_ROUTES: list[tuple[str, str, dict[str, object] | None]] = [
    ("GET", "/v1/operator/tasks", None),
    ("POST", "/v1/operator/tasks/t-1/assign", {}),
    ("POST", "/v1/operator/tasks/t-1/done", {}),
    ("GET", "/v1/operator/citizen-suggestions", None),
    ("GET", f"/v1/feedback/{UUID(int=7)}", None),
    ("GET", "/v1/feedback/by-source/email/abc@x", None),
    ("POST", "/v1/intake/calls/manual", {"phone": "+84383456789", "text": "Mất điện"}),
    ("GET", "/v1/sessions", None),
    ("POST", "/v1/sessions", {"name": "Kỳ họp", "province_code": "86"}),
    ("GET", "/v1/sessions/s-1", None),
]


def as_person(person: Person) -> dict[str, str]:
    return bearer(issue_token(person, SECRET, now=AT))


@pytest.mark.parametrize("person", [STAFF, DELEGATE], ids=["body", "delegate"])
@pytest.mark.parametrize(("method", "path", "body"), FRONT_ROUTES)
async def test_body_staff_and_delegates_get_403_on_the_fronts_routes(
    world: IntakeWorld, person: Person, method: str, path: str, body: dict[str, object] | None
) -> None:
    await world.parts.record_task(TASK)
    async with world.http() as client:
        answer = await client.request(method, path, json=body, headers=as_person(person))
    assert answer.status_code == 403, answer.text
    assert "operators and admins" in answer.json()["detail"]
    assert world.published.published == []


async def test_a_call_log_upload_is_the_fronts_too(world: IntakeWorld) -> None:
    headers = {"content-type": "text/csv"}
    async with world.http() as client:
        refused = await client.post(
            "/v1/intake/calls", content=b"x", headers=headers | as_person(STAFF)
        )
    assert refused.status_code == 403


async def test_who_took_and_closed_a_task_is_the_tokens_person(world: IntakeWorld) -> None:
    await world.parts.record_task(TASK)
    async with world.http() as client:
        taken = await client.post(
            "/v1/operator/tasks/t-1/assign",
            json={"actor": "Chủ tịch tỉnh"},
            headers=as_person(FRONT),
        )
        done = await client.post(
            "/v1/operator/tasks/t-1/done", json={"note": "đã gọi"}, headers=as_person(ADMIN)
        )
    assert taken.status_code == 200, taken.text
    assert (taken.json()["assigned_by"], taken.json()["assigned_to"]) == (
        "operator:operator",
        "operator:operator",
    )
    assert done.json()["done_by"] == "admin:admin"


async def test_another_provinces_front_does_not_read_this_provinces_item(
    world: IntakeWorld,
) -> None:
    item = make_received("Mất điện cả ấp")
    item = item.model_copy(update={"location": Location(province_hint="86")})
    await world.items.add_once(item)
    async with world.http() as client:
        here = await client.get(f"/v1/feedback/{item.item_id}", headers=as_person(FRONT))
        there = await client.get(f"/v1/feedback/{item.item_id}", headers=as_person(ELSEWHERE))
    assert here.status_code == 200, here.text
    assert here.json()["citizen"]["contacts"]["email"]
    assert there.status_code == 403
    assert "province 01" in there.json()["detail"]


async def test_the_console_declares_and_lists_sessions_as_the_front(world: IntakeWorld) -> None:
    session = {
        "name": "Kỳ họp thứ 5 HĐND tỉnh",
        "province_code": "86",
        "opens_on": "2026-12-08",
        "closes_on": "2026-12-10",
    }
    async with world.http() as client:
        created = await client.post("/v1/sessions", json=session, headers=as_person(FRONT))
        listed = await client.get("/v1/sessions", headers=as_person(ADMIN))
    assert created.status_code == 201, created.text
    assert [s["id"] for s in listed.json()] == [created.json()["id"]]
