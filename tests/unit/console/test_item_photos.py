"""The photos a citizen attached: the item's page shows them to the staff who may read the
item (through the console, with the person's token), and the public status page never does."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from hoiam_shared.events import Attachment, FeedbackReceived
from support.console import PASSWORD, TIEU_CAN_BODY, Console, make_console, received, routed
from support.photos import jpeg
from support.public import make_public_console

PHOTO_ID = "a" * 64
PHOTO = Attachment(
    id=PHOTO_ID, sha256=PHOTO_ID, filename="IMG_1.jpg", content_type="image/jpeg", size=120
)
AT = datetime(2026, 11, 30, 2, 15, tzinfo=UTC)


ITEM: FeedbackReceived = received("Cống ấp 3 bị nghẹt, nước tràn vào nhà", at=AT).model_copy(
    update={"attachments": (PHOTO,)}
)


@pytest.fixture
async def console() -> Console:
    console = await make_console()
    item = ITEM
    await console.project(item, routed(item, body=TIEU_CAN_BODY, at=AT))
    console.upstream.photos[PHOTO_ID] = (jpeg(exif=False), "image/jpeg")
    return console


@pytest.fixture
async def client(console: Console) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=console.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as client:
        yield client


async def signed_in(console: Console, client: httpx.AsyncClient, who: str) -> None:
    signed = await console.parts.auth.sign_in(who, PASSWORD, client="test", kind="browser")
    client.cookies.set("hoiam_session", signed.token)


async def test_the_body_sees_the_photo_on_the_item_page_fetched_with_its_token(
    console: Console, client: httpx.AsyncClient
) -> None:
    code = ITEM.tracking_code
    await signed_in(console, client, "ubnd-tieucan")
    page = await client.get(f"/items/{code}")
    assert page.status_code == 200
    assert f'src="/items/{code}/photos/{PHOTO_ID}"' in page.text
    photo = await client.get(f"/items/{code}/photos/{PHOTO_ID}")
    assert photo.status_code == 200
    assert photo.content == jpeg(exif=False)
    assert photo.headers["content-type"] == "image/jpeg"
    assert "private" in photo.headers["cache-control"]
    [call] = [c for c in console.upstream.calls if c.what == "photo"]
    assert call.person.username == "ubnd-tieucan"


async def test_another_body_and_an_id_of_another_item_get_no_photo(
    console: Console, client: httpx.AsyncClient
) -> None:
    code = ITEM.tracking_code
    await signed_in(console, client, "so-xaydung")
    other_body = await client.get(f"/items/{code}/photos/{PHOTO_ID}")
    assert other_body.status_code == 403
    await signed_in(console, client, "ubnd-tieucan")
    not_this_item = await client.get(f"/items/{code}/photos/{'b' * 64}")
    assert not_this_item.status_code == 404
    assert [c.args for c in console.upstream.calls if c.what == "photo"] == []


async def test_signed_out_the_photo_route_asks_to_sign_in(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"/items/{ITEM.tracking_code}/photos/{PHOTO_ID}")
    assert answer.status_code in (303, 401)
    assert answer.content != jpeg(exif=False)


async def test_the_public_status_page_shows_no_photo() -> None:
    public = await make_public_console()
    item = ITEM
    await public.project(item, routed(item, body=TIEU_CAN_BODY, at=AT))
    transport = httpx.ASGITransport(app=public.app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as client:
        page = await client.get(f"/t/{item.tracking_code}")
        data = await client.get(f"/api/v1/public/items/{item.tracking_code}")
    assert page.status_code == 200
    assert data.status_code == 200
    for shown in (page.text, data.text):
        assert PHOTO_ID not in shown
        assert "IMG_1.jpg" not in shown
        assert "/photos/" not in shown
    assert "<img" not in page.text
