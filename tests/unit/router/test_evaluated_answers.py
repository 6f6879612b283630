"""An answer the HĐND or the Front finds unsatisfactory: sent back to its body (reopened, the
note as the reason, a new due date, the body told again) or marked for questioning (chất vấn)
at a session (a mark in the history, the status unchanged). Operators only; 409 before an
answer; the person's token names the actor."""

from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr

from fakes import ROUTER_MONDAY, RouterWorld, router_world
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.sla import add_working_days
from hoiam_router.settings import RouterSettings
from hoiam_shared.clock import VIETNAM_TIME, vietnam_date
from hoiam_shared.events import FeedbackRouted, Status, StatusChange, StatusChanged
from hoiam_shared.identity import Person, Role, issue_token
from support.samples import make_received

SECRET = SecretStr("router-unit-person-secret-long-enough")
NOW = ROUTER_MONDAY.replace(tzinfo=VIETNAM_TIME)
FRONT = Person(username="mttq-tinh", role=Role.OPERATOR, province_code="86")
PLACE = "ấp Phú Thọ, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"
ROAD = "Đường ấp Phú Thọ xuống cấp, nhiều ổ gà, đề nghị nâng cấp."


@pytest.fixture
def world(directory: Directory) -> RouterWorld:
    settings = RouterSettings(fallback_province="86", person_token_secret=SECRET)
    return router_world(directory, settings=settings)


def token(person: Person) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(person, SECRET, now=NOW)}"}


async def answered(world: RouterWorld) -> FeedbackRouted:
    routed = await world.route(make_received(ROAD, address=PLACE))
    assert routed.body is not None
    await world.ops.change_status(routed.item_id, Status.RESOLVED, answer="Sẽ xem xét.")
    return routed


async def test_sending_back_reopens_it_for_its_body_with_the_note_and_a_new_due_date(
    world: RouterWorld, client: httpx.AsyncClient, directory: Directory
) -> None:
    routed = await answered(world)
    assert routed.body is not None
    # Evaluated weeks after the answer: due again counted from that day.
    world.clock.advance(timedelta(days=20))
    front = {"Authorization": f"Bearer {issue_token(FRONT, SECRET, now=world.clock())}"}

    answer = await client.post(
        f"/v1/items/{routed.tracking_code}/send-back",
        json={"note": "Trả lời chung chung, chưa nêu lộ trình"},
        headers=front,
    )

    assert answer.status_code == 202, answer.text
    event = StatusChanged.model_validate(answer.json())
    assert (event.previous_status, event.status) == (Status.RESOLVED, Status.REOPENED)
    assert event.reason == "Trả lời chung chung, chưa nêu lộ trình"
    assert event.reason_code == "sent_back"
    assert event.actor == "operator:mttq-tinh"
    assert event.body == routed.body
    today = vietnam_date(world.clock())
    sla = directory.body(routed.body.id).sla_working_days
    assert event.due_on == add_working_days(today, sla)
    assert routed.due_on is not None
    assert event.due_on > routed.due_on
    stored = await world.ops.get(routed.item_id)
    assert (stored.status, stored.due_on, stored.body) == (
        Status.REOPENED,
        event.due_on,
        routed.body,
    )
    assert event in world.publisher.of(StatusChanged)


async def test_questioning_marks_it_for_a_session_once_and_keeps_its_status(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    routed = await answered(world)
    body = {"note": "Chưa giải quyết dứt điểm; đưa ra chất vấn", "session_id": "ky-hop-11"}

    first = await client.post(
        f"/v1/items/{routed.tracking_code}/question", json=body, headers=token(FRONT)
    )
    again = await client.post(
        f"/v1/items/{routed.tracking_code}/question", json=body, headers=token(FRONT)
    )
    view = await client.get(f"/v1/items/{routed.item_id}", headers=token(FRONT))

    assert (first.status_code, again.status_code) == (202, 202)
    event = StatusChanged.model_validate(first.json())
    assert event.change is StatusChange.QUESTIONED
    assert (event.previous_status, event.status) == (Status.RESOLVED, Status.RESOLVED)
    assert event.session_id == "ky-hop-11"
    assert event.reason_code == "questioning"
    assert again.json()["event_id"] == first.json()["event_id"]
    questioned = [
        e for e in world.publisher.of(StatusChanged) if e.change is StatusChange.QUESTIONED
    ]
    assert len(questioned) == 1
    assert view.json()["questioned_at"] == ["ky-hop-11"]
    assert view.json()["status"] == "resolved"
    assert (await world.ops.get(routed.item_id)).status is Status.RESOLVED


async def test_an_item_sent_back_can_still_be_questioned(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    routed = await answered(world)
    headers = token(FRONT)
    sent = await client.post(
        f"/v1/items/{routed.tracking_code}/send-back", json={"note": "Chưa đạt"}, headers=headers
    )
    questioned = await client.post(
        f"/v1/items/{routed.tracking_code}/question",
        json={"note": "Chưa đạt", "session_id": "ky-hop-11"},
        headers=headers,
    )
    twice = await client.post(
        f"/v1/items/{routed.tracking_code}/send-back", json={"note": "Lần nữa"}, headers=headers
    )
    assert (sent.status_code, questioned.status_code) == (202, 202)
    assert twice.status_code == 409  # reopened: no new answer to send back yet


async def test_an_item_not_answered_yet_is_409_and_an_unknown_code_404(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    routed = await world.route(make_received(ROAD, address=PLACE))
    headers = token(FRONT)
    back = await client.post(
        f"/v1/items/{routed.tracking_code}/send-back", json={"note": "x"}, headers=headers
    )
    question = await client.post(
        f"/v1/items/{routed.tracking_code}/question",
        json={"note": "x", "session_id": "s"},
        headers=headers,
    )
    unknown = await client.post(
        "/v1/items/HA-XXXX-00/send-back", json={"note": "x"}, headers=headers
    )
    assert (back.status_code, question.status_code, unknown.status_code) == (409, 409, 404)
    assert "no answer yet" in back.json()["detail"]
    assert (await world.ops.get(routed.item_id)).status is Status.ROUTED


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("send-back", {}),
        ("send-back", {"note": ""}),
        ("send-back", {"note": "x" * 2001}),
        ("question", {"note": "x"}),
        ("question", {"note": "x", "session_id": "s", "extra": 1}),
    ],
)
async def test_bad_requests_are_422(
    world: RouterWorld, client: httpx.AsyncClient, path: str, body: dict[str, object]
) -> None:
    routed = await answered(world)
    answer = await client.post(
        f"/v1/items/{routed.tracking_code}/{path}", json=body, headers=token(FRONT)
    )
    assert answer.status_code == 422


async def test_only_the_front_evaluates_and_only_in_its_scope(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    routed = await answered(world)
    assert routed.body is not None
    staff = Person(username="staff", role=Role.BODY, body_id=routed.body.id)
    elsewhere = Person(username="mttq-hue", role=Role.OPERATOR, province_code="46")
    for person in (staff, elsewhere):
        answer = await client.post(
            f"/v1/items/{routed.tracking_code}/send-back",
            json={"note": "x"},
            headers=token(person),
        )
        assert answer.status_code == 403, person
    anonymous = await client.post(f"/v1/items/{routed.tracking_code}/send-back", json={"note": "x"})
    assert anonymous.status_code == 401
    assert (await world.ops.get(routed.item_id)).status is Status.RESOLVED
