"""What a provider's answer means: retry, fall back to the next way, fail, or refresh a token.

Pure (no I/O): the channel adapters classify every error with these tables, and the handlers
decide from the verdict. The codes come from the providers' public error tables (docs/notifier.md).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum


class ErrorKind(StrEnum):
    """What to do after a provider refused a message."""

    RETRY = "retry"  # timeouts, 5xx, rate limits: the same request later may succeed
    FALLBACK = "fallback"  # this way cannot reach the person now (window, blocked): try the next
    FAIL = "fail"  # the address is wrong: tell someone; the next contact may still work
    REFRESH = "refresh"  # the access token expired: refresh it and try again at once


@dataclass(frozen=True, slots=True)
class Verdict:
    """A classified provider error: what to do, and why in words an operator can read."""

    kind: ErrorKind
    reason: str


def classify_http_status(status: int) -> ErrorKind | None:
    """What a bare HTTP status says, when the body does not say more."""
    if status == 429 or status == 408 or status >= 500:
        return ErrorKind.RETRY
    if status >= 400:
        return ErrorKind.FAIL
    return None


# Zalo OA and ZNS answer HTTP 200 with {"error": <negative code>, "message": ...}.
_ZALO_CODES: dict[int, Verdict] = {
    -216: Verdict(ErrorKind.REFRESH, "access token invalid"),
    -124: Verdict(ErrorKind.REFRESH, "access token expired"),
    -32: Verdict(ErrorKind.RETRY, "rate limit exceeded"),
    -100: Verdict(ErrorKind.RETRY, "unknown provider error"),
    -213: Verdict(ErrorKind.FALLBACK, "user has not followed the OA (or unfollowed it)"),
    -217: Verdict(ErrorKind.FALLBACK, "user blocked messages from the OA"),
    -230: Verdict(ErrorKind.FALLBACK, "user has not interacted with the OA recently"),
    -232: Verdict(ErrorKind.FALLBACK, "consultation window closed"),
    -118: Verdict(ErrorKind.FALLBACK, "no active Zalo account for this phone number"),
    -119: Verdict(ErrorKind.FALLBACK, "Zalo account cannot receive ZNS"),
    -201: Verdict(ErrorKind.FAIL, "invalid parameter"),
    -108: Verdict(ErrorKind.FAIL, "phone number invalid"),
    -109: Verdict(ErrorKind.FAIL, "template id invalid"),
    -211: Verdict(ErrorKind.RETRY, "out of quota"),
}


def classify_zalo(code: int) -> Verdict:
    return _ZALO_CODES.get(code, Verdict(ErrorKind.FAIL, f"zalo error {code}"))


def classify_meta(code: int, subcode: int | None) -> Verdict:
    """Graph API errors of the Send and comment APIs (Messenger Platform error codes)."""
    if code == 10 and subcode == 2018278:
        return Verdict(ErrorKind.FALLBACK, "message sent outside the allowed window")
    if code == 551 or (code == 10 and subcode == 2018108):
        return Verdict(ErrorKind.FALLBACK, "this person isn't available right now")
    if code == 200 and subcode in (1545041, 2018109):
        return Verdict(ErrorKind.FALLBACK, "recipient cannot be messaged")
    if code in (4, 17, 32, 613) or code == 1200 or (code == 2):
        return Verdict(ErrorKind.RETRY, "rate limited or temporarily unavailable")
    if code == 190:
        return Verdict(ErrorKind.FAIL, "page access token invalid: renew it in settings")
    if code == 100:
        return Verdict(ErrorKind.FAIL, "invalid recipient or parameter")
    return Verdict(ErrorKind.FAIL, f"graph api error {code}/{subcode}")


def classify_smtp(code: int) -> Verdict:
    if code >= 500:
        return Verdict(ErrorKind.FAIL, "mailbox refused the message")
    return Verdict(ErrorKind.RETRY, "mail server asked to try later")


def retry_delay(attempt: int, *, backoff: float, retry_after: float | None, cap: float) -> float:
    """Exponential backoff from `backoff`, but never sooner than the provider's Retry-After."""
    delay: float = backoff * float(2 ** (attempt - 1))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, cap)


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Retry-After as seconds (RFC 9110 allows delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        seconds = float(value)
        return max(0.0, seconds)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
