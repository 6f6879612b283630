"""Intake and the router, as the console calls them: every call carries the acting person's
short-lived signed token (`Authorization: Bearer <person token>`), so those services check the
scope themselves and write the verified person as the actor of any history entry."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import quote
from uuid import UUID

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr

from hoiam_console.domain.readmodel import BodyChoice
from hoiam_shared.clock import Clock
from hoiam_shared.identity import Person, issue_token

TOKEN_TTL = timedelta(minutes=2)
"""One call's token: long enough for the call, short enough that a leaked one is soon useless."""


class UpstreamError(Exception):
    """The other service refused (4xx: `status` and its reason) or could not be reached (503)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class Task(BaseModel):
    """An operator task as intake lists it (`GET /v1/operator/tasks`)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    task_id: str
    kind: str
    state: str
    item_id: UUID | None = None
    tracking_code: str | None = None
    name: str | None = None
    phone: str | None = None
    reason: str
    details: str | None = None
    opened_at: datetime
    assigned_to: str | None = None
    done_by: str | None = None
    done_at: datetime | None = None
    note: str | None = None


class Councillor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    name: str
    council: str
    constituency: str
    communes: tuple[str, ...] = ()


class Upstream(Protocol):
    """What the console asks of intake and the router, on behalf of `person`."""

    async def change_status(
        self,
        person: Person,
        item_id: UUID,
        *,
        status: str,
        answer: str | None,
        reason: str | None,
        reason_code: str | None = None,
    ) -> None: ...

    async def hand_back(self, person: Person, item_id: UUID, *, reason: str) -> None: ...

    async def reassign(
        self, person: Person, item_id: UUID, *, body_id: str, reason: str
    ) -> None: ...

    async def decide(
        self, person: Person, item_id: UUID, *, category: str, body_id: str
    ) -> None: ...

    async def tasks(self, person: Person, *, state: str | None) -> list[Task]: ...

    async def assign_task(self, person: Person, task_id: str) -> None: ...

    async def finish_task(self, person: Person, task_id: str, *, note: str | None) -> None: ...

    async def bodies(self, person: Person, *, province: str | None) -> list[BodyChoice]: ...

    async def councillors(self, person: Person, *, province: str | None) -> list[Councillor]: ...

    async def photo(self, person: Person, attachment_id: str) -> tuple[bytes, str]:
        """A photo's bytes and type from intake's attachment store."""
        ...


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500]
    detail = body.get("detail") if isinstance(body, dict) else body
    return detail if isinstance(detail, str) else str(detail)[:500]


class HttpUpstream:
    """The real adapter: one pooled HTTP client, a fresh person token per call."""

    def __init__(
        self,
        *,
        intake_url: str,
        router_url: str,
        secret: SecretStr | None,
        clock: Clock,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._intake = intake_url.rstrip("/")
        self._router = router_url.rstrip("/")
        self._secret = secret
        self._clock = clock
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def close(self) -> None:
        await self._client.aclose()

    async def _call(
        self,
        person: Person,
        method: str,
        url: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Any:
        if self._secret is None:
            raise UpstreamError(503, "the console has no person token secret configured")
        token = issue_token(person, self._secret, now=self._clock(), ttl=TOKEN_TTL)
        try:
            response = await self._client.request(
                method,
                url,
                json=dict(json) if json is not None else None,
                params=dict(params) if params else None,
                headers={"Authorization": f"Bearer {token}"},
            )
        except httpx.HTTPError as error:
            raise UpstreamError(503, f"{url} unreachable: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise UpstreamError(503, f"{url} answered {response.status_code}")
        if response.status_code >= 400:
            raise UpstreamError(response.status_code, _detail(response))
        return response.json() if response.content else None

    async def change_status(
        self,
        person: Person,
        item_id: UUID,
        *,
        status: str,
        answer: str | None,
        reason: str | None,
        reason_code: str | None = None,
    ) -> None:
        body = {"status": status, "answer": answer, "reason": reason, "reason_code": reason_code}
        await self._call(
            person,
            "POST",
            f"{self._router}/v1/items/{item_id}/status",
            json={k: v for k, v in body.items() if v is not None},
        )

    async def hand_back(self, person: Person, item_id: UUID, *, reason: str) -> None:
        await self._call(
            person, "POST", f"{self._router}/v1/items/{item_id}/hand-back", json={"reason": reason}
        )

    async def reassign(self, person: Person, item_id: UUID, *, body_id: str, reason: str) -> None:
        await self._call(
            person,
            "POST",
            f"{self._router}/v1/items/{item_id}/reassign",
            json={"body_id": body_id, "reason": reason},
        )

    async def decide(self, person: Person, item_id: UUID, *, category: str, body_id: str) -> None:
        await self._call(
            person,
            "POST",
            f"{self._router}/v1/triage/{item_id}/decide",
            json={"category": category, "body_id": body_id},
        )

    async def photo(self, person: Person, attachment_id: str) -> tuple[bytes, str]:
        if self._secret is None:
            raise UpstreamError(503, "the console has no person token secret configured")
        token = issue_token(person, self._secret, now=self._clock(), ttl=TOKEN_TTL)
        url = f"{self._intake}/v1/attachments/{quote(attachment_id, safe='')}"
        try:
            response = await self._client.get(url, headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as error:
            raise UpstreamError(503, f"{url} unreachable: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise UpstreamError(503, f"{url} answered {response.status_code}")
        if response.status_code >= 400:
            raise UpstreamError(response.status_code, _detail(response))
        return response.content, response.headers.get("content-type", "application/octet-stream")

    async def tasks(self, person: Person, *, state: str | None) -> list[Task]:
        found = await self._call(
            person,
            "GET",
            f"{self._intake}/v1/operator/tasks",
            params={"state": state} if state else None,
        )
        return [Task.model_validate(task) for task in found or []]

    async def assign_task(self, person: Person, task_id: str) -> None:
        # No actor field: intake writes the verified person of the token.
        await self._call(
            person, "POST", f"{self._intake}/v1/operator/tasks/{task_id}/assign", json={}
        )

    async def finish_task(self, person: Person, task_id: str, *, note: str | None) -> None:
        body: dict[str, Any] = {}
        if note:
            body["note"] = note
        await self._call(
            person, "POST", f"{self._intake}/v1/operator/tasks/{task_id}/done", json=body
        )

    async def bodies(self, person: Person, *, province: str | None) -> list[BodyChoice]:
        found = await self._call(
            person,
            "GET",
            f"{self._router}/v1/directory/bodies",
            params={"province": province} if province else None,
        )
        return [BodyChoice.model_validate(body) for body in found or []]

    async def councillors(self, person: Person, *, province: str | None) -> list[Councillor]:
        found = await self._call(
            person,
            "GET",
            f"{self._router}/v1/directory/councillors",
            params={"province": province} if province else None,
        )
        return [Councillor.model_validate(c) for c in found or []]
