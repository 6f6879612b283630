"""What the public pages ask of other services, anonymously: intake's web form (the citizen
files) and the router's place search (current communes, found by old names too)."""

from typing import Any, Protocol

import httpx
from pydantic import BaseModel, ConfigDict

from hoiam_console.upstream import UpstreamError


class PlaceOption(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    code: str
    name: str
    province_code: str | None = None
    province_name: str | None = None
    via: str | None = None


class Filed(BaseModel):
    """Intake's receipt: the code the citizen follows their item by."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    tracking_code: str
    already_sent: bool = False


class PublicUpstream(Protocol):
    async def provinces(self) -> list[PlaceOption]: ...

    async def communes(self, province_code: str) -> list[PlaceOption]: ...

    async def search_places(self, query: str, province_code: str | None) -> list[PlaceOption]: ...

    async def file(self, submission: dict[str, Any], *, idempotency_key: str) -> Filed:
        """Post to intake's web form; UpstreamError with intake's status and reason on a refusal."""
        ...


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    detail = body.get("detail") if isinstance(body, dict) else body
    if isinstance(detail, list):  # pydantic's errors: say which field and why
        return "; ".join(
            f"{'.'.join(str(p) for p in d.get('loc', [])[1:])}: {d.get('msg')}"
            for d in detail
            if isinstance(d, dict)
        )[:500]
    return str(detail)[:500]


class HttpPublicUpstream:
    def __init__(
        self,
        *,
        intake_url: str,
        router_url: str,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._intake = intake_url.rstrip("/")
        self._router = router_url.rstrip("/")
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._provinces: list[PlaceOption] | None = None

    async def close(self) -> None:
        await self._client.aclose()

    async def _call(self, method: str, url: str, **options: Any) -> Any:
        try:
            response = await self._client.request(method, url, **options)
        except httpx.HTTPError as error:
            raise UpstreamError(503, f"{url} unreachable: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise UpstreamError(503, f"{url} answered {response.status_code}")
        if response.status_code >= 400:
            raise UpstreamError(response.status_code, _detail(response))
        return response.json()

    async def provinces(self) -> list[PlaceOption]:
        if self._provinces is None:  # 34 provinces, fixed by law: asked once
            found = await self._call("GET", f"{self._router}/v1/places/provinces")
            self._provinces = [PlaceOption.model_validate(p) for p in found]
        return self._provinces

    async def communes(self, province_code: str) -> list[PlaceOption]:
        found = await self._call(
            "GET", f"{self._router}/v1/places/provinces/{province_code}/communes"
        )
        return [PlaceOption.model_validate(p) for p in found]

    async def search_places(self, query: str, province_code: str | None) -> list[PlaceOption]:
        params = {"q": query} | ({"province": province_code} if province_code else {})
        found = await self._call("GET", f"{self._router}/v1/places", params=params)
        return [PlaceOption.model_validate(p) for p in found]

    async def file(self, submission: dict[str, Any], *, idempotency_key: str) -> Filed:
        found = await self._call(
            "POST",
            f"{self._intake}/v1/intake/web",
            json=submission,
            headers={"Idempotency-Key": idempotency_key},
        )
        return Filed.model_validate(found)
