"""The operators' task list: one contract, against the fake and FerretDB."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from pymongo import AsyncMongoClient

from fakes import InMemoryTaskList
from hoiam_intake.domain.tasks import TaskState, assign, finish
from hoiam_intake.tasks import MongoTaskList, TaskList
from hoiam_shared.events import OperatorTaskOpened

type Mongo = AsyncMongoClient[dict[str, Any]]
AT = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "mongo"])
async def tasks(
    request: pytest.FixtureRequest, prefix: str, mongo: Mongo
) -> AsyncIterator[TaskList]:
    if request.param == "memory":
        yield InMemoryTaskList()
        return
    adapter = MongoTaskList(mongo[f"{prefix}_tasks"])
    await adapter.prepare()
    yield adapter


def task(task_id: str, kind: str = "call_back", minutes: int = 0) -> OperatorTaskOpened:
    at = AT + timedelta(minutes=minutes)
    return OperatorTaskOpened.model_validate(
        {
            "occurred_at": at,
            "correlation_id": UUID(int=1),
            "task_id": task_id,
            "kind": kind,
            "reason": "no_answer",
            "opened_at": at,
        }
    )


async def test_a_task_is_opened_once_and_the_first_event_wins(tasks: TaskList) -> None:
    first = await tasks.open_once(task("a"))
    again = await tasks.open_once(task("a", minutes=5))

    assert again == first
    assert again.opened.opened_at == AT
    assert await tasks.get("a") == first
    assert await tasks.get("nope") is None


async def test_find_filters_by_state_and_kind_newest_first(tasks: TaskList) -> None:
    await tasks.open_once(task("old", minutes=0))
    await tasks.open_once(task("new", minutes=9))
    await tasks.open_once(task("lost", kind="unreachable_citizen", minutes=5))
    taken = assign(await tasks.open_once(task("old")), actor="lan", assignee="lan", at=AT)
    assert await tasks.save(taken)

    assert [t.task_id for t in await tasks.find()] == ["new", "lost", "old"]
    assert [t.task_id for t in await tasks.find(limit=1)] == ["new"]
    assert [t.task_id for t in await tasks.find(state=TaskState.OPEN)] == ["new", "lost"]
    assert [t.task_id for t in await tasks.find(kind="unreachable_citizen")] == ["lost"]
    assert [t.task_id for t in await tasks.find(state=TaskState.ASSIGNED, kind="call_back")] == [
        "old"
    ]


async def test_a_change_is_saved_only_over_the_version_it_was_made_from(tasks: TaskList) -> None:
    opened = await tasks.open_once(task("a"))
    by_lan = assign(opened, actor="lan", assignee="lan", at=AT)
    by_minh = assign(opened, actor="minh", assignee="minh", at=AT)

    assert await tasks.save(by_lan) is True
    assert await tasks.save(by_minh) is False  # made from a version that is gone
    done = finish(by_lan, actor="lan", at=AT + timedelta(hours=1), note="xong")
    assert await tasks.save(done) is True
    assert await tasks.get("a") == done
