"""Chat gatherings and citizens' matters: one contract against the fake and FerretDB, and a
gathering that outlives an intake restart on the real store."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from fakes import InMemoryConversationStore, RecordingPublisher, intake_settings, vault_for
from hoiam_intake.app import IntakeParts, build
from hoiam_intake.attachments import MongoAttachmentStore
from hoiam_intake.domain.conversations import Gathering, closing
from hoiam_intake.domain.items import accept_raw
from hoiam_intake.domain.keys import item_id_for, tracking_code_for
from hoiam_intake.domain.matters import Matter
from hoiam_intake.erasure import MongoErasureLog
from hoiam_intake.gatherings import ConversationStore, MongoConversationStore
from hoiam_intake.imap import MongoMailboxState
from hoiam_intake.repository import MongoItemRepository
from hoiam_intake.sessions import MongoSessionStore
from hoiam_intake.store import MongoIntakeStore
from hoiam_intake.tasks import MongoTaskList
from hoiam_shared.events import Channel, FeedbackReceived
from hoiam_shared.ids import new_id
from support.clock import TestClock
from support.intake_samples import zalo_text
from support.samples import make_received

type Mongo = AsyncMongoClient[dict[str, Any]]
AT = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
SECRET = "conversations"


@pytest.fixture(params=["memory", "mongo"])
async def store(
    request: pytest.FixtureRequest, prefix: str, mongo: Mongo
) -> AsyncIterator[ConversationStore]:
    if request.param == "memory":
        yield InMemoryConversationStore()
        return
    adapter = MongoConversationStore(mongo[f"{prefix}_intake"])
    await adapter.prepare()
    yield adapter


def gathering(key: str = "zalo:oa:u1") -> Gathering:
    item = make_received("Xin chào")
    return Gathering(
        key=key, state="open", version=0, messages=(item,), refs=("z1",), first_at=AT, last_at=AT
    )


async def test_a_gathering_is_written_by_compare_and_set(store: ConversationStore) -> None:
    first = gathering()
    assert await store.save_gathering(first, expected=None) is True
    assert await store.save_gathering(first, expected=None) is False  # someone made it first
    assert await store.gathering(first.key) == first
    taken = closing(first)
    assert await store.save_gathering(taken, expected=0) is True
    assert await store.save_gathering(closing(first), expected=0) is False  # stale version
    assert await store.gathering(first.key) == taken
    assert [g.key for g in await store.unpublished()] == [first.key]
    done = taken.model_copy(update={"state": "published", "version": 2})
    assert await store.save_gathering(done, expected=1) is True
    assert await store.unpublished() == []


async def test_matters_are_kept_once_per_item_and_read_by_citizen(store: ConversationStore) -> None:
    mine = Matter(
        item_id=new_id(), tracking_code="HA-0000-0001", citizen_id="cit-1",
        words=("den", "hong"), at=AT,
    )  # fmt: skip
    old = mine.model_copy(update={"item_id": new_id(), "at": AT - timedelta(days=9)})
    other = mine.model_copy(update={"item_id": new_id(), "citizen_id": "cit-2"})
    for matter in (mine, mine, old, other):
        await store.add_matter(matter)
    found = await store.matters(["cit-1"], since=AT - timedelta(days=3))
    assert found == [mine]
    both = await store.matters(["cit-1", "cit-2", "cit-1"], since=AT - timedelta(days=3))
    assert sorted(m.citizen_id for m in both) == ["cit-1", "cit-2"]


def intake_on(
    mongo: Mongo, prefix: str, clock: TestClock
) -> tuple[IntakeParts, RecordingPublisher]:
    db = mongo[f"{prefix}_intake"]
    out = RecordingPublisher()
    parts = build(
        intake_settings(id_secret=SecretStr(SECRET), gather_seconds=120),
        items=MongoItemRepository(db), store=MongoIntakeStore(db), tasks=MongoTaskList(db),
        conversations=MongoConversationStore(db), mailbox_state=MongoMailboxState(db),
        sessions=MongoSessionStore(db), attachments=MongoAttachmentStore(db), publisher=out,
        clock=clock, registry=CollectorRegistry(), vault=vault_for(clock),
        erasures=MongoErasureLog(db),
    )  # fmt: skip
    return parts, out


async def test_a_conversation_gathered_before_a_restart_is_one_item_after_it(
    mongo: Mongo, prefix: str
) -> None:
    clock = TestClock.frozen(AT)
    before, _ = intake_on(mongo, prefix, clock)
    await before.wiring.prepare_store()
    for offset, (ref, text) in enumerate([("z1", "Xin chào"), ("z2", "Cống ấp 3 bị nghẹt")]):
        item_id = item_id_for(Channel.ZALO, ref, secret=SECRET)
        raw = accept_raw(
            item_id=item_id, tracking_code=tracking_code_for(item_id, secret=SECRET),
            channel=Channel.ZALO, payload=json.dumps(zalo_text(text=text, msg_id=ref)).encode(),
            content_type="application/json", received_at=AT + timedelta(seconds=30 * offset),
            source_ref=ref,
        )  # fmt: skip
        await before.normalise(raw)

    after, out = intake_on(mongo, prefix, clock)  # the process started again
    clock.set(AT + timedelta(minutes=4))
    assert await after.normalise.flush() == 1
    [item] = out.of(FeedbackReceived)
    assert item.text.normalised == "Xin chào\nCống ấp 3 bị nghẹt"
    assert item.item_id == item_id_for(Channel.ZALO, "z1", secret=SECRET)
    assert await after.normalise.flush() == 0
