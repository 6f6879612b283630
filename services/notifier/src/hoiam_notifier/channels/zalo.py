"""Zalo OA: consultation messages inside the 48 h window, ZNS template messages, token refresh."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx

from hoiam_notifier.channels.errors import ErrorKind, Verdict, classify_zalo
from hoiam_notifier.channels.port import Outgoing, SendError
from hoiam_notifier.channels.provider_http import answer_of, json_of, post, status_error
from hoiam_notifier.domain.notifications import Way
from hoiam_shared.clock import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ZaloToken:
    """An OA access token, the single-use refresh token that renews it, and its expiry."""

    access_token: str
    refresh_token: str
    expires_at: datetime


class TokenStore(Protocol):
    """Where the latest Zalo tokens live: a refresh token works once, so the new one must stay."""

    async def load(self) -> ZaloToken | None: ...

    async def save(self, token: ZaloToken) -> None: ...


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
        clock: Clock,
    ) -> None:
        self._client = client
        self._url = f"{oauth_base.rstrip('/')}/v4/oa/access_token"
        self._app_id = app_id
        self._secret = secret_key
        self._token = initial
        self._store = store
        self._clock = clock
        self._loaded = False
        self._lock = asyncio.Lock()

    async def current(self) -> str:
        async with self._lock:
            if not self._loaded:
                stored = await self._store.load()
                if stored is not None:
                    self._token = stored
                self._loaded = True
            if self._clock() >= self._token.expires_at - timedelta(minutes=5):
                await self._refresh()
            return self._token.access_token

    async def refresh_after(self, rejected: str) -> None:
        """Zalo refused `rejected`; refresh once, unless a concurrent send already did."""
        async with self._lock:
            if self._token.access_token == rejected:
                await self._refresh()

    async def _refresh(self) -> None:
        response = await post(
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
        data = json_of(response)
        if response.status_code != 200 or "access_token" not in data:
            # Without a token nothing goes out on Zalo; the send is retried later (outage).
            raise SendError(
                Verdict(ErrorKind.RETRY, "zalo token refresh failed"), answer=answer_of(response)
            )
        self._token = ZaloToken(
            access_token=str(data["access_token"]),
            refresh_token=str(data.get("refresh_token") or self._token.refresh_token),
            expires_at=self._clock() + timedelta(seconds=int(data.get("expires_in", 90000))),
        )
        await self._store.save(self._token)
        log.info("zalo access token refreshed")


ZALO_BUTTONS = 5
"""The buttons one consultation message may carry."""


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
        clock: Clock,
    ) -> None:
        self._client = client
        self._cs_url = f"{api_base.rstrip('/')}/v3.0/oa/message/cs"
        self._zns_url = f"{zns_base.rstrip('/')}/message/template"
        self._tokens = tokens
        self._template = zns_template_id
        self._clock = clock

    def _payload(self, outgoing: Outgoing) -> tuple[str, dict[str, Any]]:
        n, target = outgoing.notification, outgoing.target
        if target.way is Way.ZALO_CS:
            message: dict[str, Any] = {"text": n.text[:2000]}
            if n.rating is not None:
                # A consultation message may carry buttons under its text; `oa.open.url` opens
                # the rating page with that score chosen (the console checks it as on the page).
                message["attachment"] = {
                    "type": "template",
                    "payload": {
                        "buttons": [
                            {
                                "title": b.title[:100],
                                "type": "oa.open.url",
                                "payload": {"url": b.url},
                            }
                            for b in n.rating.buttons[:ZALO_BUTTONS]
                        ]
                    },
                }
            return self._cs_url, {"recipient": {"user_id": target.address}, "message": message}
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
            response = await post(
                self._client.post(url, json=payload, headers={"access_token": token})
            )
            error = status_error(response, now=self._clock())
            if error is not None:
                raise error
            data = json_of(response)
            code = int(data.get("error", -1) or 0) if "error" in data else -1
            if code == 0:
                answer = data.get("data") or {}
                return str(answer.get("message_id") or answer.get("msg_id") or "")
            verdict = classify_zalo(code)
            if verdict.kind is ErrorKind.REFRESH:
                await self._tokens.refresh_after(token)
                continue
            raise SendError(verdict, answer=answer_of(response))
        raise SendError(Verdict(ErrorKind.RETRY, "zalo token refused after refresh"))
