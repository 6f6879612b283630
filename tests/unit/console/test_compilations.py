"""The compilations service on in-memory stores: the read model's meeting items compiled,
adjusted, locked (and unlocked by an admin only), evaluated; who may do what."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from hoiam_console.compilations import (
    CompilationLockedError,
    Compilations,
    EvaluationError,
    ForbiddenError,
    NotLockedError,
    UnknownPetitionError,
)
from hoiam_console.domain.compiling import Adjusted, Drop, Merge, Reword
from hoiam_console.domain.readmodel import changes_of
from hoiam_shared.events import Event
from hoiam_shared.identity import Person, Role
from support.clock import TestClock
from support.compiling import (
    DT746_ANSWER,
    KHUON_THAM_ANSWER,
    PLANNED,
    SHEET,
    InMemoryCompilations,
    Planned,
    answered,
    planned,
    session_events,
)
from support.console import InMemoryReadModel

OPERATOR = Person(username="operator", role=Role.OPERATOR, province_code="26")
ELSEWHERE = Person(username="op-86", role=Role.OPERATOR, province_code="86")
BODY = Person(username="so-gtvt", role=Role.BODY, body_id="26-so-gtvt")
ADMIN = Person(username="admin", role=Role.ADMIN)


@dataclass
class World:
    service: Compilations
    read_model: InMemoryReadModel
    store: InMemoryCompilations
    clock: TestClock

    async def project(self, *events: Event) -> None:
        for event in events:
            for change in changes_of(event):
                await self.read_model.apply(change)


async def world(planned_items: tuple[Planned, ...] = PLANNED) -> World:
    read_model, store = InMemoryReadModel(), InMemoryCompilations()
    clock = TestClock.frozen(datetime(2014, 9, 27, 2, 0, tzinfo=UTC))
    made = World(Compilations(items=read_model, store=store, clock=clock), read_model, store, clock)
    await made.project(*session_events(planned_items))
    return made


def key(name: str) -> str:
    return str(planned(name).item_id)


async def test_the_read_models_meeting_items_are_compiled() -> None:
    w = await world()
    compilation = await w.service.compilation(SHEET)

    assert compilation.counts.raised == 9
    assert compilation.counts.petitions == 6
    bridges = compilation.petition(key("cau"))
    assert bridges is not None
    assert [s.voters for s in bridges.sources] == ["Cử tri huyện Tam Đảo"] * 2
    assert bridges.level == "province"
    assert bridges.body_name == "Sở Giao thông vận tải"
    assert [s.held_on for s in bridges.sources] == [m.held_on for m in SHEET.meetings[:2]]


async def test_an_item_of_another_session_or_of_no_meeting_is_not_in_it() -> None:
    w = await world()
    other = SHEET.model_copy(update={"id": "another-session"})
    assert (await w.service.compilation(other)).counts.raised == 0


async def test_adjustments_are_kept_in_order_with_who_and_when() -> None:
    w = await world()
    await w.service.adjust(SHEET, Drop(key=key("den"), reason="Trùng kỳ trước"), person=OPERATOR)
    w.clock.advance(timedelta(minutes=5))
    compilation = await w.service.adjust(
        SHEET, Merge(key=key("tl307"), other=key("phuhau")), person=ADMIN
    )

    assert [(a.seq, a.actor) for a in compilation.adjustments] == [
        (0, "operator:operator"),
        (1, "admin:admin"),
    ]
    assert compilation.counts.dropped == 1
    assert compilation.counts.petitions == 4


async def test_an_adjustment_naming_no_petition_is_refused() -> None:
    w = await world()
    with pytest.raises(UnknownPetitionError):
        await w.service.adjust(SHEET, Drop(key="nope", reason="không có"), person=OPERATOR)
    with pytest.raises(UnknownPetitionError):
        await w.service.adjust(
            SHEET, Merge(key=key("cau"), other=key("cau-dai-dinh")), person=OPERATOR
        )  # already one petition
    assert await w.store.adjustments(SHEET.id) == []


@pytest.mark.parametrize("person", [ELSEWHERE, BODY])
async def test_only_the_sessions_operators_and_admins_compile(person: Person) -> None:
    w = await world()
    with pytest.raises(ForbiddenError):
        await w.service.adjust(SHEET, Drop(key=key("den"), reason="không"), person=person)
    with pytest.raises(ForbiddenError):
        await w.service.lock(SHEET, person=person)
    with pytest.raises(ForbiddenError):
        await w.service.evaluate(SHEET, key("den"), verdict="satisfactory", person=person)


async def test_a_locked_compilation_does_not_move_when_items_change() -> None:
    w = await world(PLANNED[:-1])  # the road raised again at Tân Mỹ is not in yet
    locked = await w.service.lock(SHEET, person=OPERATOR)
    assert locked.locked is not None
    assert locked.locked.actor == "operator:operator"
    assert locked.counts.raised == 8

    await w.project(*session_events(PLANNED)[-2:])  # it arrives after the lock
    assert (await w.service.compilation(SHEET)).counts == locked.counts
    with pytest.raises(CompilationLockedError):
        await w.service.adjust(SHEET, Reword(key=key("den"), summary="Đèn"), person=OPERATOR)
    # Locking again changes nothing.
    assert (await w.service.lock(SHEET, person=OPERATOR)).locked == locked.locked


async def test_unlock_is_an_admins_act_with_a_reason_and_is_recorded() -> None:
    w = await world(PLANNED[:-1])
    await w.service.lock(SHEET, person=OPERATOR)
    await w.project(*session_events(PLANNED)[-2:])

    with pytest.raises(ForbiddenError):
        await w.service.unlock(SHEET, person=OPERATOR, reason="Bổ sung kiến nghị")
    w.clock.advance(timedelta(hours=1))
    unlocked = await w.service.unlock(SHEET, person=ADMIN, reason="Bổ sung kiến nghị")
    assert unlocked.locked is None
    assert unlocked.counts.raised == 9  # follows the items again
    history = await w.service.history(SHEET)
    assert [(e.action, e.actor, e.reason) for e in history] == [
        ("lock", "operator:operator", None),
        ("unlock", "admin:admin", "Bổ sung kiến nghị"),
    ]
    with pytest.raises(NotLockedError):
        await w.service.unlock(SHEET, person=ADMIN, reason="lần nữa")


async def test_results_follow_answers_even_under_a_lock() -> None:
    w = await world()
    await w.service.lock(SHEET, person=OPERATOR)
    await w.project(answered(planned("khuon-tham"), KHUON_THAM_ANSWER, at=w.clock()))

    results = await w.service.results(SHEET)
    line = next(x for x in results.lines if x.petition.key == key("khuon-tham"))
    assert line.answer == KHUON_THAM_ANSWER
    assert line.status == "resolved"
    assert line.kind == "explanation"
    assert not line.kind_confirmed


async def test_evaluate_records_the_kind_and_verdict_and_checks_follow_ups() -> None:
    w = await world()
    await w.project(answered(planned("tl307"), DT746_ANSWER, at=w.clock()))

    with pytest.raises(EvaluationError):
        await w.service.evaluate(SHEET, key("tl307"), follow_up="send_back", person=OPERATOR)
    await w.service.evaluate(
        SHEET, key("tl307"), kind="roadmap", verdict="unsatisfactory",
        note="Chưa nói rõ đoạn Liễn Sơn", person=OPERATOR,
    )  # fmt: skip
    results = await w.service.evaluate(
        SHEET, key("tl307-again"), follow_up="send_back", person=OPERATOR
    )
    line = next(x for x in results.lines if x.petition.key == key("tl307"))
    assert line.evaluation is not None
    assert line.evaluation.verdict == "unsatisfactory"
    assert line.evaluation.follow_up == "send_back"
    assert line.evaluation.actor == "operator:operator"
    assert results.counts.sent_back == 1
    with pytest.raises(UnknownPetitionError):
        await w.service.evaluate(SHEET, key("tin-tuong"), verdict="satisfactory", person=ADMIN)


class RacingStore(InMemoryCompilations):
    """A store where another operator takes the next number just before each first write."""

    def __init__(self) -> None:
        super().__init__()
        self.raced = False

    async def add_adjustment(self, session_id: str, adjusted: Adjusted) -> bool:
        if not self.raced:
            self.raced = True
            other = adjusted.model_copy(
                update={"adjustment": Drop(key=key("ql23"), reason="Khác"), "actor": "x:y"}
            )
            await super().add_adjustment(session_id, other)
        return await super().add_adjustment(session_id, adjusted)


async def test_a_write_that_lost_its_number_reads_again_and_keeps_both() -> None:
    w = await world()
    store = RacingStore()
    service = Compilations(items=w.read_model, store=store, clock=w.clock)
    compilation = await service.adjust(SHEET, Drop(key=key("den"), reason="Đã cũ"), person=OPERATOR)

    assert [a.seq for a in compilation.adjustments] == [0, 1]
    assert compilation.counts.dropped == 2
