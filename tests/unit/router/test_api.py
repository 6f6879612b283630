"""The operator API in process, on the world's wiring: the shared bearer guard, the JSON shapes
clients read, and 503 with `Retry-After` when the store is away."""

import httpx
import pytest
from pydantic import SecretStr
from pymongo.errors import AutoReconnect

from fakes import RouterWorld, router_world
from hoiam_router.domain.assignment import Assignment
from hoiam_router.domain.directory import Directory
from hoiam_router.settings import RouterSettings
from hoiam_shared.events import Status
from support.samples import make_received

TOKEN = "unit-operator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PLACE = "ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"


@pytest.fixture
def world(directory: Directory) -> RouterWorld:
    settings = RouterSettings(fallback_province="86", operator_token=SecretStr(TOKEN))
    return router_world(directory, settings=settings)


async def test_only_a_bearer_token_opens_the_operator_api(client: httpx.AsyncClient) -> None:
    body = {"text": "Mất điện cả ấp"}
    # The scheme is required, like intake's: a bare token or another scheme is refused.
    refused: tuple[dict[str, str], ...] = (
        {}, {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Token {TOKEN}"}, {"Authorization": "Bearer nope"},
    )  # fmt: skip
    for headers in refused:
        answer = await client.post("/v1/route/preview", json=body, headers=headers)
        assert answer.status_code == 401, headers
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert (await client.post("/v1/route/preview", json=body, headers=AUTH)).status_code == 200


async def test_the_item_view_and_triage_answer_the_shapes_clients_read(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    routed = await world.route(make_received("Mất điện cả ấp", address=PLACE))
    unsure = await world.route(make_received("Xin chào, tôi có một ý kiến muốn gửi."))
    await world.ops.change_status(routed.item_id, Status.ACKNOWLEDGED)

    view = (await client.get(f"/v1/items/{routed.item_id}", headers=AUTH)).json()
    waiting = (await client.get("/v1/triage", headers=AUTH)).json()

    assert set(view) == {
        "item_id", "tracking_code", "status", "category", "body", "due_on", "routing", "case",
        "questioned_at", "history",
    }  # fmt: skip
    assert view["questioned_at"] == []
    assert view["item_id"] == str(routed.item_id)
    assert view["status"] == "acknowledged"
    assert view["body"]["id"] == "86-dien-luc"
    assert routed.due_on is not None
    assert view["due_on"] == routed.due_on.isoformat()
    assert view["routing"] == routed.model_dump(mode="json")
    assert view["case"] == {"id": str(routed.case_id), "item_ids": [str(routed.item_id)]}
    assert [h["type"] for h in view["history"]] == ["FeedbackRouted", "StatusChanged"]
    assert [w["item_id"] for w in waiting] == [str(unsure.item_id)]
    assert set(waiting[0]) == {
        "item_id", "tracking_code", "category", "confidence", "text", "candidates", "reasons",
    }  # fmt: skip


async def test_a_store_outage_answers_503_with_retry_after(
    world: RouterWorld, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    routed = await world.route(make_received("Mất điện cả ấp", address=PLACE))

    async def away(*_: object) -> Assignment | None:
        raise AutoReconnect("store away")

    monkeypatch.setattr(world.store, "get", away)
    answer = await client.post(
        f"/v1/items/{routed.item_id}/status", json={"status": "acknowledged"}, headers=AUTH
    )

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.json() == {"detail": "temporarily unavailable, retry: AutoReconnect"}


async def test_merging_and_splitting_cases_is_refused_with_a_reason(
    world: RouterWorld, client: httpx.AsyncClient
) -> None:
    pothole = await world.route(make_received("Đường ấp 3 sạt lở, nhiều ổ gà", address=PLACE))
    power = await world.route(make_received("Mất điện ba ngày nay", address=PLACE))

    other_body = await client.post(
        f"/v1/cases/{pothole.case_id}/merge", json={"case_ids": [str(power.case_id)]}, headers=AUTH
    )
    missing = await client.post(
        f"/v1/cases/{pothole.case_id}/merge",
        json={"case_ids": ["01a2340b-0000-7000-8000-000000000000"]},
        headers=AUTH,
    )
    everything = await client.post(
        f"/v1/cases/{pothole.case_id}/split",
        json={"item_ids": [str(pothole.item_id)]},
        headers=AUTH,
    )

    assert other_body.status_code == 409
    assert "same body" in other_body.json()["detail"]
    assert missing.status_code == 404
    assert "no case" in missing.json()["detail"]
    assert everything.status_code == 409
    assert "at least one item" in everything.json()["detail"]
