"""The directory as the console reads it to bind accounts: bodies in force and delegates, by
province, behind the same guard as every operator route."""

import httpx
import pytest
from pydantic import SecretStr

from fakes import RouterWorld, router_world
from hoiam_router.domain.directory import Directory
from hoiam_router.settings import RouterSettings

TOKEN = "unit-operator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def world(directory: Directory) -> RouterWorld:
    return router_world(directory, settings=RouterSettings(operator_token=SecretStr(TOKEN)))


async def test_the_bodies_of_a_province_without_the_abolished_ones(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/v1/directory/bodies?province=86")).status_code == 401
    answer = await client.get("/v1/directory/bodies", params={"province": "86"}, headers=AUTH)
    assert answer.status_code == 200
    bodies = {b["id"]: b["name"] for b in answer.json()}
    assert bodies["29341-ubnd-xa"] == "Ủy ban nhân dân xã Tiểu Cần"
    assert bodies["86-so-xay-dung"] == "Sở Xây dựng tỉnh Vĩnh Long"
    assert "old-846-ubnd-huyen" not in bodies  # abolished on 1/7/2025
    assert not any(i.startswith("46-") for i in bodies)


async def test_the_delegates_of_a_province_with_their_communes(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/directory/councillors?province=86", headers=AUTH)
    assert answer.status_code == 200
    delegates = {c["id"]: c for c in answer.json()}
    assert delegates["86-hdnd-1-1"]["communes"] == ["29551", "29557", "29590", "29593"]
    assert all(i.startswith("86-") for i in delegates)
