"""An operator erases a citizen: keys destroyed at once, one event for every service, idempotent."""

from datetime import datetime

from pydantic import SecretStr

from fakes import IntakeWorld, intake_world
from hoiam_intake.erasure import open_raw
from hoiam_shared.events import CitizenErased, FeedbackReceived, RawFeedbackAccepted
from hoiam_shared.topics import CITIZEN_ERASURES
from support.clock import TestClock

OPERATOR = {"authorization": "Bearer op-token"}
NOON = datetime(2026, 3, 2, 12, 0)  # naive: Việt Nam time
MAI = {"name": "Trần Thị Mai", "email": "mai.tran@example.vn", "phone": "0912 345 678",
       "text": "Đèn đường ấp 3 hỏng đã một tháng", "consent": True}  # fmt: skip
TAM = {"name": "Lê Văn Tám", "email": "tam.le@example.vn", "text": "Cống ấp 5 bị nghẹt",
       "consent": True}  # fmt: skip
ORDER = {"verified_by": "CCCD checked in person at the commune Front", "request_ref": "DN-14"}


async def filed(world: IntakeWorld, *submissions: dict[str, object]) -> list[RawFeedbackAccepted]:
    """The submissions posted on the web form and normalised; their raw records."""
    async with world.http() as client:
        for submission in submissions:
            assert (await client.post("/v1/intake/web", json=submission)).status_code == 202
    raws = world.published.of(RawFeedbackAccepted)
    for raw in raws:
        await world.parts.normalise(raw)
    return raws


async def test_an_erasure_destroys_the_citizens_keys_and_tells_every_service_once() -> None:
    world = intake_world(clock=TestClock.frozen(NOON), operator_token=SecretStr("op-token"))
    mai_raw, tam_raw = await filed(world, MAI, TAM)
    mai, _ = world.published.of(FeedbackReceived)
    citizen_id = mai.citizen.citizen_id
    assert citizen_id is not None
    url = f"/v1/citizens/{citizen_id}/erasure"
    async with world.http() as client:
        first = await client.post(url, json=ORDER, headers=OPERATOR)
        again = await client.post(url, json=ORDER, headers=OPERATOR)
    assert (first.status_code, again.status_code) == (202, 202), first.text
    assert first.json()["keys_destroyed"] == 1  # the raw record's key, bound to her contacts
    assert again.json()["keys_destroyed"] == 0
    assert again.json()["event_id"] == first.json()["event_id"]
    sent = [(t, e) for t, e in world.published.published if isinstance(e, CitizenErased)]
    assert [t for t, _ in sent] == [world.settings.topics.name(CITIZEN_ERASURES)] * 2
    erased = sent[0][1]
    assert isinstance(erased, CitizenErased)
    assert erased == sent[1][1]  # the same event again: consumers dedupe it
    assert (erased.citizen_id, erased.verified_by, erased.request_ref) == (
        citizen_id, ORDER["verified_by"], ORDER["request_ref"],
    )  # fmt: skip
    assert erased.actor == "service:operator-token"
    # Her raw bytes no longer open; his still do.
    assert await open_raw(mai_raw, world.vault) is None
    opened = await open_raw(tam_raw, world.vault)
    assert opened is not None
    assert b"tam.le@example.vn" in opened.payload


async def test_a_replay_from_raw_skips_the_erased_and_rebuilds_the_others() -> None:
    world = intake_world(clock=TestClock.frozen(NOON), operator_token=SecretStr("op-token"))
    mai_raw, tam_raw = await filed(world, MAI, TAM)
    mai = world.published.of(FeedbackReceived)[0]
    async with world.http() as client:
        answer = await client.post(
            f"/v1/citizens/{mai.citizen.citizen_id}/erasure", json=ORDER, headers=OPERATOR
        )
    assert answer.status_code == 202
    replayed = world.restarted()
    await replayed.parts.normalise(mai_raw)  # no crash, no dead letter: nothing to read
    assert replayed.published.of(FeedbackReceived) == []
    await replayed.parts.normalise(tam_raw)
    [tam] = replayed.published.of(FeedbackReceived)
    assert tam.citizen.name == "Lê Văn Tám"


async def test_an_erasure_needs_an_operator_a_known_citizen_and_how_it_was_verified() -> None:
    world = intake_world(clock=TestClock.frozen(NOON), operator_token=SecretStr("op-token"))
    await filed(world, MAI)
    [mai] = world.published.of(FeedbackReceived)
    url = f"/v1/citizens/{mai.citizen.citizen_id}/erasure"
    async with world.http() as client:
        anonymous = await client.post(url, json=ORDER)
        unverified = await client.post(url, json={"request_ref": "x"}, headers=OPERATOR)
        unknown = await client.post("/v1/citizens/cit-nobody/erasure", json=ORDER, headers=OPERATOR)
    assert anonymous.status_code == 401
    assert unverified.status_code == 422
    assert unknown.status_code == 404
    assert world.published.of(CitizenErased) == []
