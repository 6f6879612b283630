"""The router's operator API takes either credential: the machine operator token, or the
console's person token verified with the router's secret and clock."""

from datetime import timedelta
from uuid import uuid4

import httpx
import pytest
from pydantic import SecretStr

from fakes import ROUTER_MONDAY, RouterWorld, router_world
from hoiam_router.domain.directory import Directory
from hoiam_router.settings import RouterSettings
from hoiam_shared.clock import VIETNAM_TIME
from hoiam_shared.events import FeedbackRouted, Status
from hoiam_shared.identity import Person, Role, issue_token
from support.samples import make_received

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


# --- scope and actor ----------------------------------------------------------------------------

PLACE = "ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"


def token(person: Person) -> dict[str, str]:
    return bearer(issue_token(person, SECRET, now=NOW))


async def a_routed_item(world: RouterWorld) -> FeedbackRouted:
    routed = await world.route(make_received("Mất điện cả ấp", address=PLACE))
    assert routed.body is not None
    assert routed.location
    assert routed.location.commune
    return routed


def staff_of(body_id: str, username: str = "staff") -> Person:
    return Person(username=username, role=Role.BODY, body_id=body_id)


async def test_another_bodys_staff_get_403_on_read_and_write(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    routed = await a_routed_item(world)
    other = token(staff_of("86-so-xay-dung", "so-xaydung"))
    read = await client.get(f"/v1/items/{routed.item_id}", headers=other)
    write = await client.post(
        f"/v1/items/{routed.item_id}/status", json={"status": "acknowledged"}, headers=other
    )
    back = await client.post(
        f"/v1/items/{routed.item_id}/hand-back", json={"reason": "không phải"}, headers=other
    )
    assert (read.status_code, write.status_code, back.status_code) == (403, 403, 403)
    assert "not with your body" in write.json()["detail"]
    assert (await world.ops.get(routed.item_id)).status is Status.ROUTED


async def test_the_history_names_the_tokens_person_not_the_bodys_actor_field(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    routed = await a_routed_item(world)
    assert routed.body is not None
    staff = token(staff_of(routed.body.id, "dienluc-an"))
    answer = await client.post(
        f"/v1/items/{routed.item_id}/status",
        json={"status": "acknowledged", "actor": "Chủ tịch tỉnh"},
        headers=staff,
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["actor"] == "body:dienluc-an"
    view = (await client.get(f"/v1/items/{routed.item_id}", headers=staff)).json()
    assert [h.get("actor") for h in view["history"]] == [None, "body:dienluc-an"]


async def test_the_machine_token_is_named_as_the_machine(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    routed = await a_routed_item(world)
    named = await client.post(
        f"/v1/items/{routed.item_id}/status",
        json={"status": "acknowledged", "actor": "chị Lan"},
        headers=bearer(TOKEN),
    )
    bare = await client.post(
        f"/v1/items/{routed.item_id}/status", json={"status": "in_progress"}, headers=bearer(TOKEN)
    )
    assert named.json()["actor"] == "service:operator-token/chị Lan"
    assert bare.json()["actor"] == "service:operator-token"


async def test_a_delegate_reads_their_constituency_and_changes_nothing(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    routed = await a_routed_item(world)
    assert routed.location
    assert routed.location.commune
    commune = routed.location.commune.code
    mine = token(Person(username="daibieu", role=Role.DELEGATE, constituency=(commune,)))
    elsewhere = token(Person(username="daibieu2", role=Role.DELEGATE, constituency=("00001",)))
    assert (await client.get(f"/v1/items/{routed.item_id}", headers=mine)).status_code == 200
    assert (await client.get(f"/v1/items/{routed.item_id}", headers=elsewhere)).status_code == 403
    write = await client.post(
        f"/v1/items/{routed.item_id}/status", json={"status": "acknowledged"}, headers=mine
    )
    assert write.status_code == 403
    assert "delegates read" in write.json()["detail"]
    assert (await client.get("/v1/triage", headers=mine)).status_code == 403


async def test_triage_decisions_merges_and_splits_are_the_fronts(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    unsure = await world.route(make_received("Xin chào, tôi có một ý kiến muốn gửi."))
    routed = await a_routed_item(world)
    assert routed.body is not None
    assert routed.case_id is not None
    staff = token(staff_of(routed.body.id))
    decide = await client.post(
        f"/v1/triage/{unsure.item_id}/decide",
        json={"category": "electricity", "body_id": routed.body.id},
        headers=staff,
    )
    merge = await client.post(
        f"/v1/cases/{routed.case_id}/merge", json={"case_ids": [str(uuid4())]}, headers=staff
    )
    split = await client.post(
        f"/v1/cases/{routed.case_id}/split", json={"item_ids": [str(routed.item_id)]}, headers=staff
    )
    queue = await client.get("/v1/triage", headers=staff)
    assert [r.status_code for r in (decide, merge, split, queue)] == [403, 403, 403, 403]
    assert "operators and admins only" in decide.json()["detail"]
    decided = await client.post(
        f"/v1/triage/{unsure.item_id}/decide",
        json={"category": "electricity", "body_id": routed.body.id, "actor": "someone else"},
        headers=token(FRONT),
    )
    assert decided.status_code == 202, decided.text
    history = (await client.get(f"/v1/items/{unsure.item_id}", headers=token(FRONT))).json()
    assert history["history"][-2]["actor"] == "operator:operator"


async def test_a_commune_front_sees_and_works_only_its_commune(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    routed = await a_routed_item(world)
    assert routed.location
    assert routed.location.commune
    commune = routed.location.commune.code
    here = token(
        Person(username="mttq-a", role=Role.OPERATOR, province_code="86", commune_code=commune)
    )
    there = token(
        Person(username="mttq-b", role=Role.OPERATOR, province_code="86", commune_code="00001")
    )
    assert (await client.get(f"/v1/items/{routed.item_id}", headers=here)).status_code == 200
    refused = await client.post(
        f"/v1/items/{routed.item_id}/status", json={"status": "acknowledged"}, headers=there
    )
    assert refused.status_code == 403
    assert "commune 00001" in refused.json()["detail"]
    # An item placed nowhere waits in the province's queue, not in a commune's.
    await world.route(make_received("Xin chào, tôi có một ý kiến muốn gửi."))
    assert (await client.get("/v1/triage", headers=there)).json() == []
    assert len((await client.get("/v1/triage", headers=token(FRONT))).json()) == 1


async def test_body_staff_work_their_own_bodys_item(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    routed = await a_routed_item(world)
    assert routed.body is not None
    staff = token(staff_of(routed.body.id, "dienluc-an"))
    for status in ("acknowledged", "in_progress"):
        answer = await client.post(
            f"/v1/items/{routed.item_id}/status", json={"status": status}, headers=staff
        )
        assert answer.status_code == 202, answer.text
    back = await client.post(
        f"/v1/items/{routed.item_id}/reassign",
        json={"body_id": "86-so-xay-dung", "reason": "thuộc Sở Xây dựng"},
        headers=staff,
    )
    assert back.status_code == 202, back.text
    assert back.json()["actor"] == "body:dienluc-an"
    # Reassigned away, the item is no longer theirs to change.
    again = await client.post(
        f"/v1/items/{routed.item_id}/status", json={"status": "resolved"}, headers=staff
    )
    assert again.status_code == 403
