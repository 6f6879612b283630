"""What the HTTP channel adapters share: a request that may time out, status codes, JSON answers."""

from collections.abc import Awaitable
from datetime import datetime
from typing import Any

import httpx

from hoiam_notifier.channels.errors import (
    ErrorKind,
    Verdict,
    classify_http_status,
    parse_retry_after,
)
from hoiam_notifier.channels.port import SendError


def answer_of(response: httpx.Response) -> str:
    """The provider's answer verbatim (status and body), kept with a failure for operators."""
    return f"HTTP {response.status_code} {response.text[:1000]}"


def retry_after(response: httpx.Response, *, now: datetime) -> float | None:
    """The response's Retry-After in seconds from `now`, if it has one."""
    return parse_retry_after(response.headers.get("Retry-After"), now=now)


def status_error(response: httpx.Response, *, now: datetime) -> SendError | None:
    """The error a bare HTTP status means (None for a success), Retry-After honoured."""
    kind = classify_http_status(response.status_code)
    if kind is None:
        return None
    return SendError(
        Verdict(kind, f"HTTP {response.status_code}"),
        answer=answer_of(response),
        retry_after=retry_after(response, now=now),
    )


async def post(request: Awaitable[httpx.Response]) -> httpx.Response:
    """Await a provider request; a timeout or a dropped connection is a retry."""
    try:
        return await request
    except httpx.TimeoutException as error:
        raise SendError(
            Verdict(ErrorKind.RETRY, "provider timed out"), answer=repr(error)
        ) from error
    except httpx.TransportError as error:
        raise SendError(
            Verdict(ErrorKind.RETRY, "provider unreachable"), answer=repr(error)
        ) from error


def json_of(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object, or empty when it is not one."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
