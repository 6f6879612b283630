"""The operators' task list: every task on `operator.tasks` (the notifier's and intake's own missed
calls), open → assigned → done, who did it and when, in Vietnam time."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import pytest
from pydantic import SecretStr

from fakes import IntakeWorld, intake_world
from hoiam_intake.domain.channels.calls import CALL_CONTENT_TYPE, ManualCall
from hoiam_intake.domain.items import accept_raw
from hoiam_intake.domain.tasks import IllegalTransitionError, TaskState, assign, finish, opened
from hoiam_shared.events import Channel, OperatorTaskOpened
from support.clock import TestClock

AT = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
TOKEN = "op-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}


def notifier_task(
    kind: str = "unreachable_citizen", task_id: str = "t-1", **fields: object
) -> OperatorTaskOpened:
    return OperatorTaskOpened.model_validate(
        {
            "occurred_at": AT,
            "correlation_id": UUID(int=5),
            "task_id": task_id,
            "kind": kind,
            "item_id": UUID(int=5),
            "tracking_code": "HA-TASK-0001",
            "reason": "every contact failed",
            "opened_at": AT,
        }
        | fields
    )


@pytest.fixture
def world() -> IntakeWorld:
    return intake_world(clock=TestClock.frozen(AT), operator_token=SecretStr(TOKEN))


@pytest.fixture
async def client(world: IntakeWorld) -> httpx.AsyncClient:
    return world.http()


# --- the pure life cycle ------------------------------------------------------------------------


def test_a_task_goes_open_assigned_done_and_no_further() -> None:
    task = opened(notifier_task())
    assert task.state is TaskState.OPEN

    taken = assign(task, actor="lan", assignee="minh", at=AT + timedelta(minutes=1))
    handed = assign(taken, actor="minh", assignee="hoa", at=AT + timedelta(minutes=2))
    done = finish(handed, actor="hoa", at=AT + timedelta(minutes=3), note="đã gọi lại")

    assert taken.state is TaskState.ASSIGNED
    assert (taken.assigned_to, taken.assigned_by) == ("minh", "lan")
    assert (handed.assigned_to, handed.assigned_by) == ("hoa", "minh")
    assert (done.state, done.done_by, done.done_at, done.note) == (
        TaskState.DONE, "hoa", AT + timedelta(minutes=3), "đã gọi lại",
    )  # fmt: skip
    assert finish(task, actor="lan", at=AT).state is TaskState.DONE  # open → done is fine
    with pytest.raises(IllegalTransitionError):
        finish(done, actor="hoa", at=AT)
    with pytest.raises(IllegalTransitionError):
        assign(done, actor="hoa", assignee="hoa", at=AT)


def test_a_delivery_outcome_unknown_published_as_other_keeps_its_own_kind() -> None:
    legacy = notifier_task(kind="other", reason="delivery_outcome_unknown")

    assert opened(legacy).kind == "delivery_outcome_unknown"
    assert opened(notifier_task(kind="other", reason="something else")).kind == "other"


# --- consumed from operator.tasks ---------------------------------------------------------------


async def test_tasks_from_the_topic_join_the_list_once(
    world: IntakeWorld, client: httpx.AsyncClient
) -> None:
    for _ in range(2):  # a redelivery changes nothing
        await world.parts.record_task(notifier_task())
    await world.parts.record_task(
        notifier_task(kind="call_back", task_id="t-2", phone="+84383456789", reason="phone_only")
    )
    await world.parts.record_task(
        notifier_task(kind="delivery_outcome_unknown", task_id="t-3", reason="x")
    )

    async with client:
        listed = (await client.get("/v1/operator/tasks", headers=AUTH)).json()

    assert sorted(t["task_id"] for t in listed) == ["t-1", "t-2", "t-3"]
    assert {t["kind"] for t in listed} == {
        "unreachable_citizen", "call_back", "delivery_outcome_unknown",
    }  # fmt: skip
    assert {t["state"] for t in listed} == {"open"}
    assert all(t["opened_at"] == "2026-11-27T10:00:00+07:00" for t in listed)


async def test_intakes_own_missed_calls_are_in_the_same_list(
    world: IntakeWorld, client: httpx.AsyncClient
) -> None:
    answered = ManualCall(call_id="missed-1", caller="0383456789", text="gọi nhỡ").record(AT)
    record = answered.model_copy(update={"answered": False, "disposition": "NO ANSWER"})
    item_id = UUID(int=9)
    raw = accept_raw(
        item_id=item_id, tracking_code="HA-CALL-0001", channel=Channel.PHONE,
        payload=record.model_dump_json().encode(), content_type=CALL_CONTENT_TYPE,
        received_at=AT, source_ref=record.call_id,
    )  # fmt: skip
    await world.parts.normalise(raw)
    [published] = world.published.of(OperatorTaskOpened)
    await world.parts.record_task(published)  # and read back from the topic: still one

    async with client:
        listed = (await client.get("/v1/operator/tasks", headers=AUTH)).json()

    assert [(t["task_id"], t["kind"], t["phone"]) for t in listed] == [
        (published.task_id, "call_back", "+84383456789")
    ]


async def test_assign_and_done_record_who_and_when_in_vietnam_time(
    world: IntakeWorld, client: httpx.AsyncClient
) -> None:
    await world.parts.record_task(notifier_task())
    async with client:
        assigned = await client.post(
            "/v1/operator/tasks/t-1/assign", json={"actor": "lan"}, headers=AUTH
        )
        world.clock.advance(timedelta(hours=1))
        done = await client.post(
            "/v1/operator/tasks/t-1/done",
            json={"actor": "lan", "note": "Đã gọi, cử tri đã nhận."},
            headers=AUTH,
        )
        again = await client.post(
            "/v1/operator/tasks/t-1/done", json={"actor": "lan"}, headers=AUTH
        )
        late = await client.post(
            "/v1/operator/tasks/t-1/assign", json={"actor": "minh"}, headers=AUTH
        )
        unknown = await client.post(
            "/v1/operator/tasks/nope/assign", json={"actor": "lan"}, headers=AUTH
        )
        still_open = (
            await client.get("/v1/operator/tasks", params={"state": "open"}, headers=AUTH)
        ).json()
        closed = (
            await client.get("/v1/operator/tasks", params={"state": "done"}, headers=AUTH)
        ).json()

    assert assigned.status_code == 200
    body = assigned.json()
    # The machine token's holder names themselves beside the machine, never alone.
    lan = "service:operator-token/lan"
    assert (body["state"], body["assigned_to"], body["assigned_by"]) == ("assigned", lan, lan)
    assert body["assigned_at"] == "2026-11-27T10:00:00+07:00"
    assert done.status_code == 200
    assert done.json()["state"] == "done"
    assert done.json()["done_by"] == lan
    assert done.json()["done_at"] == "2026-11-27T11:00:00+07:00"
    assert done.json()["note"] == "Đã gọi, cử tri đã nhận."
    assert (again.status_code, late.status_code) == (409, 409)
    assert "done" in again.json()["detail"]
    assert unknown.status_code == 404
    assert still_open == []
    assert [t["task_id"] for t in closed] == ["t-1"]


async def test_the_list_filters_by_state_and_kind(
    world: IntakeWorld, client: httpx.AsyncClient
) -> None:
    await world.parts.record_task(notifier_task(task_id="a"))
    await world.parts.record_task(
        notifier_task(kind="call_back", task_id="b", phone="+84383456789")
    )
    async with client:
        await client.post("/v1/operator/tasks/a/assign", json={"actor": "lan"}, headers=AUTH)
        by_kind = (
            await client.get("/v1/operator/tasks", params={"kind": "call_back"}, headers=AUTH)
        ).json()
        by_state = (
            await client.get("/v1/operator/tasks", params={"state": "assigned"}, headers=AUTH)
        ).json()
        both = (
            await client.get(
                "/v1/operator/tasks",
                params={"state": "assigned", "kind": "call_back"},
                headers=AUTH,
            )
        ).json()
        bad = await client.get("/v1/operator/tasks", params={"state": "lost"}, headers=AUTH)
        bad_kind = await client.get("/v1/operator/tasks", params={"kind": "lost"}, headers=AUTH)

    assert [t["task_id"] for t in by_kind] == ["b"]
    assert [t["task_id"] for t in by_state] == ["a"]
    assert both == []
    assert bad.status_code == 422
    assert bad_kind.status_code == 422
    assert "call_back" in bad_kind.text  # the reason names the kinds there are


@pytest.mark.parametrize(
    "body",
    [
        {"actor": ""},
        {"actor": "   "},
        {"actor": "lan\r\nX-Evil: 1"},
        {"actor": "x" * 201},
        {"actor": "lan", "extra": 1},
    ],
)
async def test_a_given_actor_is_validated(
    world: IntakeWorld, client: httpx.AsyncClient, body: dict[str, object]
) -> None:
    await world.parts.record_task(notifier_task())
    async with client:
        assign_answer = await client.post("/v1/operator/tasks/t-1/assign", json=body, headers=AUTH)
        done_answer = await client.post("/v1/operator/tasks/t-1/done", json=body, headers=AUTH)
        listed = (await client.get("/v1/operator/tasks", headers=AUTH)).json()

    assert (assign_answer.status_code, done_answer.status_code) == (422, 422)
    assert listed[0]["state"] == "open"


async def test_task_changes_need_the_operator_credential(
    world: IntakeWorld, client: httpx.AsyncClient
) -> None:
    await world.parts.record_task(notifier_task())
    async with client:
        answer = await client.post("/v1/operator/tasks/t-1/assign", json={"actor": "lan"})

    assert answer.status_code == 401
