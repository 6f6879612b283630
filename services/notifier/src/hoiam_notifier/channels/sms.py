"""SMS through a generic HTTP gateway (JSON POST with a bearer token)."""

import httpx

from hoiam_notifier.channels.port import Outgoing
from hoiam_notifier.channels.provider_http import json_of, post, status_error
from hoiam_shared.clock import Clock


class SmsSender:
    """A generic HTTP gateway: `POST {url}` with a bearer token and
    `{"to": "+84…", "text": "…", "client_ref": "<delivery id>"}`; 2xx `{"id": "…"}` accepted,
    4xx refused (bad number), 429/5xx later (Retry-After honoured)."""

    def __init__(self, *, client: httpx.AsyncClient, url: str, token: str, clock: Clock) -> None:
        self._client = client
        self._url = url
        self._token = token
        self._clock = clock

    async def send(self, outgoing: Outgoing) -> str:
        body = {
            "to": outgoing.target.address,
            "text": outgoing.notification.short_text[:480],
            "client_ref": outgoing.delivery_id,
        }
        response = await post(
            self._client.post(
                self._url, json=body, headers={"Authorization": f"Bearer {self._token}"}
            )
        )
        error = status_error(response, now=self._clock())
        if error is not None:
            raise error
        return str(json_of(response).get("id", ""))
