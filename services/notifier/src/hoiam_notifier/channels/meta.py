"""Meta Graph API: Messenger Send API messages (RESPONSE or HUMAN_AGENT tag) and comment replies."""

import logging
from typing import Any

import httpx

from hoiam_notifier.channels.errors import ErrorKind, Verdict, classify_meta
from hoiam_notifier.channels.port import Outgoing, SendError
from hoiam_notifier.channels.provider_http import (
    answer_of,
    json_of,
    post,
    retry_after,
    status_error,
)
from hoiam_notifier.domain.notifications import RatingInvite, Way
from hoiam_shared.clock import Clock

log = logging.getLogger(__name__)


class MetaSender:
    """A Page's messages and comment replies; a Graph error body is classified by its code."""

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        graph_base: str,
        page_id: str,
        page_token: str,
        clock: Clock,
    ) -> None:
        self._client = client
        self._base = graph_base.rstrip("/")
        self._page = page_id
        self._token = page_token
        self._clock = clock

    async def _rating_button(
        self, url: str, headers: dict[str, str], sent: dict[str, Any], rating: RatingInvite
    ) -> None:
        """After the answer, a button that opens the rating page. Quick replies cannot open a
        page and a button template holds 640 characters and three buttons, so it follows the
        text (which already carries the link) as a second message; best effort: the citizen
        has the answer and the link whatever becomes of it."""
        body = {k: v for k, v in sent.items() if k != "message"} | {
            "message": {
                "attachment": {
                    "type": "template",
                    "payload": {
                        "template_type": "button",
                        "text": rating.title,
                        "buttons": [
                            {"type": "web_url", "url": rating.page_url, "title": rating.title[:20]}
                        ],
                    },
                }
            }
        }
        try:
            response = await self._client.post(url, headers=headers, json=body)
        except httpx.HTTPError as error:
            log.warning("messenger rating button not sent", extra={"error": repr(error)})
            return
        if response.status_code != 200:
            log.warning("messenger rating button refused", extra={"answer": response.text[:300]})

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
        # The token goes in a header: a URL (and its query) is what proxies and access logs keep.
        headers = {"Authorization": f"Bearer {self._token}"}
        response = await post(self._client.post(url, headers=headers, json=body))
        data = json_of(response)
        if response.status_code == 200 and ("message_id" in data or "id" in data):
            if target.way is Way.MESSENGER and n.rating is not None:
                await self._rating_button(url, headers, body, n.rating)
            return str(data.get("message_id") or data.get("id"))
        problem = data.get("error") if isinstance(data.get("error"), dict) else None
        if problem is not None and response.status_code < 500:
            verdict = classify_meta(int(problem.get("code", 0)), problem.get("error_subcode"))
            raise SendError(
                verdict,
                answer=answer_of(response),
                retry_after=retry_after(response, now=self._clock()),
            )
        raise status_error(response, now=self._clock()) or SendError(
            Verdict(ErrorKind.FAIL, "unexpected answer"), answer=answer_of(response)
        )
