"""Server-side sessions (phiên đăng nhập): a random token the client holds, its hash we keep.

The same session serves a browser (cookie, with a CSRF token its forms carry) and an API client
(the bearer `access_token`); signing out deletes it, so a stolen cookie dies with the logout.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

type SessionKind = Literal["browser", "api"]


class Session(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    token_hash: str
    username: str
    kind: SessionKind
    csrf_token: str
    created_at: AwareDatetime
    expires_at: AwareDatetime

    def live(self, now: datetime) -> bool:
        return now < self.expires_at

    def csrf_matches(self, given: str | None) -> bool:
        """A form's `csrf_token` is this session's (constant-time comparison)."""
        return bool(given) and hmac.compare_digest((given or "").encode(), self.csrf_token.encode())


def hash_token(token: str) -> str:
    """What the store keeps: a leaked sessions collection gives no usable cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    username: str, *, kind: SessionKind, now: datetime, ttl: timedelta
) -> tuple[str, Session]:
    """A fresh token (given to the client once) and the session stored under its hash."""
    token = secrets.token_urlsafe(32)
    return token, Session(
        token_hash=hash_token(token),
        username=username,
        kind=kind,
        csrf_token=secrets.token_urlsafe(24),
        created_at=now,
        expires_at=now + ttl,
    )
