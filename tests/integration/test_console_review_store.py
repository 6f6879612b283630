"""The minutes-review store: one contract, run on the in-memory fake and on the real FerretDB
(the uploaded bytes and the meeting's date survive a round trip, the same id is one draft, a
save over a stale version is refused, the sweep removes what expired and only that)."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient

from hoiam_console.domain import review
from hoiam_console.domain.review import Draft, MeetingFields, MinutesFile, ReviewLine
from hoiam_console.review_store import MongoReviews, ReviewConflictError, ReviewStore
from support.council import InMemoryReviews

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
DOCX = b"PK\x03\x04 a .docx's bytes \x00\xff"


def draft(draft_id: str, *, at: datetime = AT) -> Draft:
    return review.start(
        draft_id=draft_id,
        session_id="s1",
        meeting=MeetingFields(held_on=date(2026, 11, 25), place="xã Nhơn Sơn"),
        file=MinutesFile(content=DOCX, filename="bien-ban.docx", content_type="application/x"),
        lines=(ReviewLine(text="Đề nghị nâng cấp đường liên thôn Láng Me", level="commune"),),
        skipped=(),
        created_by="operator:operator",
        at=at,
    )


@pytest.fixture(params=["memory", "ferretdb"])
async def store(
    request: pytest.FixtureRequest, prefix: str, mongo: AsyncMongoClient[dict[str, object]]
) -> AsyncIterator[ReviewStore]:
    if request.param == "memory":
        yield InMemoryReviews()
    else:
        yield MongoReviews(mongo[f"{prefix}_console"])


async def test_a_draft_round_trips_with_its_file_and_dates(store: ReviewStore) -> None:
    kept = await store.add(draft("m-1"))
    assert await store.get("m-1") == kept
    found = await store.get("m-1")
    assert found is not None
    assert found.file.content == DOCX
    assert found.meeting.held_on == date(2026, 11, 25)
    assert found.expires_at == AT + timedelta(days=1)


async def test_the_same_id_is_one_draft(store: ReviewStore) -> None:
    first = await store.add(draft("m-2"))
    second = await store.add(draft("m-2", at=AT + timedelta(hours=1)))
    assert second == first


async def test_a_save_over_a_stale_version_is_refused(store: ReviewStore) -> None:
    kept = await store.add(draft("m-3"))
    dropped = review.edit(kept, {0: review.LineEdit(text="x", kind="petition", dropped=True)})
    await store.replace(dropped)
    with pytest.raises(ReviewConflictError):
        await store.replace(dropped)  # version 2 again: another window's save
    found = await store.get("m-3")
    assert found is not None
    assert found.version == 2
    assert found.lines[0].dropped


async def test_the_sweep_removes_only_the_expired(store: ReviewStore) -> None:
    await store.add(draft("m-old", at=AT - timedelta(days=2)))
    await store.add(draft("m-new"))
    assert await store.sweep(AT) == 1
    assert await store.get("m-old") is None
    assert await store.get("m-new") is not None
    await store.delete("m-new")
    assert await store.get("m-new") is None
