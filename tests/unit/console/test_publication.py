"""Publishing rules and the archive's projection, pure and on the in-memory archive: drafts
masked (the neutral line without consent), approvals masked again, quoting refused without
consent, 409 before the answer, one publication per item, the last event wins."""

from datetime import UTC, datetime, timedelta

import pytest

from hoiam_console.domain.masking import LABELS
from hoiam_console.domain.publication import (
    WITHDRAWN_TEXT,
    ArchiveEntry,
    ArchiveQuery,
    PublicationRefusedError,
    approved,
    draft_of,
    matches,
    publication_id,
    query_words,
    withdrawal,
)
from hoiam_console.domain.readmodel import ItemRecord
from hoiam_console.handlers import ProjectAnswer
from hoiam_shared.events import AnswerPublished
from support.console import TIEU_CAN_BODY, routed
from support.public import (
    ANSWER,
    NAME,
    PublicConsole,
    citizen_item,
    make_public_console,
    resolved_item,
)

AT = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


async def record_of(console: PublicConsole, code: str) -> ItemRecord:
    found = await console.read_model.by_tracking_code(code)
    assert found is not None
    return found


async def test_a_draft_without_consent_is_the_neutral_line_and_the_masked_answer() -> None:
    console = await make_public_console()
    item = await resolved_item(console)
    draft = draft_of(await record_of(console, item.tracking_code))
    assert draft.summary == "Ý kiến về lĩnh vực Giao thông tại Xã Tiểu Cần."
    assert not draft.consented
    assert draft.summary_masks == ()
    assert draft.answer == ANSWER  # nothing personal in it
    assert draft.publication_id == publication_id(item.item_id)


async def test_a_draft_with_consent_is_the_text_masked_and_says_what_was_masked() -> None:
    console = await make_public_console()
    item = await resolved_item(console, publication_consent=True)
    draft = draft_of(await record_of(console, item.tracking_code))
    assert draft.consented
    assert draft.summary.startswith(f"Tôi là {LABELS['name']}, {LABELS['house_number']} ấp Phú Thọ")
    assert LABELS["phone"] in draft.summary
    assert NAME not in draft.summary
    assert [(m.kind, m.own_name) for m in draft.summary_masks] == [
        ("name", True), ("house_number", False), ("phone", False),
    ]  # fmt: skip


async def test_an_item_without_an_answer_cannot_be_published() -> None:
    console = await make_public_console()
    item = citizen_item()
    await console.project(item, routed(item, body=TIEU_CAN_BODY, at=AT))
    record = await record_of(console, item.tracking_code)
    with pytest.raises(PublicationRefusedError, match="not_answered"):
        draft_of(record)
    with pytest.raises(PublicationRefusedError, match="not_answered"):
        approved(record, summary="x", answer="y", approved_by="operator:operator", at=AT)


async def test_an_approval_is_masked_again_whatever_the_operator_typed() -> None:
    console = await make_public_console()
    item = await resolved_item(console)
    record = await record_of(console, item.tracking_code)
    event = approved(
        record,
        summary="Cử tri phản ánh đường liên ấp bị sạt lở.",
        answer=f"Đã trả lời {NAME} qua số 0918 234 567 ngày 05/12/2026.",
        approved_by="operator:operator",
        at=AT,
    )
    assert event.answer == f"Đã trả lời {LABELS['name']} qua số {LABELS['phone']} ngày 05/12/2026."
    assert event.publication_id == publication_id(item.item_id)
    assert (event.body_name, event.category_code, event.commune_code, event.province_name) == (
        "Ủy ban nhân dân xã Tiểu Cần", "transport", "29341", "Tỉnh Vĩnh Long",
    )  # fmt: skip
    assert event.answered_on == datetime(2026, 12, 3).date()
    assert event.approved_by == "operator:operator"


async def test_without_consent_the_summary_may_not_quote_the_petition() -> None:
    console = await make_public_console()
    item = await resolved_item(console)
    record = await record_of(console, item.tracking_code)
    quoted = "Đường liên ấp có ổ gà sâu, xe máy té ngã nhiều lần."  # the citizen's own words
    with pytest.raises(ValueError, match="did not consent"):
        approved(record, summary=quoted, answer=ANSWER, approved_by="operator:op", at=AT)
    with pytest.raises(ValueError, match="empty"):
        approved(record, summary="  ", answer=ANSWER, approved_by="operator:op", at=AT)


async def test_a_withdrawal_carries_no_text() -> None:
    console = await make_public_console()
    item = await resolved_item(console, publication_consent=True)
    event = withdrawal(await record_of(console, item.tracking_code), withdrawn_by="admin:a", at=AT)
    assert event.withdrawn
    assert (event.summary, event.answer) == (WITHDRAWN_TEXT, WITHDRAWN_TEXT)


def published(
    summary: str, *, at: datetime, withdrawn: bool = False, **more: object
) -> AnswerPublished:
    item = citizen_item()
    return AnswerPublished(
        occurred_at=at,
        correlation_id=item.item_id,
        publication_id=str(more.pop("publication_id", publication_id(item.item_id))),
        item_id=item.item_id,
        tracking_code=item.tracking_code,
        summary=summary,
        answer=ANSWER,
        category_code="transport",
        category_name="Giao thông",
        commune_code="29341",
        commune_name="Xã Tiểu Cần",
        province_code="86",
        approved_by="operator:operator",
        withdrawn=withdrawn,
        published_at=at,
        **more,  # type: ignore[arg-type]
    )


async def test_the_projection_is_idempotent_and_the_last_event_wins() -> None:
    console = await make_public_console()
    project = ProjectAnswer(console.archive)
    first = published("Đường bị sạt lở ở ấp Phú Thọ.", at=AT)
    later = published("Đường liên ấp bị sạt lở.", at=AT + timedelta(hours=1),
                      publication_id=first.publication_id)  # fmt: skip
    gone = published(WITHDRAWN_TEXT, at=AT + timedelta(hours=2), withdrawn=True,
                     publication_id=first.publication_id)  # fmt: skip
    assert await project(first)
    assert not await project(first)  # redelivered: nothing changes
    assert await project(later)
    assert not await project(first)  # an older copy arriving late: still the later one
    entry = await console.archive.get(first.publication_id)
    assert entry is not None
    assert entry.summary == "Đường liên ấp bị sạt lở."
    assert await project(gone)
    assert await console.archive.get(first.publication_id) is None
    assert not await project(later)  # a withdrawn entry does not come back from an old copy
    assert (await console.archive.search(ArchiveQuery())).total == 0


def test_search_folds_both_sides_and_narrows_by_place_field_and_session() -> None:
    entry = ArchiveEntry.of(published("Đường bị sạt lở ở ấp Phú Thọ.", at=AT, session_id="s-7"))
    assert query_words("duong bi sat lo") == ("duong", "bi", "sat", "lo")
    assert matches(entry, ArchiveQuery(words=query_words("duong bi sat lo")))
    assert matches(entry, ArchiveQuery(words=query_words("ĐƯỜNG sạt LỞ")))
    assert not matches(entry, ArchiveQuery(words=query_words("đèn đường hỏng")))
    assert matches(entry, ArchiveQuery(words=query_words("sat lo giao thong tieu can")))
    assert matches(entry, ArchiveQuery(province_code="86", commune_codes=("29341", "29342")))
    assert not matches(entry, ArchiveQuery(commune_codes=("29342",)))
    assert not matches(entry, ArchiveQuery(province_code="79"))
    assert matches(entry, ArchiveQuery(category_code="transport", session_id="s-7"))
    assert not matches(entry, ArchiveQuery(category_code="environment"))
    assert not matches(entry, ArchiveQuery(session_id="s-8"))


async def test_pages_of_the_archive_newest_answers_first() -> None:
    console = await make_public_console()
    for day in range(12):
        event = published(f"Đèn đường hỏng số {day}.", at=AT + timedelta(days=day),
                          publication_id=f"p-{day:02d}",
                          answered_on=(AT + timedelta(days=day)).date())  # fmt: skip
        assert await console.archive.put(ArchiveEntry.of(event))
    first = await console.archive.search(ArchiveQuery(words=("den",)))
    assert (first.total, first.pages, len(first.entries)) == (12, 2, 10)
    assert first.entries[0].publication_id == "p-11"
    second = await console.archive.search(ArchiveQuery(words=("den",), page=2))
    assert [e.publication_id for e in second.entries] == ["p-01", "p-00"]
