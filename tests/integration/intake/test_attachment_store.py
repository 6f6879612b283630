"""The attachment store's contract, on the fake and on FerretDB: bytes kept once per content,
linked to items, forgotten with the last item that carried them."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from fakes import InMemoryAttachmentStore
from hoiam_intake.attachments import AttachmentStore, MongoAttachmentStore
from hoiam_intake.domain.photos import Photo, Upload, accept_photos
from hoiam_shared.ids import new_id
from support.photos import jpeg, png

type Mongo = AsyncMongoClient[dict[str, Any]]
AT = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "mongo"])
async def attachments(
    request: pytest.FixtureRequest, prefix: str, mongo: Mongo
) -> AsyncIterator[AttachmentStore]:
    if request.param == "memory":
        yield InMemoryAttachmentStore()
        return
    adapter = MongoAttachmentStore(mongo[f"{prefix}_intake"])
    await adapter.prepare()
    yield adapter


def photo(data: bytes) -> Photo:
    [accepted] = accept_photos([Upload(filename="p", data=data)])
    return accepted


async def test_kept_bytes_come_back_whole_and_a_second_keep_is_the_same(
    attachments: AttachmentStore,
) -> None:
    big = photo(jpeg()[:-2] + bytes(range(256)) * 16_000 + b"\xff\xd9")  # ~4 MB
    await attachments.keep(big, at=AT)
    await attachments.keep(big, at=AT)
    found = await attachments.get(big.content_id)
    assert found is not None
    assert found.data == big.data
    assert found.content_type == "image/jpeg"
    assert found.sha256 == big.sha256
    assert found.item_ids == ()
    assert await attachments.get("0" * 64) is None


async def test_forgetting_an_item_deletes_only_what_no_other_item_carries(
    attachments: AttachmentStore,
) -> None:
    shared, own, pending = photo(jpeg()), photo(png()), photo(jpeg(exif=False) + b"x")
    first, second = new_id(), new_id()
    for p in (shared, own, pending):
        await attachments.keep(p, at=AT)
    await attachments.link([shared.content_id, own.content_id], first)
    await attachments.link([shared.content_id, shared.content_id], first)
    await attachments.link([shared.content_id], second)

    assert await attachments.forget(item_ids=[first]) == 1
    assert await attachments.get(own.content_id) is None
    kept = await attachments.get(shared.content_id)
    assert kept is not None
    assert kept.item_ids == (str(second),)
    # A photo not linked yet (its submission is being accepted) is not swept with them.
    assert await attachments.get(pending.content_id) is not None
    assert await attachments.forget(item_ids=[second, new_id()]) == 1
    assert await attachments.get(shared.content_id) is None
    assert await attachments.forget(item_ids=[]) == 0
