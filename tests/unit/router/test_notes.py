"""Between levels of the Front: a commune's Front forwards an item up with a note, the province's
sends instructions and questions down; each is a `NoteAdded` in the item's history and on
`feedback.notes.v1`, with its actor and its levels, and nobody else acts on it."""

from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr
from pymongo.errors import AutoReconnect

from fakes import ROUTER_MONDAY, NotifierWorld, RouterWorld, intake_world, router_world
from hoiam_router.domain.directory import Directory
from hoiam_router.outbox import SETTLING
from hoiam_router.settings import RouterSettings
from hoiam_shared.clock import VIETNAM_TIME
from hoiam_shared.events import FeedbackRouted, NoteAdded
from hoiam_shared.identity import Person, Role, issue_token
from hoiam_shared.topics import FEEDBACK_NOTES
from support.clock import TestClock
from support.samples import make_received

TOKEN = "unit-operator-token"
SECRET = SecretStr("router-unit-person-secret-long-enough")
NOW = ROUTER_MONDAY.replace(tzinfo=VIETNAM_TIME)
PLACE = "ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"
PROVINCE = Person(username="mttq-tinh", role=Role.OPERATOR, province_code="86")


@pytest.fixture
def world(directory: Directory) -> RouterWorld:
    settings = RouterSettings(
        fallback_province="86", operator_token=SecretStr(TOKEN), person_token_secret=SECRET
    )
    return router_world(directory, settings=settings)


def auth(person: Person) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(person, SECRET, now=NOW)}"}


async def placed(world: RouterWorld) -> tuple[FeedbackRouted, Person]:
    """A routed item in a commune, and that commune's Front."""
    routed = await world.route(make_received("Mất điện cả ấp", address=PLACE))
    assert routed.location is not None
    assert routed.location.commune is not None
    commune = Person(
        username="mttq-xa",
        role=Role.OPERATOR,
        province_code="86",
        commune_code=routed.location.commune.code,
    )
    return routed, commune


async def test_a_commune_forwards_up_and_the_province_answers_down(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    routed, commune = await placed(world)
    up = await client.post(
        f"/v1/items/{routed.item_id}/notes",
        json={"kind": "forward", "text": "Cử tri bức xúc, nhờ tỉnh đôn đốc."},
        headers=auth(commune),
    )
    world.clock.advance(timedelta(minutes=5))
    down = await client.post(
        f"/v1/items/{routed.item_id}/notes",
        json={"kind": "instruction", "text": "Xã nắm lại số hộ bị ảnh hưởng."},
        headers=auth(PROVINCE),
    )
    assert (up.status_code, down.status_code) == (201, 201), (up.text, down.text)
    assert (up.json()["from_level"], up.json()["to_level"]) == ("commune", "province")
    assert (down.json()["from_level"], down.json()["to_level"]) == ("province", "commune")
    assert up.json()["actor"] == "operator:mttq-xa"
    assert down.json()["actor"] == "operator:mttq-tinh"
    assert up.json()["commune_code"] == commune.commune_code

    published = [(t, e) for t, e in world.publisher.published if isinstance(e, NoteAdded)]
    assert [(t, e.kind.value) for t, e in published] == [
        (FEEDBACK_NOTES, "forward"),
        (FEEDBACK_NOTES, "instruction"),
    ]
    view = (await client.get(f"/v1/items/{routed.item_id}", headers=auth(PROVINCE))).json()
    notes = [h for h in view["history"] if h["type"] == "NoteAdded"]
    assert [(n["kind"], n["text"]) for n in notes] == [
        ("forward", "Cử tri bức xúc, nhờ tỉnh đôn đốc."),
        ("instruction", "Xã nắm lại số hộ bị ảnh hưởng."),
    ]


async def test_each_kind_goes_only_its_way(world: RouterWorld, client: httpx.AsyncClient) -> None:
    routed, commune = await placed(world)
    assert routed.body is not None
    staff = Person(username="dienluc", role=Role.BODY, body_id=routed.body.id)
    delegate = Person(
        username="daibieu", role=Role.DELEGATE, constituency=(str(commune.commune_code),)
    )
    url = f"/v1/items/{routed.item_id}/notes"
    cases = [
        (PROVINCE, "forward", 403, "only a commune's Front forwards"),
        (commune, "instruction", 403, "goes down from the province"),
        (commune, "question", 403, "goes down from the province"),
        (staff, "note", 403, "operators and admins only"),
        (delegate, "note", 403, "operators and admins only"),
    ]
    for person, kind, code, reason in cases:
        answer = await client.post(url, json={"kind": kind, "text": "x"}, headers=auth(person))
        assert answer.status_code == code, (person.username, kind, answer.text)
        assert reason in answer.json()["detail"]
    for person in (commune, PROVINCE):
        note = await client.post(
            url, json={"kind": "note", "text": "ghi chú"}, headers=auth(person)
        )
        assert note.status_code == 201
        assert note.json()["to_level"] is None
    bad = [{"kind": "gossip", "text": "x"}, {"kind": "note", "text": ""}, {"kind": "note"}]
    for body in bad:
        answer = await client.post(url, json=body, headers=auth(PROVINCE))
        assert answer.status_code == 422, body
    assert len(world.publisher.of(NoteAdded)) == 2


async def test_another_communes_front_writes_nothing_on_this_item(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    routed, _ = await placed(world)
    elsewhere = Person(
        username="mttq-khac", role=Role.OPERATOR, province_code="86", commune_code="00001"
    )
    answer = await client.post(
        f"/v1/items/{routed.item_id}/notes",
        json={"kind": "forward", "text": "x"},
        headers=auth(elsewhere),
    )
    assert answer.status_code == 403
    assert world.publisher.of(NoteAdded) == []


async def test_an_instruction_needs_a_commune_to_go_to(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    unsure = await world.route(make_received("Xin chào, tôi có một ý kiến muốn gửi."))
    answer = await client.post(
        f"/v1/items/{unsure.item_id}/notes",
        json={"kind": "question", "text": "Ở xã nào?"},
        headers=auth(PROVINCE),
    )
    assert answer.status_code == 409
    assert "no commune" in answer.json()["detail"]


async def test_the_machine_token_writes_as_the_machine(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    routed, _ = await placed(world)
    answer = await client.post(
        f"/v1/items/{routed.item_id}/notes",
        json={"kind": "question", "text": "Đã xử lý chưa?"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 201
    assert answer.json()["actor"] == "service:operator-token"


async def test_a_note_written_while_the_broker_is_away_is_published_by_the_sweep(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    routed, commune = await placed(world)
    world.publisher.fail_with = AutoReconnect("broker away")
    answer = await client.post(
        f"/v1/items/{routed.item_id}/notes",
        json={"kind": "forward", "text": "Nhờ tỉnh xem."},
        headers=auth(commune),
    )
    assert answer.status_code == 201, answer.text
    assert world.publisher.of(NoteAdded) == []
    world.publisher.fail_with = None
    assert await world.outbox.republish() == 0  # still settling: its own path may deliver it
    world.clock.advance(SETTLING + timedelta(seconds=1))
    assert await world.outbox.republish() == 1
    assert [str(n.event_id) for n in world.publisher.of(NoteAdded)] == [answer.json()["event_id"]]
    assert await world.outbox.republish() == 0


def test_nobody_but_the_console_is_meant_to_read_the_notes(directory: Directory) -> None:
    worlds = [
        router_world(directory).parts.wiring,
        intake_world().parts.wiring,
        NotifierWorld(TestClock.frozen(ROUTER_MONDAY)).parts.wiring,
    ]
    subscribed = {s.topic for wiring in worlds for s in wiring.subscriptions}
    assert not any(topic.endswith(FEEDBACK_NOTES) for topic in subscribed)
