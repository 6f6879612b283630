"""The sessions and meetings store: one contract against the fake and FerretDB."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from fakes import InMemorySessionStore
from hoiam_intake.domain.minutes.sessions import (
    Meeting,
    MeetingItem,
    NewSession,
    SkippedLine,
    open_session,
)
from hoiam_intake.sessions import MongoSessionStore, SessionStore

type Mongo = AsyncMongoClient[dict[str, Any]]
AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "mongo"])
async def store(
    request: pytest.FixtureRequest, prefix: str, mongo: Mongo
) -> AsyncIterator[SessionStore]:
    if request.param == "memory":
        yield InMemorySessionStore()
        return
    adapter = MongoSessionStore(mongo[f"{prefix}_intake"])
    await adapter.prepare()
    yield adapter


def session(session_id: str, opens_on: str) -> Any:
    command = NewSession.model_validate(
        {"name": f"Kỳ họp {session_id}", "province_code": "86", "opens_on": opens_on,
         "closes_on": opens_on}
    )  # fmt: skip
    return open_session(command, session_id=session_id, at=AT)


def meeting(meeting_id: str, session_id: str, held_on: date, text: str) -> Meeting:
    item = MeetingItem(
        position=0, tracking_code="HA-AAAA-AAAA", item_id="x", kind="petition", routed=True,
        text=text, place="ấp Thuận Chánh", voters="Cử tri ấp Thuận Chánh",
        answered_on_the_spot=True, answer="Chủ tịch UBND xã giải trình.", level=None,
        section=None,
    )  # fmt: skip
    return Meeting(
        id=meeting_id, session_id=session_id, sha256="0" * 64, filename="bb.docx",
        held_on=held_on, place="xã Lợi Thuận", delegates=("Nguyễn Văn A",), items=(item,),
        skipped=(SkippedLine(text="Quang Son", reason="no petition words"),), created_at=AT,
    )  # fmt: skip


async def test_sessions_are_kept_and_listed_the_one_opening_last_first(store: SessionStore) -> None:
    await store.add_session(session("s1", "2026-07-08"))
    await store.add_session(session("s2", "2026-12-08"))
    await store.add_session(session("s1", "2030-01-01"))  # the same id again changes nothing

    assert [s.id for s in await store.sessions()] == ["s2", "s1"]
    kept = await store.session("s1")
    assert kept is not None
    assert kept.opens_on == date(2026, 7, 8)
    assert await store.session("nope") is None


async def test_a_meeting_is_added_once_and_listed_under_its_session_by_date(
    store: SessionStore,
) -> None:
    first, added = await store.add_meeting(meeting("m2", "s1", date(2026, 11, 26), "Đề nghị A"))
    again, added_again = await store.add_meeting(
        meeting("m2", "s1", date(2026, 11, 26), "Đề nghị B")
    )
    await store.add_meeting(meeting("m1", "s1", date(2026, 11, 25), "Đề nghị C"))
    await store.add_meeting(meeting("m3", "s2", date(2026, 11, 24), "Đề nghị D"))

    assert (added, added_again) == (True, False)
    assert again == first
    assert again.items[0].text == "Đề nghị A"
    assert [m.id for m in await store.meetings_of("s1")] == ["m1", "m2"]
    assert await store.meeting("m3") is not None
    assert await store.meeting("nope") is None
