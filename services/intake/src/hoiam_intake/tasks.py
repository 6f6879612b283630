"""The operators' task list: the port and its MongoDB adapter (fake: tests/fakes.py).

One document per task id, insert-first, so a task read twice from `operator.tasks` (or written by
intake and read back from the topic) is one task. Changes are compare-and-set on `version`, so two
operators acting at once cannot both win.
"""

from typing import Protocol

from pymongo.asynchronous.database import AsyncDatabase

from hoiam_intake.domain.tasks import Task, TaskKind, TaskState, opened
from hoiam_shared.events import OperatorTaskOpened
from hoiam_shared.mongo import Document, insert_once


class TaskList(Protocol):
    async def prepare(self) -> None:
        """Create what the store needs (indexes) before the first write."""
        ...

    async def open_once(self, event: OperatorTaskOpened) -> Task:
        """The task `event` opens, unless its id is known; return the stored task."""
        ...

    async def get(self, task_id: str) -> Task | None: ...

    async def find(
        self, *, state: TaskState | None = None, kind: TaskKind | None = None, limit: int = 100
    ) -> list[Task]:
        """Tasks in that state and of that kind (None: any), newest first."""
        ...

    async def save(self, task: Task) -> bool:
        """Store `task` if the stored one is still the version before it; False otherwise."""
        ...


def _document(task: Task) -> Document:
    return {
        "state": task.state.value,
        "kind": task.kind,
        "opened_at": task.opened.opened_at,
        "version": task.version,
        "task": task.model_dump(mode="json"),
    }


class MongoTaskList:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._tasks = db["operator_tasks"]

    async def prepare(self) -> None:
        await self._tasks.create_index([("state", 1), ("opened_at", -1)])

    async def open_once(self, event: OperatorTaskOpened) -> Task:
        stored, _ = await insert_once(self._tasks, event.task_id, _document(opened(event)))
        return Task.model_validate((stored or {})["task"])

    async def get(self, task_id: str) -> Task | None:
        stored = await self._tasks.find_one({"_id": task_id})
        return Task.model_validate(stored["task"]) if stored else None

    async def find(
        self, *, state: TaskState | None = None, kind: TaskKind | None = None, limit: int = 100
    ) -> list[Task]:
        query: Document = {}
        if state is not None:
            query["state"] = state.value
        if kind is not None:
            query["kind"] = kind
        found = self._tasks.find(query).sort([("opened_at", -1), ("_id", 1)]).limit(limit)
        return [Task.model_validate(d["task"]) async for d in found]

    async def save(self, task: Task) -> bool:
        result = await self._tasks.replace_one(
            {"_id": task.task_id, "version": task.version - 1}, _document(task)
        )
        return result.modified_count == 1
