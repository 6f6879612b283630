"""A low rating reopens a resolved item for its body (once, whatever is redelivered); a good
one changes nothing. The public place search finds current communes by old names."""

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from fakes import RouterWorld, router_world
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.places import search
from hoiam_shared.events import FeedbackReceived, ItemRated, Status, StatusChanged
from support.samples import make_received

POTHOLE = "Đường ấp 3 bị sạt lở, nhiều ổ gà nguy hiểm cho học sinh"
PLACE = "ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"


@pytest.fixture
def world(directory: Directory) -> RouterWorld:
    return router_world(directory)


def rating(item: FeedbackReceived, score: int, reason: str | None = None) -> ItemRated:
    at = datetime(2026, 12, 4, tzinfo=UTC)
    return ItemRated(
        occurred_at=at,
        correlation_id=item.item_id,
        item_id=item.item_id,
        tracking_code=item.tracking_code,
        score=score,
        reason=reason,
        rated_at=at,
    )


async def resolved(world: RouterWorld) -> FeedbackReceived:
    item = make_received(POTHOLE, address=PLACE)
    await world.route(item)
    await world.ops.change_status(item.item_id, Status.RESOLVED, answer="Đã vá.")
    return item


async def test_a_low_rating_reopens_the_item_with_the_reason(world: RouterWorld) -> None:
    item = await resolved(world)
    low = rating(item, 1, "Vá xong lại bể sau một tuần")
    reopened = await world.parts.reopen(low)
    assert reopened is not None
    assert reopened.status is Status.REOPENED
    assert reopened.previous_status is Status.RESOLVED
    assert reopened.reason == "the citizen rated the answer 1/5: Vá xong lại bể sau một tuần"
    assert reopened.actor == "citizen:rating"
    assert (await world.ops.get(item.item_id)).status is Status.REOPENED
    # Redelivered: nothing more happens.
    assert await world.parts.reopen(low) is None
    statuses = [e.status for e in world.publisher.of(StatusChanged)]
    assert statuses.count(Status.REOPENED) == 1


async def test_a_good_rating_leaves_the_item_resolved(world: RouterWorld) -> None:
    item = await resolved(world)
    assert await world.parts.reopen(rating(item, 3)) is None
    assert (await world.ops.get(item.item_id)).status is Status.RESOLVED


async def test_a_low_rating_of_an_unknown_item_is_ignored(world: RouterWorld) -> None:
    assert await world.parts.reopen(rating(make_received(POTHOLE), 1)) is None


def test_old_names_find_the_current_commune() -> None:
    [first, *_] = search("xã Phú Cần, huyện Tiểu Cần")
    assert (first.name, first.province_name) == ("Xã Tiểu Cần", "Tỉnh Vĩnh Long")
    by_old = {p.name: p.via for p in search("phu can")}
    assert by_old["Xã Tiểu Cần"] == "Xã Phú Cần, Huyện Tiểu Cần"
    assert search("x") == []


async def test_the_place_search_needs_no_token_and_is_limited(world: RouterWorld) -> None:
    app = FastAPI()
    for router in world.parts.wiring.routers:
        app.include_router(router)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://router.test") as client:
        found = await client.get("/v1/places", params={"q": "tieu can", "province": "86"})
        assert found.status_code == 200
        assert found.json()[0]["name"] == "Xã Tiểu Cần"
        provinces = (await client.get("/v1/places/provinces")).json()
        assert len(provinces) == 34
        communes = await client.get("/v1/places/provinces/86/communes")
        assert "Xã Tiểu Cần" in {c["name"] for c in communes.json()}
        assert (await client.get("/v1/places/provinces/99/communes")).status_code == 404
        assert (await client.get("/v1/places", params={"q": "x" * 201})).status_code == 422
        codes = [
            (await client.get("/v1/places", params={"q": "a"})).status_code for _ in range(120)
        ]
        assert codes[-1] == 429
