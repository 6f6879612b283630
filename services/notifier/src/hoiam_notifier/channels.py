"""Channel adapters behind one port: send one message, get the provider's id or a classified error.

Real adapters speak SMTP (aiosmtplib) and HTTP (httpx) to Zalo OA/ZNS, the Meta Graph API and an
SMS gateway; `InMemorySender` is the fake the unit tests and the contract suite use.
"""

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol

import aiosmtplib
import httpx

from hoiam_notifier.domain import (
    ErrorKind,
    Notification,
    Target,
    Verdict,
    Way,
    classify_http_status,
    classify_meta,
    classify_smtp,
    classify_zalo,
    message_id,
    parse_retry_after,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One notification on one target, under the delivery id that makes it idempotent."""

    notification: Notification
    target: Target
    delivery_id: str


class SendError(Exception):
    """The provider did not take the message; `verdict` says whether to retry, fall back or fail."""

    def __init__(
        self, verdict: Verdict, *, answer: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{verdict.kind.value}: {verdict.reason}")
        self.verdict = verdict
        self.answer = answer
        self.retry_after = retry_after


class Sender(Protocol):
    """Port: hand one message to a provider; returns its message id, or raises `SendError`."""

    async def send(self, outgoing: Outgoing) -> str: ...


# --- fake ---------------------------------------------------------------------------------------


@dataclass
class InMemorySender:
    """Records what it was given; `script[address]` lists errors to raise before accepting."""

    sent: list[Outgoing] = field(default_factory=list)
    script: dict[str, list[SendError]] = field(default_factory=dict)
    attempts: int = 0

    async def send(self, outgoing: Outgoing) -> str:
        self.attempts += 1
        queued = self.script.get(outgoing.target.address)
        if queued:
            raise queued.pop(0)
        self.sent.append(outgoing)
        return f"memory-{outgoing.target.way.value}-{len(self.sent)}"


# --- email --------------------------------------------------------------------------------------


def encoded_header(name: str, value: str) -> str:
    """`value` as RFC 2047 encoded-words folded at 76 columns, ready for `set_raw`.

    Python 3.12's own folding of a long non-ASCII header can leave a space between two
    encoded-words, where readers must drop it ("kiến nghị" arrives as "kiếnnghị");
    `email.header.Header` splits inside the encoded text, so every space survives. Lines stay
    under 78 columns, so the SMTP policy's generator does not fold them again.
    """
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=name).encode(maxlinelen=76)


def build_email(outgoing: Outgoing, *, sender: str, mail_domain: str) -> EmailMessage:
    """Plain text plus HTML; a citizen's answer threads under their own message."""
    notification, target = outgoing.notification, outgoing.target
    message = EmailMessage()
    message["From"] = sender
    message["To"] = target.address
    message.set_raw("Subject", encoded_header("Subject", notification.subject))
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id(outgoing.delivery_id, mail_domain)
    message["X-HoiAm-Tracking-Code"] = notification.tracking_code
    if notification.in_reply_to:
        message["In-Reply-To"] = notification.in_reply_to
        message["References"] = " ".join(notification.references or (notification.in_reply_to,))
    message.set_content(notification.text)
    message.add_alternative(notification.html, subtype="html")
    return message


class SmtpSender:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str | None,
        password: str | None,
        starttls: bool,
        timeout: float,
        mail_from: str,
        mail_domain: str,
    ) -> None:
        self._options: dict[str, Any] = {
            "hostname": host,
            "port": port,
            "username": username,
            "password": password,
            "start_tls": starttls,
            "timeout": timeout,
        }
        self._from = mail_from
        self._domain = mail_domain

    async def send(self, outgoing: Outgoing) -> str:
        message = build_email(outgoing, sender=self._from, mail_domain=self._domain)
        try:
            _, answer = await aiosmtplib.send(message, **self._options)
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [r.code for r in error.recipients]
            verdict = classify_smtp(max(codes) if codes else 550)
            raise SendError(verdict, answer=str(error)) from error
        except aiosmtplib.SMTPResponseException as error:
            raise SendError(
                classify_smtp(error.code), answer=f"{error.code} {error.message}"
            ) from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise SendError(
                Verdict(ErrorKind.RETRY, "mail server unreachable"), answer=str(error)
            ) from error
        return str(message["Message-ID"]).strip() or answer


# --- HTTP helpers -------------------------------------------------------------------------------


def _answer(response: httpx.Response) -> str:
    return f"HTTP {response.status_code} {response.text[:1000]}"


def _http_error(response: httpx.Response) -> SendError | None:
    kind = classify_http_status(response.status_code)
    if kind is None:
        return None
    retry_after = parse_retry_after(response.headers.get("Retry-After"), now=datetime.now(UTC))
    return SendError(
        Verdict(kind, f"HTTP {response.status_code}"),
        answer=_answer(response),
        retry_after=retry_after,
    )


async def _post(request: Awaitable[httpx.Response]) -> httpx.Response:
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


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# --- Zalo OA ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ZaloToken:
    access_token: str
    refresh_token: str
    expires_at: datetime


class TokenStore(Protocol):
    """Where the latest Zalo tokens live: a refresh token works once, so the new one must stay."""

    async def load(self) -> ZaloToken | None: ...

    async def save(self, token: ZaloToken) -> None: ...


class InMemoryTokenStore:
    def __init__(self) -> None:
        self.token: ZaloToken | None = None

    async def load(self) -> ZaloToken | None:
        return self.token

    async def save(self, token: ZaloToken) -> None:
        self.token = token


class ZaloTokens:
    """The OA access token: refreshed before it expires and when Zalo says it is invalid."""

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        oauth_base: str,
        app_id: str,
        secret_key: str,
        initial: ZaloToken,
        store: TokenStore,
    ) -> None:
        self._client = client
        self._url = f"{oauth_base.rstrip('/')}/v4/oa/access_token"
        self._app_id = app_id
        self._secret = secret_key
        self._token = initial
        self._store = store
        self._loaded = False
        self._lock = asyncio.Lock()

    async def current(self) -> str:
        async with self._lock:
            if not self._loaded:
                stored = await self._store.load()
                if stored is not None:
                    self._token = stored
                self._loaded = True
            if datetime.now(UTC) >= self._token.expires_at - timedelta(minutes=5):
                await self._refresh()
            return self._token.access_token

    async def refresh_after(self, rejected: str) -> None:
        """Zalo refused `rejected`; refresh once, unless a concurrent send already did."""
        async with self._lock:
            if self._token.access_token == rejected:
                await self._refresh()

    async def _refresh(self) -> None:
        response = await _post(
            self._client.post(
                self._url,
                headers={"secret_key": self._secret},
                data={
                    "app_id": self._app_id,
                    "refresh_token": self._token.refresh_token,
                    "grant_type": "refresh_token",
                },
            )
        )
        data = _json(response)
        if response.status_code != 200 or "access_token" not in data:
            # Without a token nothing goes out on Zalo; the send is retried later (outage).
            raise SendError(
                Verdict(ErrorKind.RETRY, "zalo token refresh failed"), answer=_answer(response)
            )
        self._token = ZaloToken(
            access_token=str(data["access_token"]),
            refresh_token=str(data.get("refresh_token") or self._token.refresh_token),
            expires_at=datetime.now(UTC) + timedelta(seconds=int(data.get("expires_in", 90000))),
        )
        await self._store.save(self._token)
        log.info("zalo access token refreshed")


def zns_phone(e164: str) -> str:
    """ZNS wants 84xxxxxxxxx: the E.164 number without its plus sign."""
    digits = e164.lstrip("+")
    return f"84{digits[1:]}" if digits.startswith("0") else digits


class ZaloSender:
    """Consultation messages (`/v3.0/oa/message/cs`) and ZNS template messages."""

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        api_base: str,
        zns_base: str,
        tokens: ZaloTokens,
        zns_template_id: str,
    ) -> None:
        self._client = client
        self._cs_url = f"{api_base.rstrip('/')}/v3.0/oa/message/cs"
        self._zns_url = f"{zns_base.rstrip('/')}/message/template"
        self._tokens = tokens
        self._template = zns_template_id

    def _payload(self, outgoing: Outgoing) -> tuple[str, dict[str, Any]]:
        n, target = outgoing.notification, outgoing.target
        if target.way is Way.ZALO_CS:
            return self._cs_url, {
                "recipient": {"user_id": target.address},
                "message": {"text": n.text[:2000]},
            }
        return self._zns_url, {
            "phone": zns_phone(target.address),
            "template_id": self._template,
            "template_data": n.template_data,
            "tracking_id": outgoing.delivery_id,
        }

    async def send(self, outgoing: Outgoing) -> str:
        url, payload = self._payload(outgoing)
        for _ in range(2):  # a second go only after a token refresh
            token = await self._tokens.current()
            response = await _post(
                self._client.post(url, json=payload, headers={"access_token": token})
            )
            error = _http_error(response)
            if error is not None:
                raise error
            data = _json(response)
            code = int(data.get("error", -1) or 0) if "error" in data else -1
            if code == 0:
                answer = data.get("data") or {}
                return str(answer.get("message_id") or answer.get("msg_id") or "")
            verdict = classify_zalo(code)
            if verdict.kind is ErrorKind.REFRESH:
                await self._tokens.refresh_after(token)
                continue
            raise SendError(verdict, answer=_answer(response))
        raise SendError(Verdict(ErrorKind.RETRY, "zalo token refused after refresh"))


# --- Meta (Messenger Send API, comment replies) -------------------------------------------------


class MetaSender:
    def __init__(
        self, *, client: httpx.AsyncClient, graph_base: str, page_id: str, page_token: str
    ) -> None:
        self._client = client
        self._base = graph_base.rstrip("/")
        self._page = page_id
        self._token = page_token

    async def send(self, outgoing: Outgoing) -> str:
        n, target = outgoing.notification, outgoing.target
        if target.way is Way.FB_COMMENT:
            url = f"{self._base}/{target.reply_to or target.address}/comments"
            # Public: the reply carries the status and the link, never the citizen's name.
            body: dict[str, Any] = {"message": n.short_text}
        else:
            url = f"{self._base}/{self._page}/messages"
            body = {
                "recipient": {"id": target.address},
                "messaging_type": "MESSAGE_TAG" if target.tag else "RESPONSE",
                "message": {"text": n.text[:2000]},
            }
            if target.tag:
                body["tag"] = target.tag
        response = await _post(
            self._client.post(url, params={"access_token": self._token}, json=body)
        )
        data = _json(response)
        if response.status_code == 200 and ("message_id" in data or "id" in data):
            return str(data.get("message_id") or data.get("id"))
        problem = data.get("error") if isinstance(data.get("error"), dict) else None
        if problem is not None and response.status_code < 500:
            verdict = classify_meta(int(problem.get("code", 0)), problem.get("error_subcode"))
            retry_after = parse_retry_after(
                response.headers.get("Retry-After"), now=datetime.now(UTC)
            )
            raise SendError(verdict, answer=_answer(response), retry_after=retry_after)
        raise _http_error(response) or SendError(
            Verdict(ErrorKind.FAIL, "unexpected answer"), answer=_answer(response)
        )


# --- SMS gateway --------------------------------------------------------------------------------


class SmsSender:
    """A generic HTTP gateway: `POST {url}` with a bearer token and
    `{"to": "+84…", "text": "…", "client_ref": "<delivery id>"}`; 2xx `{"id": "…"}` accepted,
    4xx refused (bad number), 429/5xx later (Retry-After honoured)."""

    def __init__(self, *, client: httpx.AsyncClient, url: str, token: str) -> None:
        self._client = client
        self._url = url
        self._token = token

    async def send(self, outgoing: Outgoing) -> str:
        body = {
            "to": outgoing.target.address,
            "text": outgoing.notification.short_text[:480],
            "client_ref": outgoing.delivery_id,
        }
        response = await _post(
            self._client.post(
                self._url, json=body, headers={"Authorization": f"Bearer {self._token}"}
            )
        )
        error = _http_error(response)
        if error is not None:
            raise error
        return str(_json(response).get("id", ""))
