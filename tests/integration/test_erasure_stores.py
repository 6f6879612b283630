"""Erasure on the real store (FerretDB): the vault's key store and the store eraser keep the
contract their fakes keep, and intake's own store forgets a citizen it really wrote."""

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from fakes import InMemoryEraser, InMemoryKeyStore, RecordingPublisher, intake_settings, vault_for
from hoiam_intake.app import build_on_mongo
from hoiam_shared.erasure import MongoEraser, StoreEraser, Traits
from hoiam_shared.events import Channel, FeedbackReceived, RawFeedbackAccepted
from hoiam_shared.vault import ERASED, DataKey, KeyStore, MongoKeyStore
from support.clock import TestClock
from support.traces import scan_databases

type Mongo = AsyncMongoClient[dict[str, Any]]
AT = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
CID = "cit-erasure-1"
NAME, EMAIL, PHONE = "Trần Thị Mai", "mai.tran@example.vn", "+84912345678"


@pytest.fixture(params=["memory", "mongo"])
async def key_store(
    request: pytest.FixtureRequest, mongo: Mongo, prefix: str
) -> AsyncIterator[KeyStore]:
    if request.param == "memory":
        yield InMemoryKeyStore()
        return
    store = MongoKeyStore(mongo[f"{prefix}_vault"])
    await store.prepare()
    yield store


async def test_the_key_store_keeps_the_first_key_binds_and_destroys_by_id_or_contact(
    key_store: KeyStore,
) -> None:
    first = DataKey(key_id="raw:1", key=b"k" * 32)
    assert await key_store.create(first, at=AT) == first
    assert (await key_store.create(DataKey(key_id="raw:1", key=b"x" * 32), at=AT)).key == b"k" * 32
    await key_store.create(DataKey(key_id="cit:c1", key=b"c" * 32, citizen_id=CID), at=AT)
    await key_store.create(DataKey(key_id="raw:2", key=b"o" * 32, contacts=("other",)), at=AT)
    await key_store.bind("raw:1", citizen_id=None, contacts=["d-email", "d-phone"])
    await key_store.bind("raw:1", citizen_id=None, contacts=["d-email"])
    bound = await key_store.get("raw:1")
    assert bound is not None
    assert sorted(bound.contacts) == ["d-email", "d-phone"]
    assert await key_store.destroy(citizen_id=CID, contacts=["d-phone"]) == 2
    assert await key_store.get("raw:1") is None
    assert await key_store.get("cit:c1") is None
    assert await key_store.get("raw:2") is not None
    assert await key_store.destroy(citizen_id=CID, contacts=["d-phone"]) == 0


def documents() -> dict[str, list[dict[str, Any]]]:
    letter = base64.b64encode(f'{{"name":"{NAME}","email":"{EMAIL}"}}'.encode()).decode()
    return {
        "items": [
            {"_id": "i1", "event": {"citizen": {"citizen_id": CID, "name": NAME,
             "contacts": {"email": EMAIL, "phone": PHONE}, "publication_consent": True},
             "text": {"original": "Gọi 0912345678 giúp tôi"}}},
            {"_id": "i2", "event": {"citizen": {"citizen_id": "cit-2", "name": "Lê Văn Tám"}}},
        ],
        "contacts": [{"_id": f"email:{EMAIL}", "citizen_id": CID},
                     {"_id": "email:tam@example.vn", "citizen_id": "cit-2"}],
        "letters": [{"_id": "l1", "value": letter}],
        # Nothing but the person (say, a contact card a service kept): deleted, not masked.
        "cards": [{"_id": "k1", "citizen_id": CID, "name": NAME, "phones": [PHONE], "seen": 2}],
    }  # fmt: skip


@pytest.fixture(params=["memory", "mongo"])
async def eraser(
    request: pytest.FixtureRequest, mongo: Mongo, prefix: str
) -> AsyncIterator[tuple[StoreEraser, Any]]:
    if request.param == "memory":
        fake = InMemoryEraser(documents())

        async def read_memory() -> dict[str, list[dict[str, Any]]]:
            return {k: sorted(v, key=lambda d: str(d["_id"])) for k, v in fake.collections.items()}

        yield fake, read_memory
        return
    db = mongo[f"{prefix}_store"]
    for name, docs in documents().items():
        await db[name].insert_many(docs)

    async def read_mongo() -> dict[str, list[dict[str, Any]]]:
        return {
            name: [d async for d in db[name].find({}).sort("_id", 1)]
            for name in await db.list_collection_names()
        }

    yield MongoEraser(db), read_mongo


async def test_the_store_eraser_masks_the_person_deletes_their_bindings_and_keeps_the_rest(
    eraser: tuple[StoreEraser, Any],
) -> None:
    store, read = eraser
    assert await store.forget(Traits(CID)) == 4  # the item, the binding, the letter, the card
    after = await read()
    [mine, theirs] = after["items"]
    assert mine["event"]["citizen"]["name"] == ERASED
    assert mine["event"]["citizen"]["contacts"] == {"email": ERASED, "phone": ERASED}
    assert mine["event"]["citizen"]["publication_consent"] is True
    assert mine["event"]["text"]["original"] == f"Gọi {ERASED} giúp tôi"
    assert theirs["event"]["citizen"]["name"] == "Lê Văn Tám"
    assert [c["_id"] for c in after["contacts"]] == ["email:tam@example.vn"]
    assert after["cards"] == []
    letter = base64.b64decode(after["letters"][0]["value"])
    assert EMAIL.encode() not in letter
    assert NAME.encode() not in letter
    assert await store.forget(Traits(CID)) == 0  # idempotent


async def test_intakes_own_store_forgets_a_citizen_it_wrote(mongo: Mongo, prefix: str) -> None:
    clock = TestClock.daytime()
    db = mongo[f"{prefix}_intake"]
    out = RecordingPublisher()
    vault = vault_for(clock)
    parts = build_on_mongo(
        intake_settings(operator_token=SecretStr("op")), db, publisher=out, clock=clock,
        registry=CollectorRegistry(), vault=vault,
    )  # fmt: skip
    await parts.wiring.prepare_store()
    for text in ("Đèn đường ấp 3 hỏng đã một tháng", "Cống ấp 3 nghẹt, nước tràn vào nhà"):
        await parts.acceptor.accept(
            Channel.WEB,
            f'{{"name":"{NAME}","email":"{EMAIL}","phone":"0912345678","text":"{text}"}}'.encode(),
            "application/json",
            None,
        )
    for raw in out.of(RawFeedbackAccepted):
        await parts.normalise(raw)
    [item, *_] = out.of(FeedbackReceived)
    citizen_id = item.citizen.citizen_id
    assert citizen_id is not None
    values = [NAME, EMAIL, PHONE, "0912345678"]
    _, before = await scan_databases(mongo, f"{prefix}_intake", values)
    assert before  # the store did hold the person
    await MongoEraser(db).forget(Traits(citizen_id))
    read, after = await scan_databases(mongo, f"{prefix}_intake", values)
    assert read > 0
    assert after == []
    kept = await db["items"].find_one({"_id": str(item.item_id)})
    assert kept is not None
