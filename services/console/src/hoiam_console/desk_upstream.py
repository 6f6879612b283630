"""What the operator's desk, the Front's levels and the cases page ask of intake and the router,
on behalf of the signed-in person (the same person token as every other call)."""

from datetime import datetime
from typing import Protocol
from uuid import UUID

import httpx
from pydantic import BaseModel, ConfigDict

from hoiam_console.upstream import TOKEN_TTL, HttpUpstream, UpstreamError, _detail
from hoiam_shared.events import NoteKind
from hoiam_shared.identity import Person, issue_token


class KeyedCall(BaseModel):
    """Intake's answer to a keyed-in call: the item and the code the caller is told."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: UUID
    tracking_code: str
    already_sent: bool = False


class CallLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    call_id: str
    id: UUID
    tracking_code: str
    kind: str
    duplicate: bool


class RejectedLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    line: int
    reason: str


class CallLogResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    accepted: int
    duplicates: int
    rejected: list[RejectedLine]
    calls: list[CallLine]


class CaseResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    case_id: UUID
    item_ids: list[UUID]


class CitizenSuggestion(BaseModel):
    """Two citizen records intake thinks may be one person (never merged automatically)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    citizen_ids: tuple[str, str]
    reason: str
    detail: str
    created_at: datetime


class ManualCallFields(BaseModel):
    """What an operator keys in (intake's `ManualCall`, checked again there)."""

    model_config = ConfigDict(frozen=True)

    call_id: str
    caller: str
    text: str
    name: str | None = None
    address: str | None = None
    hotline: str | None = None


class DeskUpstream(Protocol):
    async def key_call(self, person: Person, call: ManualCallFields) -> KeyedCall: ...

    async def upload_call_log(
        self, person: Person, content: bytes, *, log_format: str, content_type: str
    ) -> CallLogResult: ...

    async def merge_cases(
        self, person: Person, case_id: UUID, others: list[UUID]
    ) -> CaseResult: ...

    async def split_case(
        self, person: Person, case_id: UUID, item_ids: list[UUID]
    ) -> CaseResult: ...

    async def citizen_suggestions(self, person: Person) -> list[CitizenSuggestion]: ...

    async def add_note(
        self, person: Person, item_id: UUID, *, kind: NoteKind, text: str
    ) -> None: ...


class HttpDeskUpstream(HttpUpstream):
    """The real adapter: `HttpUpstream`'s client and per-call person token, more routes."""

    async def key_call(self, person: Person, call: ManualCallFields) -> KeyedCall:
        body = call.model_dump(exclude_none=True)
        found = await self._call(
            person, "POST", f"{self._intake}/v1/intake/calls/manual", json=body
        )
        return KeyedCall.model_validate(found)

    async def upload_call_log(
        self, person: Person, content: bytes, *, log_format: str, content_type: str
    ) -> CallLogResult:
        if self._secret is None:
            raise UpstreamError(503, "the console has no person token secret configured")
        token = issue_token(person, self._secret, now=self._clock(), ttl=TOKEN_TTL)
        url = f"{self._intake}/v1/intake/calls"
        try:
            response = await self._client.post(
                url,
                params={"format": log_format},
                content=content,
                headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
            )
        except httpx.HTTPError as error:
            raise UpstreamError(503, f"{url} unreachable: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise UpstreamError(503, f"{url} answered {response.status_code}")
        if response.status_code >= 400:
            raise UpstreamError(response.status_code, _detail(response))
        found = response.json()
        return CallLogResult.model_validate(found)

    async def merge_cases(self, person: Person, case_id: UUID, others: list[UUID]) -> CaseResult:
        found = await self._call(
            person,
            "POST",
            f"{self._router}/v1/cases/{case_id}/merge",
            json={"case_ids": [str(o) for o in others]},
        )
        return CaseResult.model_validate(found)

    async def split_case(self, person: Person, case_id: UUID, item_ids: list[UUID]) -> CaseResult:
        found = await self._call(
            person,
            "POST",
            f"{self._router}/v1/cases/{case_id}/split",
            json={"item_ids": [str(i) for i in item_ids]},
        )
        return CaseResult.model_validate(found)

    async def citizen_suggestions(self, person: Person) -> list[CitizenSuggestion]:
        found = await self._call(person, "GET", f"{self._intake}/v1/operator/citizen-suggestions")
        return [CitizenSuggestion.model_validate(s) for s in found or []]

    async def add_note(self, person: Person, item_id: UUID, *, kind: NoteKind, text: str) -> None:
        await self._call(
            person,
            "POST",
            f"{self._router}/v1/items/{item_id}/notes",
            json={"kind": kind.value, "text": text},
        )


class NoDeskUpstream:
    """Where no adapter was handed to `build`: every call is a 503 with the reason."""

    def _refuse(self) -> UpstreamError:
        return UpstreamError(503, "intake and the router are not wired for these pages")

    async def key_call(self, person: Person, call: ManualCallFields) -> KeyedCall:
        raise self._refuse()

    async def upload_call_log(
        self, person: Person, content: bytes, *, log_format: str, content_type: str
    ) -> CallLogResult:
        raise self._refuse()

    async def merge_cases(self, person: Person, case_id: UUID, others: list[UUID]) -> CaseResult:
        raise self._refuse()

    async def split_case(self, person: Person, case_id: UUID, item_ids: list[UUID]) -> CaseResult:
        raise self._refuse()

    async def citizen_suggestions(self, person: Person) -> list[CitizenSuggestion]:
        raise self._refuse()

    async def add_note(self, person: Person, item_id: UUID, *, kind: NoteKind, text: str) -> None:
        raise self._refuse()
