"""The web form with photos: the bytes are stored before the answer and never go on Kafka,
the item carries their ids, staff fetch them with a token, bad photos are a 422 with the reason;
and a citizen who asks for Zalo gets an item answered on Zalo at their phone number."""

import json
from collections.abc import Mapping

import httpx
from pydantic import SecretStr

from fakes import IntakeWorld, intake_world
from hoiam_shared.events import Channel, FeedbackReceived, RawFeedbackAccepted
from support.photos import GPS, jpeg, png

TOKEN = "op-token"
FORM = {"text": "Cống ấp 3 bị nghẹt, nước tràn vào nhà", "phone": "0912345678"}


def files(*photos: tuple[str, bytes, str]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("photo", photo) for photo in photos]


async def post(
    world: IntakeWorld, submission: Mapping[str, object], *photos: tuple[str, bytes, str]
) -> httpx.Response:
    async with world.http() as client:
        return await client.post(
            "/v1/intake/web/photos",
            data={"submission": json.dumps(submission)},
            files=files(*photos),
            headers={"Idempotency-Key": "web-form:k1"},
        )


async def test_photos_are_stored_first_and_only_their_ids_cross_kafka() -> None:
    world = intake_world(operator_token=SecretStr(TOKEN))
    answer = await post(
        world,
        FORM | {"preferred_channel": "zalo"},
        ("IMG_1.jpg", jpeg(), "image/jpeg"),
        ("so-do.png", png(), "application/octet-stream"),
    )
    assert answer.status_code == 202, answer.text
    [raw] = world.published.of(RawFeedbackAccepted)
    assert jpeg()[-20:] not in raw.payload  # no bytes on the topic
    assert len(raw.to_bytes()) < 2_000
    await world.parts.normalise(raw)
    [item] = world.published.of(FeedbackReceived)
    assert [(a.filename, a.content_type) for a in item.attachments] == [
        ("IMG_1.jpg", "image/jpeg"),
        ("so-do.png", "image/png"),
    ]
    for attachment in item.attachments:
        assert attachment.id is not None
        stored = world.attachments.stored[attachment.id]
        assert stored.sha256 == attachment.sha256
        assert stored.item_ids == (str(item.item_id),)
        assert GPS not in stored.data
        assert len(stored.data) == attachment.size
    assert item.citizen.preferred_channel is Channel.ZALO
    assert item.citizen.contacts.phone == "+84912345678"
    assert item.citizen.contacts.zalo_user_id is None


async def test_staff_fetch_a_photo_with_a_token_and_nobody_else() -> None:
    world = intake_world(operator_token=SecretStr(TOKEN))
    assert (await post(world, FORM, ("a.jpg", jpeg(), "image/jpeg"))).status_code == 202
    [attachment_id] = world.attachments.stored
    async with world.http() as client:
        anonymous = await client.get(f"/v1/attachments/{attachment_id}")
        staff = await client.get(
            f"/v1/attachments/{attachment_id}", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        unknown = await client.get(
            "/v1/attachments/nope", headers={"Authorization": f"Bearer {TOKEN}"}
        )
    assert anonymous.status_code == 401
    assert staff.status_code == 200
    assert staff.headers["content-type"] == "image/jpeg"
    assert staff.content == jpeg(exif=False)
    assert "private" in staff.headers["cache-control"]
    assert unknown.status_code == 404


async def test_a_retry_with_the_same_key_is_one_item_and_one_stored_photo() -> None:
    world = intake_world()
    first = await post(world, FORM, ("a.jpg", jpeg(), "image/jpeg"))
    again = await post(world, FORM, ("a.jpg", jpeg(), "image/jpeg"))
    assert first.status_code == 202
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert len(world.attachments.stored) == 1


async def test_a_file_that_is_no_photo_is_refused_with_the_reason_and_nothing_kept() -> None:
    world = intake_world()
    answer = await post(world, FORM, ("anh.jpg", b"MZ\x90\x00 an executable", "image/jpeg"))
    assert answer.status_code == 422
    assert "anh.jpg" in answer.text
    assert "not a JPEG, PNG, WebP or HEIC" in answer.text
    assert world.published.of(RawFeedbackAccepted) == []
    assert world.attachments.stored == {}


async def test_six_photos_are_refused() -> None:
    world = intake_world()
    answer = await post(world, FORM, *[(f"{i}.png", png(), "image/png") for i in range(6)])
    assert answer.status_code == 422
    assert "at most 5 photos" in answer.text


async def test_zalo_without_a_phone_is_refused() -> None:
    world = intake_world()
    async with world.http() as client:
        answer = await client.post(
            "/v1/intake/web", json={"text": "Đèn đường hỏng", "preferred_channel": "zalo"}
        )
    assert answer.status_code == 422
    assert "no phone" in answer.text


async def test_a_plain_json_post_cannot_name_attachments() -> None:
    world = intake_world()
    async with world.http() as client:
        answer = await client.post(
            "/v1/intake/web",
            json=FORM | {"attachments": [{"id": "x", "content_type": "image/jpeg", "size": 1}]},
        )
    assert answer.status_code == 422


async def test_erasing_the_citizen_deletes_their_photos() -> None:
    world = intake_world(operator_token=SecretStr(TOKEN))
    answer = await post(world, FORM, ("a.jpg", jpeg(), "image/jpeg"))
    assert answer.status_code == 202, answer.text
    [raw] = world.published.of(RawFeedbackAccepted)
    await world.parts.normalise(raw)
    [item] = world.published.of(FeedbackReceived)
    assert len(world.attachments.stored) == 1
    async with world.http() as client:
        erased = await client.post(
            f"/v1/citizens/{item.citizen.citizen_id}/erasure",
            json={"verified_by": "CCCD checked at the commune Front", "request_ref": "DN-15"},
            headers={"authorization": f"Bearer {TOKEN}"},
        )
    assert erased.status_code == 202, erased.text
    assert world.attachments.stored == {}
