"""`GET /v1/places`: read-only place search for public forms, no token (it reveals only the
official list of units), rate-limited per client address."""

import asyncio
from collections import deque
from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from hoiam_router.domain.places import Place, communes_of, provinces, search
from hoiam_shared.clock import Clock


class PlaceAnswer(BaseModel):
    code: str
    name: str
    province_code: str
    province_name: str
    via: str | None = None

    @classmethod
    def of(cls, place: Place) -> "PlaceAnswer":
        return cls(
            code=place.code,
            name=place.name,
            province_code=place.province_code,
            province_name=place.province_name,
            via=place.via,
        )


class ProvinceAnswer(BaseModel):
    code: str
    name: str


def places_api(
    *, clock: Clock, allowed: int = 120, window: timedelta = timedelta(minutes=1)
) -> APIRouter:
    api = APIRouter(prefix="/v1/places", tags=["places"])
    hits: dict[str, deque[datetime]] = {}

    def limit(request: Request) -> None:
        now = clock()
        key = request.client.host if request.client else "unknown"
        recent = hits.setdefault(key, deque())
        while recent and recent[0] <= now - window:
            recent.popleft()
        if len(recent) >= allowed:
            raise HTTPException(
                429,
                f"more than {allowed} place searches a minute from this address",
                headers={"Retry-After": str(int(window.total_seconds()))},
            )
        recent.append(now)

    @api.get("", summary="Current communes matching a name, current or pre-2025")
    async def find(request: Request, q: str = "", province: str | None = None) -> list[PlaceAnswer]:
        limit(request)
        if len(q) > 200:
            raise HTTPException(422, "q is longer than 200 characters")
        # The first search builds the gazetteer (about a second): not on the event loop.
        found = await asyncio.to_thread(search, q, province_code=province)
        return [PlaceAnswer.of(p) for p in found]

    @api.get("/provinces", summary="The 34 current provinces")
    async def all_provinces(request: Request) -> list[ProvinceAnswer]:
        limit(request)
        found = await asyncio.to_thread(provinces)
        return [ProvinceAnswer(code=code, name=name) for code, name in found]

    @api.get("/provinces/{code}/communes", summary="A province's current communes")
    async def communes(request: Request, code: str) -> list[PlaceAnswer]:
        limit(request)
        found = await asyncio.to_thread(communes_of, code)
        if not found:
            raise HTTPException(404, f"no current province has the code {code!r}")
        return [PlaceAnswer.of(p) for p in found]

    return api
