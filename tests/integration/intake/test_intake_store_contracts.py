"""Intake's items, store and mailbox marks: one contract each, against the fakes and FerretDB."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from pymongo import AsyncMongoClient

from fakes import InMemoryIntakeStore, InMemoryItemRepository, InMemoryMailboxState
from hoiam_intake.domain.items import Earlier
from hoiam_intake.imap import MailboxState, MongoMailboxState
from hoiam_intake.repository import ItemRepository, MongoItemRepository
from hoiam_intake.store import NAMESAKES, IntakeStore, MongoIntakeStore, Suggestion
from hoiam_shared.events import Channel, FeedbackMessageAdded, OperatorTaskOpened
from hoiam_shared.ids import new_id
from support.samples import make_received

type Mongo = AsyncMongoClient[dict[str, Any]]
AT = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "mongo"])
async def store(
    request: pytest.FixtureRequest, prefix: str, mongo: Mongo
) -> AsyncIterator[IntakeStore]:
    if request.param == "memory":
        yield InMemoryIntakeStore()
        return
    adapter = MongoIntakeStore(mongo[f"{prefix}_intake"])
    await adapter.prepare()
    yield adapter


@pytest.fixture(params=["memory", "mongo"])
async def items(
    request: pytest.FixtureRequest, prefix: str, mongo: Mongo
) -> AsyncIterator[ItemRepository]:
    if request.param == "memory":
        yield InMemoryItemRepository()
        return
    adapter = MongoItemRepository(mongo[f"{prefix}_items"])
    await adapter.prepare()
    yield adapter


@pytest.fixture(params=["memory", "mongo"])
async def marks(request: pytest.FixtureRequest, prefix: str, mongo: Mongo) -> MailboxState:
    if request.param == "memory":
        return InMemoryMailboxState()
    return MongoMailboxState(mongo[f"{prefix}_marks"])


def earlier(code: str = "HA-0000-0001") -> Earlier:
    return Earlier(item_id=new_id(), tracking_code=code)


async def test_a_claim_is_won_once(store: IntakeStore) -> None:
    assert await store.claim("email:a@b") is True
    assert await store.claim("email:a@b") is False
    assert await store.claim("email:c@d") is True


async def test_a_claim_keeps_the_fingerprint_of_its_first_submission(store: IntakeStore) -> None:
    assert await store.claimed("web:key-1") is False
    assert await store.claim_with("web:key-1", "digest-a") is None
    assert await store.claimed("web:key-1") is True
    assert await store.claim_with("web:key-1", "digest-b") == "digest-a"
    assert await store.claim_with("web:key-1", "digest-a") == "digest-a"
    # A claim made without a fingerprint answers "", which no fingerprint equals.
    assert await store.claim("web:key-2") is True
    assert await store.claim_with("web:key-2", "digest-a") == ""


async def test_contacts_bind_first_write_wins(store: IntakeStore) -> None:
    assert await store.find_contacts(["phone:+84912345678"]) == {}
    assert await store.bind_contact("phone:+84912345678", "cit-1") == "cit-1"
    assert await store.bind_contact("phone:+84912345678", "cit-2") == "cit-1"
    assert await store.find_contacts(["phone:+84912345678", "email:x@y"]) == {
        "phone:+84912345678": "cit-1"
    }


async def test_contacts_bound_together_keep_whoever_was_first(store: IntakeStore) -> None:
    await store.bind_contact("phone:+84912345678", "cit-1")

    taken = await store.bind_contacts(["email:an@example.vn", "phone:+84912345678"], "cit-2")

    assert taken == {"phone:+84912345678": "cit-1"}
    assert await store.find_contacts(["email:an@example.vn", "phone:+84912345678"]) == {
        "email:an@example.vn": "cit-2",
        "phone:+84912345678": "cit-1",
    }
    assert await store.bind_contacts(["email:an@example.vn"], "cit-3") == {
        "email:an@example.vn": "cit-2"
    }
    assert await store.bind_contacts([], "cit-3") == {}


async def test_names_list_the_other_citizens(store: IntakeStore) -> None:
    assert await store.add_name("nguyen van an", "cit-1") == []
    assert await store.add_name("nguyen van an", "cit-1") == []
    assert await store.add_name("nguyen van an", "cit-2") == ["cit-1"]


async def test_a_common_name_suggests_a_few_namesakes_not_all(store: IntakeStore) -> None:
    for n in range(NAMESAKES + 5):
        await store.add_name("tran thi bich", f"cit-{n}")

    others = await store.add_name("tran thi bich", "cit-new")

    assert len(others) == NAMESAKES
    assert len(set(others)) == NAMESAKES
    assert "cit-new" not in others


async def test_contacts_are_found_by_each_of_several_keys(store: IntakeStore) -> None:
    await store.bind_contact("email:an@example.vn", "cit-1")
    await store.bind_contact("zalo:84123", "cit-2")

    found = await store.find_contacts(["phone:+84900000000", "zalo:84123", "email:an@example.vn"])

    assert found == {"zalo:84123": "cit-2", "email:an@example.vn": "cit-1"}


async def test_suggestions_are_kept_once(store: IntakeStore) -> None:
    one = Suggestion(id="same_name:a:b", citizen_ids=("a", "b"), reason="same_name",
                     detail="An", created_at=AT)  # fmt: skip
    await store.suggest(one)
    await store.suggest(one)
    assert await store.suggestions() == [one]


async def test_suggestions_made_together_are_kept_once(store: IntakeStore) -> None:
    one = Suggestion(id="same_name:a:b", citizen_ids=("a", "b"), reason="same_name",
                     detail="An", created_at=AT)  # fmt: skip
    two = one.model_copy(update={"id": "same_name:a:c", "citizen_ids": ("a", "c")})
    await store.suggest(one)
    await store.suggest_all([one, two])
    await store.suggest_all([])
    assert sorted(s.id for s in await store.suggestions()) == [one.id, two.id]
    assert {s.id: s for s in await store.suggestions()}[one.id] == one


async def test_message_ids_point_at_their_item(store: IntakeStore) -> None:
    item = earlier()
    await store.index_message_ids(["m1@x", "m2@x"], item)
    await store.index_message_ids(["m1@x"], earlier("HA-0000-0009"))
    assert await store.find_message(["zz@x", "m1@x"]) == item
    assert await store.find_message(["zz@x"]) is None
    assert await store.find_message([]) is None


async def test_recorded_events_first_write_wins(store: IntakeStore) -> None:
    def task(reason: str) -> OperatorTaskOpened:
        return OperatorTaskOpened(correlation_id=new_id(), task_id="call_back:1", kind="call_back",
                                  reason=reason, opened_at=AT)  # fmt: skip

    first = task("no_answer")
    assert await store.record_event("tasks", "call_back:1", first) == first
    assert await store.record_event("tasks", "call_back:1", task("busy")) == first
    assert await store.events("tasks", OperatorTaskOpened) == [first]


async def test_the_messages_of_one_item_oldest_first(store: IntakeStore) -> None:
    mine, other = new_id(), new_id()

    def reply(item_id: UUID, minutes: int) -> FeedbackMessageAdded:
        at = AT + timedelta(minutes=minutes)
        return FeedbackMessageAdded(occurred_at=at, correlation_id=item_id, item_id=item_id,
                                    tracking_code="HA-0000-0001", channel=Channel.EMAIL,
                                    kind="reply", received_at=at)  # fmt: skip

    later, sooner, elsewhere = reply(mine, 5), reply(mine, 1), reply(other, 3)
    for key, event in (("a", later), ("b", sooner), ("c", elsewhere)):
        await store.record_event("messages", key, event)

    assert await store.events_of_item("messages", FeedbackMessageAdded, mine) == [sooner, later]
    assert await store.events_of_item("messages", FeedbackMessageAdded, new_id()) == []


async def test_items_first_write_wins(items: ItemRepository) -> None:
    item = make_received("Đường hỏng")
    assert await items.get(item.item_id) is None
    assert await items.add_once(item) == item
    again = item.model_copy(update={"tracking_code": "HA-0000-0000"})
    assert await items.add_once(again) == item
    assert await items.get(item.item_id) == item


async def test_items_are_found_by_tracking_code(items: ItemRepository) -> None:
    item = make_received("Đèn đường hỏng", channel=Channel.WEB)
    await items.add_once(item)
    assert await items.find_by_tracking_code(item.tracking_code) == item
    assert await items.find_by_tracking_code("HA-ZZZZ-ZZZZ") is None


async def test_mailbox_marks(marks: MailboxState) -> None:
    assert await marks.get("inbox") is None
    await marks.set("inbox", 7, 3)
    await marks.set("inbox", 7, 4)
    assert await marks.get("inbox") == (7, 4)
