"""Forgetting a citizen in a store: learnt from the store itself, masked everywhere, items kept."""

import base64
from datetime import UTC, datetime

from fakes import InMemoryEraser, vault_for
from hoiam_shared.erasure import (
    ForgetCitizen,
    Traits,
    fold,
    forget,
    learn,
    phone_forms,
    to_delete,
)
from hoiam_shared.events import CitizenErased
from hoiam_shared.ids import new_id
from hoiam_shared.vault import ERASED
from support.clock import TestClock

CID = "cit-0190"
NAME, EMAIL, PHONE = "Trần Thị Mai", "mai.tran@example.vn", "+84912345678"
STORED_ITEM = {
    "_id": "item-1",
    "event": {
        "citizen": {
            "name": NAME,
            "contacts": {"email": EMAIL, "phone": PHONE, "zalo_user_id": None},
            "citizen_id": CID,
            "publication_consent": True,
        },
        "text": {"original": f"Tôi là {NAME}, gọi 0912345678 nếu cần.", "normalised": "…"},
    },
}


def test_phones_are_masked_in_every_form_people_write_them() -> None:
    assert {"+84912345678", "0912345678", "84912345678"} <= phone_forms(PHONE)


def test_the_store_says_who_the_citizen_is_beside_their_id() -> None:
    traits = learn(STORED_ITEM, Traits(CID))
    assert {NAME, fold(NAME), EMAIL, PHONE, "0912345678"} <= traits.values
    assert learn(STORED_ITEM, Traits("cit-other")).values == frozenset()
    binding = {"_id": f"email:{EMAIL}", "citizen_id": CID}
    assert EMAIL in learn(binding, Traits(CID)).values


def test_forgetting_masks_the_person_and_keeps_the_item_and_consent() -> None:
    traits = learn(STORED_ITEM, Traits(CID))
    masked = forget(STORED_ITEM, traits)
    assert masked is not None
    citizen = masked["event"]["citizen"]
    assert citizen["name"] == ERASED
    assert citizen["contacts"]["email"] == ERASED
    assert citizen["publication_consent"] is True
    assert citizen["citizen_id"] == CID
    text = masked["event"]["text"]["original"]
    assert NAME not in text
    assert "0912345678" not in text
    assert text.startswith("Tôi là")


def test_base64_of_text_that_names_the_person_is_masked_inside() -> None:
    letter = {"_id": "dlq-1", "value": base64.b64encode(f'{{"email":"{EMAIL}"}}'.encode()).decode()}
    masked = forget(letter, Traits(CID).with_contacts({"email": EMAIL}))
    assert masked is not None
    assert EMAIL.encode() not in base64.b64decode(masked["value"])


def test_a_document_that_is_not_theirs_is_left_alone() -> None:
    other = {"_id": "x", "text": "Đường ấp Phú Thọ hỏng", "citizen": {"citizen_id": "cit-2"}}
    assert forget(other, learn(STORED_ITEM, Traits(CID))) is None


def test_a_document_holding_nothing_but_the_person_is_deleted_not_kept_masked() -> None:
    traits = learn(STORED_ITEM, Traits(CID))
    card = {"_id": "card-7", "citizen_id": CID, "name": NAME, "phones": [PHONE],
            "email": EMAIL.upper(), "seen": 3,
            "at": datetime(2026, 11, 27, tzinfo=UTC)}  # fmt: skip
    masked = forget(card, traits)
    assert masked is not None
    assert to_delete(card, masked)
    # An item keeps what is not the person (its text), so it stays, masked.
    kept = forget(STORED_ITEM, traits)
    assert kept is not None
    assert not to_delete(STORED_ITEM, kept)
    # A binding keyed by the contact: the id itself is the person.
    binding = {"_id": f"email:{EMAIL}", "citizen_id": CID, "bound": "web"}
    gone = forget(binding, traits)
    assert gone is not None
    assert to_delete(binding, gone)


async def test_the_subscriber_forgets_in_the_store_and_deletes_bindings_keyed_by_contact() -> None:
    someone_else = {"_id": "item-2", "citizen": {"citizen_id": "cit-2", "name": "Lê Văn Tám"}}
    store = InMemoryEraser(
        {
            "items": [STORED_ITEM, someone_else],
            "contacts": [{"_id": f"phone:{PHONE}", "citizen_id": CID}],
        }
    )
    forget_citizen = ForgetCitizen(store, vault=vault_for(TestClock.daytime()))
    erased = CitizenErased(
        correlation_id=new_id(),
        citizen_id=CID, verified_by="CCCD seen", actor="operator:a",
        erased_at=TestClock.daytime()(),
    )  # fmt: skip
    await forget_citizen(erased)
    assert store.collections["contacts"] == []
    [mine, theirs] = store.collections["items"]
    assert mine["event"]["citizen"]["name"] == ERASED
    assert theirs["citizen"]["name"] == "Lê Văn Tám"
    await forget_citizen(erased)  # redelivered: nothing more to do
    assert await store.forget(Traits(CID)) == 0


async def test_the_second_pass_masks_what_arrived_late_with_what_the_first_learnt() -> None:
    store = InMemoryEraser({"items": [STORED_ITEM]})

    class LateWrite:
        """A task projected from an event opened just before the keys went: no citizen id."""

        passes = 0

        async def learn(self, traits: Traits) -> Traits:
            return await store.learn(traits)

        async def forget(self, traits: Traits) -> int:
            changed = await store.forget(traits)
            self.passes += 1
            if self.passes == 1:
                store.collections["tasks"] = [
                    {"_id": "t1", "kind": "call_back", "name": NAME, "phone": PHONE}
                ]
            return changed

    late = LateWrite()
    erased = CitizenErased(
        correlation_id=new_id(), citizen_id=CID, verified_by="CCCD seen", actor="operator:a",
        erased_at=TestClock.daytime()(),
    )  # fmt: skip
    await ForgetCitizen(late, vault=None, settle_seconds=0)(erased)
    assert late.passes == 2
    assert store.collections["tasks"] == [
        {"_id": "t1", "kind": "call_back", "name": ERASED, "phone": ERASED}
    ]
