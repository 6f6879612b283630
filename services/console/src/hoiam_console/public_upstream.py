"""What the public pages ask of other services, anonymously: intake's web form (the citizen
files) and the router's place search (current communes, found by old names too)."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class PhotoFile:
    """One photo the citizen chose, as the browser sent it (intake decides what it is)."""

    filename: str | None
    data: bytes
    content_type: str | None


class PhotoRefusedError(UpstreamError):
    """Intake refused a photo: `reason` is its code (too_many_photos, photo_too_large,
    not_a_photo, empty_photo, unreadable_photo), said to the citizen in their language."""

    def __init__(self, reason: str, detail: str, filename: str | None) -> None:
        super().__init__(422, detail)
        self.reason = reason
        self.filename = filename


class PublicUpstream(Protocol):
    async def provinces(self) -> list[PlaceOption]: ...

    async def communes(self, province_code: str) -> list[PlaceOption]: ...

    async def search_places(self, query: str, province_code: str | None) -> list[PlaceOption]: ...

    async def file(
        self,
        submission: dict[str, Any],
        *,
        idempotency_key: str,
        photos: Sequence[PhotoFile] = (),
    ) -> Filed:
        """Post to intake's web form (with photos: its multipart twin); UpstreamError with
        intake's status and reason on a refusal, PhotoRefusedError for a photo."""
        ...


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    detail = body.get("detail") if isinstance(body, dict) else body
    if isinstance(detail, dict):  # a refusal with its reason code (a photo): kept whole
        return json.dumps(detail, ensure_ascii=False)[:1000]
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

    async def file(
        self,
        submission: dict[str, Any],
        *,
        idempotency_key: str,
        photos: Sequence[PhotoFile] = (),
    ) -> Filed:
        headers = {"Idempotency-Key": idempotency_key}
        if not photos:
            found = await self._call(
                "POST", f"{self._intake}/v1/intake/web", json=submission, headers=headers
            )
            return Filed.model_validate(found)
        try:
            found = await self._call(
                "POST",
                f"{self._intake}/v1/intake/web/photos",
                data={"submission": json.dumps(submission)},
                files=[
                    ("photo", (p.filename or "photo", p.data, p.content_type or "image/*"))
                    for p in photos
                ],
                headers=headers,
            )
        except UpstreamError as refused:
            raise _photo_refusal(refused) from refused
        return Filed.model_validate(found)


def _photo_refusal(refused: UpstreamError) -> UpstreamError:
    try:
        said = json.loads(refused.detail) if refused.status == 422 else None
    except ValueError:
        return refused
    if isinstance(said, dict) and isinstance(said.get("reason"), str):
        name = said.get("filename")
        return PhotoRefusedError(
            said["reason"], str(said.get("detail", "")), name if isinstance(name, str) else None
        )
    return refused
