"""What the session pages ask of intake (sessions, meetings, minutes) and of the router (send an
answer back, mark it for questioning), on behalf of the signed-in person (the person token)."""

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal, Protocol

import httpx
from pydantic import BaseModel, ConfigDict, Field

from hoiam_console.domain.review import MinutesFile, ReviewLine
from hoiam_console.upstream import TOKEN_TTL, HttpUpstream, UpstreamError, _detail
from hoiam_shared.identity import Person, issue_token

MINUTES_SECONDS = 120.0
"""Splitting a large .docx takes intake a while on a loaded machine."""


class NewSessionFields(BaseModel):
    """A session as an operator declares it (intake's `NewSession`, checked again there)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    name: str = Field(min_length=3, max_length=300, description="E.g. Kỳ họp thứ 5 HĐND tỉnh.")
    province_code: str = Field(pattern=r"^\d{2}$", description="The province's 2-digit code.")
    opens_on: date
    closes_on: date
    term: str | None = Field(default=None, max_length=40, description="Khóa, e.g. XI.")
    number: int | None = Field(default=None, ge=1, le=100, description="Kỳ họp thứ …")
    council_level: Literal["national", "province", "commune"] = "province"
    commune_code: str | None = Field(default=None, pattern=r"^\d{5}$")


class SessionInfo(BaseModel):
    """A session as intake keeps it, with its compile windows' due dates."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    name: str
    province_code: str
    opens_on: date
    closes_on: date
    term: str | None = None
    number: int | None = None
    council_level: str = "province"
    commune_code: str | None = None
    compile_before_due: date
    compile_after_due: date
    created_at: datetime


class MeetingBrief(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    held_on: date
    place: str
    delegates: tuple[str, ...] = ()
    constituency: str | None = None
    filename: str | None = None
    counts: dict[str, int] = Field(default_factory=dict)


class SessionDetail(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    session: SessionInfo
    meetings: list[MeetingBrief]


class MeetingLine(BaseModel):
    """One petition or opinion of a meeting: its tracking code once committed."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    position: int
    tracking_code: str | None = None
    item_id: str | None = None
    kind: str
    routed: bool = True
    text: str
    place: str | None = None
    voters: str | None = None
    answered_on_the_spot: bool = False
    answer: str | None = None
    level: str | None = None
    section: str | None = None


class SkippedMinutesLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    text: str
    reason: str


class MeetingResult(BaseModel):
    """Intake's answer to minutes: the split (a review) or the committed meeting."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    meeting_id: str
    session_id: str
    review: bool = False
    items: list[MeetingLine]
    skipped: list[SkippedMinutesLine]
    counts: dict[str, int] = Field(default_factory=dict)
    existing: bool = Field(default=False, description="The same file was committed before.")


class MinutesForm(BaseModel):
    """The form fields that go with a minutes file."""

    model_config = ConfigDict(frozen=True)

    held_on: date
    place: str
    delegates: str | None = None
    constituency: str | None = None


class CouncilUpstream(Protocol):
    async def create_session(self, person: Person, command: NewSessionFields) -> str: ...

    async def sessions(self, person: Person) -> list[SessionInfo]: ...

    async def session(self, person: Person, session_id: str) -> SessionDetail: ...

    async def add_meeting(
        self,
        person: Person,
        session_id: str,
        *,
        file: MinutesFile,
        form: MinutesForm,
        review: bool,
        petitions: Sequence[ReviewLine] | None = None,
    ) -> MeetingResult:
        """`review`: the split only. `petitions`: the reviewed lines replace intake's split."""
        ...

    async def send_back(self, person: Person, tracking_code: str, *, note: str) -> None: ...

    async def question(
        self, person: Person, tracking_code: str, *, note: str, session_id: str
    ) -> None: ...


def petitions_json(lines: Sequence[ReviewLine]) -> str:
    """The reviewed lines in the shape of intake's review `items` (position given by order)."""
    fields = (
        "text",
        "kind",
        "place",
        "voters",
        "answered_on_the_spot",
        "answer",
        "level",
        "section",
    )
    return json.dumps([line.model_dump(include=set(fields)) for line in lines], ensure_ascii=False)


class HttpCouncilUpstream(HttpUpstream):
    """The real adapter: `HttpUpstream`'s client and per-call person token, intake's session
    routes and the router's follow-up of answers."""

    async def create_session(self, person: Person, command: NewSessionFields) -> str:
        found = await self._call(
            person, "POST", f"{self._intake}/v1/sessions", json=command.model_dump(mode="json")
        )
        return str(found["id"])

    async def sessions(self, person: Person) -> list[SessionInfo]:
        found = await self._call(person, "GET", f"{self._intake}/v1/sessions")
        return [SessionInfo.model_validate(s) for s in found or []]

    async def session(self, person: Person, session_id: str) -> SessionDetail:
        found = await self._call(person, "GET", f"{self._intake}/v1/sessions/{session_id}")
        return SessionDetail.model_validate(found)

    async def add_meeting(
        self,
        person: Person,
        session_id: str,
        *,
        file: MinutesFile,
        form: MinutesForm,
        review: bool,
        petitions: Sequence[ReviewLine] | None = None,
    ) -> MeetingResult:
        if self._secret is None:
            raise UpstreamError(503, "the console has no person token secret configured")
        token = issue_token(person, self._secret, now=self._clock(), ttl=TOKEN_TTL)
        url = f"{self._intake}/v1/sessions/{session_id}/meetings"
        data: dict[str, Any] = {
            k: v for k, v in form.model_dump(mode="json").items() if v not in (None, "")
        }
        data["review"] = "true" if review else "false"
        if petitions is not None:
            data["petitions"] = petitions_json(petitions)
        name = file.filename or "minutes"
        kind = file.content_type or "application/octet-stream"
        try:
            response = await self._client.post(
                url,
                data=data,
                files={"file": (name, file.content, kind)},
                headers={"Authorization": f"Bearer {token}"},
                timeout=MINUTES_SECONDS,
            )
        except httpx.HTTPError as error:
            raise UpstreamError(503, f"{url} unreachable: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise UpstreamError(503, f"{url} answered {response.status_code}")
        if response.status_code >= 400:
            raise UpstreamError(response.status_code, _detail(response))
        found = MeetingResult.model_validate(response.json())
        # 200 to a commit: the same file was committed before; these are its items.
        return found.model_copy(update={"existing": not review and response.status_code == 200})

    async def _router_follow_up(self, person: Person, url: str, body: dict[str, str]) -> None:
        try:
            await self._call(person, "POST", url, json=body)
        except UpstreamError as error:
            if error.status in (404, 405) and error.detail in ("Not Found", "Method Not Allowed"):
                # The route itself is missing (a router older than this console), not the item.
                raise UpstreamError(
                    503, "the router does not offer this follow-up yet (send-back / questioning)"
                ) from None
            raise

    async def send_back(self, person: Person, tracking_code: str, *, note: str) -> None:
        await self._router_follow_up(
            person, f"{self._router}/v1/items/{tracking_code}/send-back", {"note": note}
        )

    async def question(
        self, person: Person, tracking_code: str, *, note: str, session_id: str
    ) -> None:
        await self._router_follow_up(
            person,
            f"{self._router}/v1/items/{tracking_code}/question",
            {"note": note, "session_id": session_id},
        )


class NoCouncilUpstream:
    """Where no adapter was handed to `build`: every call is a 503 with the reason."""

    def _refuse(self) -> UpstreamError:
        return UpstreamError(503, "intake and the router are not wired for the session pages")

    async def create_session(self, person: Person, command: NewSessionFields) -> str:
        raise self._refuse()

    async def sessions(self, person: Person) -> list[SessionInfo]:
        raise self._refuse()

    async def session(self, person: Person, session_id: str) -> SessionDetail:
        raise self._refuse()

    async def add_meeting(
        self,
        person: Person,
        session_id: str,
        *,
        file: MinutesFile,
        form: MinutesForm,
        review: bool,
        petitions: Sequence[ReviewLine] | None = None,
    ) -> MeetingResult:
        raise self._refuse()

    async def send_back(self, person: Person, tracking_code: str, *, note: str) -> None:
        raise self._refuse()

    async def question(
        self, person: Person, tracking_code: str, *, note: str, session_id: str
    ) -> None:
        raise self._refuse()
