"""The archive store's contract, on the real FerretDB and on the in-memory fake: the last event
of a publication wins whatever order they come in, a withdrawn entry stays out, searches by
folded words, place, field and session, pages newest first, and the filters' values."""

from datetime import UTC, date, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient

from hoiam_console.domain.publication import ArchiveEntry, ArchiveQuery, query_words
from hoiam_console.ports import ArchiveStore
from hoiam_console.store import MongoArchive
from hoiam_shared.events import AnswerPublished
from hoiam_shared.ids import new_id, new_tracking_code
from support.public import InMemoryArchive

pytestmark = pytest.mark.integration

AT = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "mongo"])
async def archive(
    request: pytest.FixtureRequest, prefix: str, mongo: AsyncMongoClient[dict[str, object]]
) -> ArchiveStore:
    store: ArchiveStore = (
        InMemoryArchive() if request.param == "memory" else MongoArchive(mongo[f"{prefix}_console"])
    )
    await store.prepare()
    return store


def entry(
    summary: str,
    *,
    at: datetime = AT,
    publication_id: str | None = None,
    withdrawn: bool = False,
    commune: str = "29341",
    category: str = "transport",
    session: str | None = None,
    answered_on: date | None = None,
) -> ArchiveEntry:
    item_id = new_id()
    return ArchiveEntry.of(
        AnswerPublished(
            occurred_at=at,
            correlation_id=item_id,
            publication_id=publication_id or str(new_id()),
            item_id=item_id,
            tracking_code=new_tracking_code(),
            summary=summary,
            answer="UBND xã đã kiểm tra và khắc phục.",
            body_name="Ủy ban nhân dân xã Tiểu Cần",
            category_code=category,
            category_name={"transport": "Giao thông", "environment": "Môi trường"}[category],
            province_code="86",
            commune_code=commune,
            session_id=session,
            answered_on=answered_on or at.date(),
            approved_by="operator:operator",
            withdrawn=withdrawn,
            published_at=at,
        )
    )


async def test_the_last_event_of_a_publication_wins_in_any_order(archive: ArchiveStore) -> None:
    first = entry("Đường bị sạt lở.")
    pid = first.publication_id
    later = entry("Đường liên ấp bị sạt lở.", at=AT + timedelta(hours=1), publication_id=pid)
    gone = entry("[rút]", at=AT + timedelta(hours=2), publication_id=pid, withdrawn=True)
    assert await archive.put(later)
    assert not await archive.put(first)  # older, arriving late
    assert not await archive.put(later)  # the same, redelivered
    found = await archive.get(pid)
    assert found is not None
    assert found.summary == "Đường liên ấp bị sạt lở."
    assert (await archive.of_items([later.item_id])).keys() == {later.item_id}
    assert await archive.put(gone)
    assert await archive.get(pid) is None
    assert await archive.of_items([gone.item_id]) == {}
    assert not await archive.put(later)  # a withdrawal is not undone by an older approval
    assert (await archive.search(ArchiveQuery())).total == 0
    again = entry("Đã sửa xong.", at=AT + timedelta(hours=3), publication_id=pid)
    assert await archive.put(again)  # a new approval after it brings it back
    assert (await archive.search(ArchiveQuery())).total == 1


async def test_searches_by_folded_words_place_field_and_session(archive: ArchiveStore) -> None:
    landslide = entry("Đường bị sạt lở ở ấp Phú Thọ.", session="s-12")
    await archive.put(landslide)
    await archive.put(entry("Đèn đường hỏng ở khóm 3.", commune="29342"))
    await archive.put(entry("Rác thải bốc mùi.", category="environment"))

    async def found(**query: object) -> list[str]:
        page = await archive.search(ArchiveQuery.model_validate(query))
        return sorted(e.summary for e in page.entries)

    assert await found(words=query_words("duong bi sat lo")) == [landslide.summary]
    assert await found(words=query_words("ĐƯỜNG")) == [
        "Đèn đường hỏng ở khóm 3.", landslide.summary,
    ]  # fmt: skip
    assert await found(commune_codes=("29342",)) == ["Đèn đường hỏng ở khóm 3."]
    assert await found(commune_codes=("29341", "29342"), category_code="transport") == [
        "Đèn đường hỏng ở khóm 3.", landslide.summary,
    ]  # fmt: skip
    assert await found(province_code="86", session_id="s-12") == [landslide.summary]
    assert await found(province_code="79") == []
    assert await found(words=query_words("sat lo"), category_code="environment") == []
    categories, sessions = await archive.facets()
    assert [(c.code, c.name) for c in categories] == [
        ("transport", "Giao thông"), ("environment", "Môi trường"),
    ]  # fmt: skip
    assert sessions == ["s-12"]


async def test_pages_come_newest_answer_first(archive: ArchiveStore) -> None:
    for day in range(13):
        await archive.put(
            entry(f"Cống nghẹt lần {day}.", answered_on=date(2026, 11, 1) + timedelta(days=day))
        )
    first = await archive.search(ArchiveQuery(words=("cong",), page_size=5))
    assert (first.total, first.pages) == (13, 3)
    assert [e.answered_on for e in first.entries][:2] == [date(2026, 11, 13), date(2026, 11, 12)]
    last = await archive.search(ArchiveQuery(words=("cong",), page_size=5, page=3))
    assert [e.summary for e in last.entries] == [
        "Cống nghẹt lần 2.", "Cống nghẹt lần 1.", "Cống nghẹt lần 0.",
    ]  # fmt: skip
