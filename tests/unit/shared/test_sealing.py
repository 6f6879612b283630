"""Personal fields travel sealed: nothing of the person is in the bytes on Kafka."""

import base64
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from fakes import InMemoryKeyStore, RecordingPublisher, vault_for
from hoiam_shared.events import (
    Channel,
    Citizen,
    ContactReachabilityChanged,
    Contacts,
    FeedbackReceived,
    FeedbackText,
    OperatorTaskOpened,
    decode_event,
)
from hoiam_shared.sealing import SEALED_ADDRESS, SealingPublisher, open_event, seal_event
from hoiam_shared.vault import ERASED
from support.clock import TestClock

AT = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
NAME, EMAIL, PHONE = "Trần Thị Mai", "mai.tran@example.vn", "+84912345678"


def traces(data: bytes) -> list[str]:
    """The person's values found in `data`, as text or inside base64."""
    found = []
    for value in (NAME, EMAIL, PHONE, PHONE.removeprefix("+84")):
        if value.encode() in data or base64.b64encode(value.encode()) in data:
            found.append(value)
    return found


def received(citizen_id: str | None = "cit-1") -> FeedbackReceived:
    item = uuid4()
    return FeedbackReceived(
        correlation_id=item, item_id=item, tracking_code="HA-AAAA-11", channel=Channel.WEB,
        received_at=AT,
        citizen=Citizen(
            name=NAME, contacts=Contacts(email=EMAIL, phone=PHONE),
            preferred_channel=Channel.EMAIL, consent=True, publication_consent=True,
            citizen_id=citizen_id,
        ),
        text=FeedbackText(original="Đường hỏng", normalised="Đường hỏng"),
    )  # fmt: skip


async def test_a_sealed_event_on_the_wire_carries_nothing_of_the_person() -> None:
    vault = vault_for(TestClock.daytime())
    out = RecordingPublisher()
    event = received()
    await SealingPublisher(out, vault).publish("t", event, key=event.item_id)
    [(_, sent)] = out.published
    assert traces(sent.to_bytes()) == []
    assert sent.event_id == event.event_id  # the same event, sealed
    opened = await open_event(decode_event(FeedbackReceived, sent.to_bytes()), vault)
    assert opened == event


async def test_once_the_key_is_gone_the_person_reads_as_erased_and_the_item_stays() -> None:
    keys = InMemoryKeyStore()
    vault = vault_for(TestClock.daytime(), keys)
    sealed = await seal_event(received(), vault)
    await vault.destroy(citizen_id="cit-1")
    opened = await open_event(sealed, vault)
    assert opened.citizen.name == ERASED
    assert opened.citizen.contacts == Contacts()
    assert opened.citizen.publication_consent is True  # consent is kept
    assert opened.text.original == "Đường hỏng"


async def test_a_person_without_a_citizen_record_is_sealed_under_the_items_key() -> None:
    vault = vault_for(TestClock.daytime())
    event = received(citizen_id=None)
    sealed = await seal_event(event, vault)
    assert sealed.citizen.sealed is not None
    assert sealed.citizen.sealed.key_id == f"item:{event.item_id}"
    # …bound to the contacts, so an erasure by contact finds it.
    await vault.destroy(citizen_id="cit-9", contacts=[f"email:{EMAIL}"])
    assert (await open_event(sealed, vault)).citizen.name == ERASED


async def test_reachability_and_tasks_seal_their_address_name_and_phone() -> None:
    vault = vault_for(TestClock.daytime())
    reach = ContactReachabilityChanged(
        correlation_id=uuid4(), citizen_id="cit-1", channel=Channel.EMAIL, address=EMAIL,
        reachable=False, reason="bounced", changed_at=AT,
    )  # fmt: skip
    task = OperatorTaskOpened(
        correlation_id=uuid4(), task_id="t1", kind="unreachable_citizen", phone=PHONE,
        reason="no channel", details=f"Kính gửi bà {NAME}: đơn của bà đã được giải quyết.",
        opened_at=AT,
    )  # fmt: skip
    for event in (reach, task):
        sealed = await seal_event(event, vault)
        assert traces(sealed.to_bytes()) == []
        assert await open_event(sealed, vault) == event
    sealed_reach = await seal_event(reach, vault)
    assert sealed_reach.address == SEALED_ADDRESS
    await vault.destroy(citizen_id="cit-1")
    assert (await open_event(sealed_reach, vault)).address == ERASED


async def test_an_event_sealed_before_the_erasure_opens_as_erased() -> None:
    vault = vault_for(TestClock.daytime())
    task = OperatorTaskOpened(
        correlation_id=uuid4(), task_id="t1", kind="call_back", name=NAME, phone=PHONE,
        reason="missed call", opened_at=AT,
    )  # fmt: skip
    sealed = await seal_event(task, vault)
    await vault.destroy(citizen_id="cit-x", contacts=[f"phone:{PHONE}"])
    opened = await open_event(sealed, vault)
    assert (opened.name, opened.phone) == (ERASED, None)


async def test_a_consumer_opens_sealed_fields_and_parks_a_box_that_does_not_open() -> None:
    from types import SimpleNamespace

    from hoiam_shared.events import DeadLetterRecorded
    from hoiam_shared.kafka import DeadLetters, consume_event

    vault = vault_for(TestClock.daytime())
    sealed = await seal_event(received(), vault)
    assert sealed.citizen.sealed is not None
    broken = sealed.model_copy(
        update={
            "citizen": sealed.citizen.model_copy(
                update={"sealed": sealed.citizen.sealed.model_copy(update={"box": b"\0" * 40})}
            )
        }
    )
    seen: list[FeedbackReceived] = []
    letters = RecordingPublisher()

    async def handle(event: FeedbackReceived) -> None:
        seen.append(event)

    async def opener(event: Any) -> Any:
        return await open_event(event, vault)

    for event in (sealed, broken):
        where = SimpleNamespace(key=b"k", partition=0, offset=1)
        message = SimpleNamespace(body=event.to_bytes(), headers={}, raw_message=where)
        await consume_event(
            message, FeedbackReceived, handle, topic="t", retry_backoff_seconds=0,
            dead_letters=DeadLetters(letters, service="test", clock=TestClock.daytime()),
            open_sealed=opener,
        )  # fmt: skip
    [opened] = seen
    assert opened.citizen.name == NAME  # the handler saw the plain person
    [letter] = letters.of(DeadLetterRecorded)
    assert "do not open" in letter.error
