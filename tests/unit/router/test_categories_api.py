"""`GET /v1/categories`: the directory's categories, without a token (Open311's services)."""

import httpx
from fastapi import FastAPI

from fakes import router_world
from hoiam_router.domain.directory import Directory


async def test_the_categories_are_public_and_carry_no_weights(directory: Directory) -> None:
    world = router_world(directory)
    app = FastAPI()
    for router in world.parts.wiring.routers:
        app.include_router(router)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://router.test") as client:
        answer = await client.get("/v1/categories")
    assert answer.status_code == 200
    found = {c["code"]: c for c in answer.json()}
    assert list(found) == [c.code for c in directory.categories]
    assert found["transport"]["name"] == next(
        c.name for c in directory.categories if c.code == "transport"
    )
    for category in found.values():
        assert len(category["keywords"]) <= 8
        assert not any("*" in k for k in category["keywords"])  # the classifier's weights stay
