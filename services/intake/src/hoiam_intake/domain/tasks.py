"""Operators' tasks (việc cần người làm): what only a person can do, and its life cycle.

Every `OperatorTaskOpened` on `operator.tasks` — intake's missed calls, the notifier's call-backs,
unreachable citizens and deliveries whose outcome is unknown — becomes one task, open until an
operator takes it (assigned) and closes it (done). A done task stays done: a new need is a new
task with its own id.
"""

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from hoiam_shared.events import OperatorTaskOpened

type TaskKind = Literal["call_back", "unreachable_citizen", "delivery_outcome_unknown", "other"]


class TaskState(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    DONE = "done"


class IllegalTransitionError(ValueError):
    """The task cannot move that way from where it is (a done task is never re-opened here)."""


class Task(BaseModel):
    """A task and what happened to it; `version` counts the changes (compare-and-set)."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    kind: TaskKind
    state: TaskState = TaskState.OPEN
    opened: OperatorTaskOpened
    assigned_to: str | None = None
    assigned_by: str | None = None
    assigned_at: AwareDatetime | None = None
    done_by: str | None = None
    done_at: AwareDatetime | None = None
    note: str | None = None
    version: int = 0


def kind_of(event: OperatorTaskOpened) -> TaskKind:
    """The task's kind; notifiers before issue 10 published an unknown delivery as "other"."""
    if event.kind == "other" and event.reason == "delivery_outcome_unknown":
        return "delivery_outcome_unknown"
    return event.kind


def opened(event: OperatorTaskOpened) -> Task:
    return Task(task_id=event.task_id, kind=kind_of(event), opened=event)


def assign(task: Task, *, actor: str, assignee: str, at: AwareDatetime) -> Task:
    """`actor` gives the task to `assignee` (themselves, or a colleague taking it over)."""
    if task.state is TaskState.DONE:
        raise IllegalTransitionError(
            f"task {task.task_id} is done (by {task.done_by} at {task.done_at}); open a new one"
        )
    return task.model_copy(
        update={
            "state": TaskState.ASSIGNED,
            "assigned_to": assignee,
            "assigned_by": actor,
            "assigned_at": at,
            "version": task.version + 1,
        }
    )


def finish(task: Task, *, actor: str, at: AwareDatetime, note: str | None = None) -> Task:
    """`actor` closes the task, from open or assigned."""
    if task.state is TaskState.DONE:
        raise IllegalTransitionError(
            f"task {task.task_id} is already done (by {task.done_by} at {task.done_at})"
        )
    return task.model_copy(
        update={
            "state": TaskState.DONE,
            "done_by": actor,
            "done_at": at,
            "note": note,
            "version": task.version + 1,
        }
    )
