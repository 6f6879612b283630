"""What the demo asks of the router: a routing preview, and an item taken through to resolved.

`deploy/local/demo.py` imports these; the router must run with `HOIAM_ROUTER_OPERATOR_TOKEN`
set to the same token the demo passes.
"""

import os
from typing import Any

import httpx

TIMEOUT_SECONDS = 10.0
RESOLVE_PATH = ("acknowledged", "in_progress", "resolved")


async def preview(
    router_url: str, text: str, address: str | None = None, *, token: str | None = None
) -> dict[str, Any]:
    """Where the router would send `text` from `address`, with its reasons; nothing is stored.

    The preview is an operator call too: the token defaults to `HOIAM_ROUTER_OPERATOR_TOKEN`.
    """
    token = token or os.environ.get("HOIAM_ROUTER_OPERATOR_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=router_url, timeout=TIMEOUT_SECONDS) as client:
        response = await client.post(
            "/v1/route/preview", json={"text": text, "address": address}, headers=headers
        )
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer


async def resolve(router_url: str, item_id: str, answer: str, token: str) -> dict[str, Any]:
    """Acknowledge → in progress → resolved with `answer`, as the body would; returns the last
    `StatusChanged` event (every petitioner of the case is told by the notifier)."""
    headers = {"Authorization": f"Bearer {token}"}
    event: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=router_url, timeout=TIMEOUT_SECONDS) as client:
        for status in RESOLVE_PATH:
            body: dict[str, Any] = {"status": status, "actor": "demo"}
            if status == "resolved":
                body["answer"] = answer
            response = await client.post(f"/v1/items/{item_id}/status", json=body, headers=headers)
            response.raise_for_status()
            event = response.json()
    return event
