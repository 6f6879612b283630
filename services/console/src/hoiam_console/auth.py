"""Sign-in, sessions and sign-out: passwords checked with argon2, throttled, sessions kept
server-side (`domain.sessions`)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from hoiam_console.domain.accounts import Account
from hoiam_console.domain.sessions import Session, SessionKind, hash_token, open_session
from hoiam_console.domain.throttle import refused_until
from hoiam_console.passwords import Passwords
from hoiam_console.ports import AccountStore, FailureLog, SessionStore
from hoiam_shared.clock import Clock


class BadCredentialsError(ValueError):
    """Wrong username or password (which one is never said)."""


class ThrottledError(Exception):
    def __init__(self, until: datetime) -> None:
        super().__init__(f"too many failed sign-ins; try again after {until.isoformat()}")
        self.until = until


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str
    session: Session
    account: Account


class Authenticator:
    def __init__(
        self,
        *,
        accounts: AccountStore,
        sessions: SessionStore,
        failures: FailureLog,
        passwords: Passwords,
        clock: Clock,
        ttl: timedelta,
        failures_allowed: int,
        window: timedelta,
    ) -> None:
        self._accounts = accounts
        self._sessions = sessions
        self._failures = failures
        self._passwords = passwords
        self._clock = clock
        self._ttl = ttl
        self._allowed = failures_allowed
        self._window = window

    @property
    def ttl(self) -> timedelta:
        return self._ttl

    async def _refused(self, keys: list[str], now: datetime) -> datetime | None:
        latest: datetime | None = None
        for key in keys:
            failures = await self._failures.since(key, now - self._window)
            until = refused_until(failures, now=now, allowed=self._allowed, window=self._window)
            if until is not None and (latest is None or until > latest):
                latest = until
        return latest

    async def sign_in(
        self, username: str, password: str, *, client: str, kind: SessionKind
    ) -> SignedIn:
        now = self._clock()
        name = username.strip().lower()
        keys = [f"user:{name}", f"ip:{client}"]
        until = await self._refused(keys, now)
        if until is not None:
            raise ThrottledError(until)
        account = await self._accounts.get(name)
        valid = self._passwords.verify(account.password_hash if account else None, password)
        if account is None or not valid or not account.active:
            for key in keys:
                await self._failures.add(key, now)
            raise BadCredentialsError("wrong username or password")
        if self._passwords.needs_rehash(account.password_hash):
            await self._accounts.set_password(account.username, self._passwords.hash(password))
        token, session = open_session(account.username, kind=kind, now=now, ttl=self._ttl)
        await self._sessions.put(session)
        return SignedIn(token, session, account)

    async def resolve(self, token: str | None) -> tuple[Account, Session] | None:
        """The live session a token opens and its account, or None."""
        if not token:
            return None
        session = await self._sessions.get(hash_token(token))
        if session is None:
            return None
        if not session.live(self._clock()):
            await self._sessions.delete(session.token_hash)
            return None
        account = await self._accounts.get(session.username)
        if account is None or not account.active:
            return None
        return account, session

    async def sign_out(self, token: str | None) -> None:
        if token:
            await self._sessions.delete(hash_token(token))
