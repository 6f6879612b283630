"""Erasing a citizen on their verified request (PDPL 2025): the operator's form, sent to intake.

Intake does the erasure (`POST /v1/citizens/{id}/erasure`, docs/erasure.md); this page only asks
for the citizen record, how the request was verified and its reference, and says what happened.
"""

from collections.abc import Mapping
from typing import Protocol
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, SecretStr

from hoiam_console.domain.access import may_work_tasks, require
from hoiam_console.upstream import TOKEN_TTL, UpstreamError
from hoiam_console.web import Viewer, Web
from hoiam_shared.clock import Clock
from hoiam_shared.identity import Person, issue_token


class Erased(BaseModel):
    """What intake answered."""

    citizen_id: str
    event_id: str
    erased_at: str
    keys_destroyed: int


class CitizenEraser(Protocol):
    """Asks intake to erase a citizen, as the person signed in."""

    async def erase(
        self, person: Person, citizen_id: str, *, verified_by: str, request_ref: str | None
    ) -> Erased: ...


class HttpCitizenEraser:
    """Intake's erasure endpoint, with a fresh person token per call."""

    def __init__(self, *, intake_url: str, secret: SecretStr, clock: Clock, timeout: float) -> None:
        self._url = intake_url.rstrip("/")
        self._secret = secret
        self._clock = clock
        self._timeout = timeout

    async def erase(
        self, person: Person, citizen_id: str, *, verified_by: str, request_ref: str | None
    ) -> Erased:
        token = issue_token(person, self._secret, now=self._clock(), ttl=TOKEN_TTL)
        url = f"{self._url}/v1/citizens/{citizen_id}/erasure"
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                answer = await client.post(
                    url,
                    json={"verified_by": verified_by, "request_ref": request_ref},
                    headers={"Authorization": f"Bearer {token}"},
                )
        except httpx.HTTPError as error:
            raise UpstreamError(503, f"intake unreachable: {type(error).__name__}") from error
        if answer.status_code >= 500:
            raise UpstreamError(503, f"intake answered {answer.status_code}")
        if answer.status_code >= 400:
            raise UpstreamError(answer.status_code, answer.text[:500])
        return Erased.model_validate(answer.json())


def routes(web: Web, eraser: CitizenEraser) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/citizens/erase")
    async def form(request: Request) -> Response:
        async def show(viewer: Viewer) -> Response:
            require(may_work_tasks(viewer.person), "erasing citizens is the operators'")
            erased = request.query_params.get("erased")
            return web.render(request, "erasure.html", viewer=viewer, erased=erased)

        return await web.page(request, show)

    @pages.post("/citizens/erase")
    async def erase(request: Request) -> Response:
        async def act(viewer: Viewer, fields: Mapping[str, str]) -> Response:
            require(may_work_tasks(viewer.person), "erasing citizens is the operators'")
            citizen_id = (fields.get("citizen_id") or "").strip()
            verified_by = (fields.get("verified_by") or "").strip()
            if not citizen_id or len(verified_by) < 3:
                raise ValueError("the citizen record and how the request was verified are needed")
            erased = await eraser.erase(
                viewer.person,
                citizen_id,
                verified_by=verified_by,
                request_ref=(fields.get("request_ref") or "").strip() or None,
            )
            # Post, then redirect: a reload does not send the order again.
            where = f"/citizens/erase?erased={quote(erased.citizen_id)}"
            return RedirectResponse(where, status_code=303)

        return await web.form(request, act)

    return pages
