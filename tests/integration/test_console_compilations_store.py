"""The compilation store and the read model's session query on the real FerretDB, held to the
in-memory fakes' answers (one contract, both adapters): numbered appends, two writers of one
number keep one, and the service on top compiles, locks and writes the same documents."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from pymongo import AsyncMongoClient

from hoiam_console.compilations import Compilations
from hoiam_console.domain.compiling import Adjusted, Drop, LockEvent, Merge, compile_session
from hoiam_console.domain.readmodel import changes_of
from hoiam_console.domain.results import Evaluation
from hoiam_console.ports import CompilationStore, ReadModel
from hoiam_console.store import MongoCompilations, MongoReadModel
from hoiam_shared.identity import Person, Role
from hoiam_shared.ids import new_id
from support.clock import TestClock
from support.compiling import PLANNED, SHEET, InMemoryCompilations, planned, session_events
from support.console import InMemoryReadModel

pytestmark = pytest.mark.integration

AT = datetime(2014, 9, 27, 2, 0, tzinfo=UTC)
OPERATOR = Person(username="operator", role=Role.OPERATOR, province_code="26")

type Make = Callable[[], Awaitable[CompilationStore]]


@pytest.fixture(params=["memory", "mongo"])
async def store(
    request: pytest.FixtureRequest, prefix: str, mongo: AsyncMongoClient[dict[str, object]]
) -> CompilationStore:
    made: CompilationStore = (
        InMemoryCompilations()
        if request.param == "memory"
        else MongoCompilations(mongo[f"{prefix}_console"])
    )
    await made.prepare()
    return made


def adjusted(seq: int, reason: str) -> Adjusted:
    return Adjusted(seq=seq, adjustment=Drop(key="k", reason=reason), actor="operator:a", at=AT)


async def test_appends_are_numbered_and_read_back_in_order(store: CompilationStore) -> None:
    session = f"s-{new_id()}"
    assert await store.add_adjustment(session, adjusted(1, "thứ hai"))
    assert await store.add_adjustment(session, adjusted(0, "thứ nhất"))
    merge = Adjusted(seq=2, adjustment=Merge(key="a", other="b"), actor="admin:x", at=AT)
    assert await store.add_adjustment(session, merge)
    assert [a.seq for a in await store.adjustments(session)] == [0, 1, 2]
    assert (await store.adjustments(session))[2] == merge
    assert await store.adjustments(f"s-{new_id()}") == []

    snapshot = compile_session(SHEET, [])
    lock = LockEvent(seq=0, action="lock", actor="operator:a", at=AT, snapshot=snapshot)
    assert await store.add_lock_event(session, lock)
    assert not await store.add_lock_event(session, lock.model_copy(update={"actor": "x:y"}))
    assert await store.lock_events(session) == [lock]

    evaluation = Evaluation(
        seq=0, petition_key="k", kind="roadmap", verdict="unsatisfactory", note="Chưa rõ",
        roadmap_due=datetime(2015, 6, 30).date(), follow_up="question", actor="operator:a", at=AT,
    )  # fmt: skip
    assert await store.add_evaluation(session, evaluation)
    assert await store.evaluations(session) == [evaluation]


async def test_two_writers_of_one_number_keep_one(store: CompilationStore) -> None:
    session = f"s-{new_id()}"
    results = await asyncio.gather(
        *(store.add_adjustment(session, adjusted(0, f"người {k}")) for k in range(4))
    )
    assert sorted(results) == [False, False, False, True]
    assert len(await store.adjustments(session)) == 1


@pytest.fixture(params=["memory", "mongo"])
async def read_model(
    request: pytest.FixtureRequest, prefix: str, mongo: AsyncMongoClient[dict[str, object]]
) -> ReadModel:
    made: ReadModel = (
        InMemoryReadModel()
        if request.param == "memory"
        else MongoReadModel(mongo[f"{prefix}_console"])
    )
    await made.prepare()
    return made


async def test_a_sessions_items_are_found_and_compiled_on_both_adapters(
    read_model: ReadModel, store: CompilationStore
) -> None:
    sheet = SHEET.model_copy(update={"id": f"session-{new_id()}"})
    for event in session_events(session_id=sheet.id):
        for change in changes_of(event):
            await read_model.apply(change)

    found = await read_model.of_session(sheet.id)
    assert sorted(r.item_id for r in found) == sorted(p.item_id for p in PLANNED)
    assert {r.meeting_id for r in found} == {m.id for m in sheet.meetings}
    service = Compilations(items=read_model, store=store, clock=TestClock.frozen(AT))
    await service.adjust(
        sheet, Drop(key=str(planned("den").item_id), reason="Đã trả lời"), person=OPERATOR
    )
    locked = await service.lock(sheet, person=OPERATOR)
    assert (locked.counts.raised, locked.counts.petitions, locked.counts.dropped) == (9, 5, 1)
    assert (await service.compilation(sheet)) == locked
    first = await service.report_docx(sheet)
    assert first == await service.report_docx(sheet)
