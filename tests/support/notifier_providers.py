"""Local stand-ins for Zalo OA (CS messages, ZNS, token refresh), the Meta Graph API (Send API,
comment replies) and an SMS gateway, speaking their documented contracts; every request recorded.

The notifier is pointed at them with its ordinary base-URL settings:
  zalo_api_base   = {url}/zalo     → POST /zalo/v3.0/oa/message/cs   (header access_token)
  zns_api_base    = {url}/zns      → POST /zns/message/template      (header access_token)
  zalo_oauth_base = {url}/oauth    → POST /oauth/v4/oa/access_token  (header secret_key, form)
  graph_api_base  = {url}/graph/v21.0 → POST …/{page}/messages, …/{comment}/comments (Bearer header)
  sms_api_url     = {url}/sms/send → POST (Authorization: Bearer …)
Control: `POST /_script` queues answers for an address, `POST /_expire` invalidates the Zalo
access token, `GET /_received` lists requests (`?text=` filters by a substring such as a tracking
code), `DELETE /_received` forgets them. Run standalone: `python -m support.notifier_providers`.
"""

import argparse
import asyncio
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

APP_ID = "fake-app-id"
SECRET_KEY = "fake-secret-key"
ACCESS_TOKEN = "fake-zalo-access-0"
REFRESH_TOKEN = "fake-zalo-refresh-0"
PAGE_TOKEN = "fake-page-token"
SMS_TOKEN = "fake-sms-token"
ZNS_PHONE = re.compile(r"^84\d{9,10}$")
E164_VN = re.compile(r"^\+84\d{9,10}$")


@dataclass
class State:
    received: list[dict[str, Any]] = field(default_factory=list)
    scripts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    access_tokens: set[str] = field(default_factory=lambda: {ACCESS_TOKEN})
    refresh_token: str = REFRESH_TOKEN
    ids: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self.ids):06d}"

    def scripted(self, address: str) -> dict[str, Any] | None:
        with self.lock:
            queued = self.scripts.get(address)
            return queued.pop(0) if queued else None


def _zalo_error(code: int, message: str) -> JSONResponse:
    # Zalo answers HTTP 200 with a negative error code in the body.
    return JSONResponse({"error": code, "message": message})


def _meta_error(code: int, subcode: int | None, message: str, status: int = 400) -> JSONResponse:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AfakeTrace",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return JSONResponse({"error": error}, status_code=status)


def _bearer(request: Request, token: str) -> bool:
    return request.headers.get("authorization", "") == f"Bearer {token}"


def _scripted_answer(script: dict[str, Any], provider: str) -> Response:
    """A queued answer: {"status": 503}, {"status": 429, "retry_after": 1}, {"zalo_error": -230},
    {"meta_error": [10, 2018278]} or {"sms_error": "invalid_number"}."""
    if "zalo_error" in script:
        return _zalo_error(int(script["zalo_error"]), str(script.get("message", "scripted error")))
    if "meta_error" in script:
        code, subcode = script["meta_error"]
        return _meta_error(int(code), subcode, str(script.get("message", "scripted error")))
    if "sms_error" in script:
        return JSONResponse({"error": {"code": script["sms_error"]}}, status_code=400)
    headers = {"Retry-After": str(script["retry_after"])} if "retry_after" in script else {}
    return JSONResponse(
        {"error": f"scripted {script.get('status', 500)} from {provider}"},
        status_code=int(script.get("status", 500)),
        headers=headers,
    )


ZALO_BUTTON_TYPES = {"oa.open.url", "oa.query.show", "oa.query.hide", "oa.open.sms",
                     "oa.open.phone"}  # fmt: skip


def _zalo_buttons_ok(attachment: Any) -> bool:
    """A consultation message's buttons as Zalo OA takes them: a template of at most five,
    each titled (100 characters at most) and of a known type; `oa.open.url` opens a URL."""
    if attachment is None:
        return True
    if not isinstance(attachment, dict) or attachment.get("type") != "template":
        return False
    buttons = (attachment.get("payload") or {}).get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 5:
        return False
    for button in buttons:
        title, kind, payload = button.get("title"), button.get("type"), button.get("payload")
        if not title or len(str(title)) > 100 or kind not in ZALO_BUTTON_TYPES:
            return False
        if kind == "oa.open.url" and not str((payload or {}).get("url", "")).startswith("http"):
            return False
    return True


def _messenger_message_ok(message: Any) -> bool:
    """Send API: a text of at most 2000 characters, or a button template (its text at most 640
    characters, one to three buttons, a web_url one with a URL and a title of at most 20)."""
    if not isinstance(message, dict):
        return False
    if "attachment" not in message:
        return 0 < len(str(message.get("text") or "")) <= 2000
    payload = (message["attachment"] or {}).get("payload") or {}
    if message["attachment"].get("type") != "template" or payload.get("template_type") != "button":
        return False
    buttons = payload.get("buttons")
    if not 0 < len(str(payload.get("text") or "")) <= 640 or not isinstance(buttons, list):
        return False
    return 1 <= len(buttons) <= 3 and all(
        b.get("type") != "web_url"
        or (str(b.get("url", "")).startswith("http") and 0 < len(str(b.get("title", ""))) <= 20)
        for b in buttons
    )


def make_app(state: State | None = None) -> Starlette:
    state = state or State()

    async def record(request: Request, provider: str, body: Any, response: Response) -> Response:
        answer: Any
        try:
            answer = json.loads(bytes(response.body))
        except ValueError:
            answer = None
        with state.lock:
            state.received.append(
                {
                    "provider": provider,
                    "method": request.method,
                    "path": request.url.path,
                    "query": dict(request.query_params),
                    "headers": {
                        k: v
                        for k, v in request.headers.items()
                        if k in ("access_token", "secret_key", "authorization", "content-type")
                    },
                    "body": body,
                    "status": response.status_code,
                    "answer": answer,
                    "accepted": response.status_code < 300
                    and not (isinstance(answer, dict) and answer.get("error")),
                    "at": datetime.now(UTC).isoformat(),
                }
            )
        return response

    async def body_of(request: Request) -> Any:
        try:
            return await request.json()
        except ValueError:
            return None

    def zalo_token_ok(request: Request) -> bool:
        return request.headers.get("access_token", "") in state.access_tokens

    async def zalo_cs(request: Request) -> Response:
        body = await body_of(request)
        if not zalo_token_ok(request):
            return await record(
                request, "zalo_cs", body, _zalo_error(-216, "Access token is invalid")
            )
        user = (body or {}).get("recipient", {}).get("user_id") if isinstance(body, dict) else None
        text = (body or {}).get("message", {}).get("text") if isinstance(body, dict) else None
        if not user or not text or not _zalo_buttons_ok(body["message"].get("attachment")):
            return await record(request, "zalo_cs", body, _zalo_error(-201, "Parameters invalid"))
        script = state.scripted(str(user))
        if script is not None:
            return await record(request, "zalo_cs", body, _scripted_answer(script, "zalo"))
        answer = {
            "data": {"message_id": state.next_id("zmid"), "user_id": user},
            "error": 0,
            "message": "Success",
        }
        return await record(request, "zalo_cs", body, JSONResponse(answer))

    async def zns(request: Request) -> Response:
        body = await body_of(request)
        if not zalo_token_ok(request):
            return await record(request, "zns", body, _zalo_error(-124, "Access token invalid"))
        if not isinstance(body, dict) or not body.get("template_id"):
            return await record(request, "zns", body, _zalo_error(-109, "Template ID invalid"))
        phone = str(body.get("phone", ""))
        if not ZNS_PHONE.match(phone):
            return await record(request, "zns", body, _zalo_error(-108, "Phone number invalid"))
        script = state.scripted(phone)
        if script is not None:
            return await record(request, "zns", body, _scripted_answer(script, "zns"))
        answer = {
            "error": 0,
            "message": "Success",
            "data": {
                "msg_id": state.next_id("zns"),
                "sent_time": str(int(time.time() * 1000)),
                "quota": {"dailyQuota": "500", "remainingQuota": "499"},
            },
        }
        return await record(request, "zns", body, JSONResponse(answer))

    async def oauth(request: Request) -> Response:
        # application/x-www-form-urlencoded, as Zalo's OAuth endpoint expects.
        body = dict(parse_qsl((await request.body()).decode()))
        if request.headers.get("secret_key") != SECRET_KEY or body.get("app_id") != APP_ID:
            answer = {"error": -14002, "error_name": "Invalid app", "error_reason": "app/secret"}
            return await record(request, "zalo_oauth", body, JSONResponse(answer))
        if (
            body.get("grant_type") != "refresh_token"
            or body.get("refresh_token") != state.refresh_token
        ):
            answer = {"error": -14014, "error_name": "Invalid refresh token"}
            return await record(request, "zalo_oauth", body, JSONResponse(answer))
        with state.lock:
            access, state.refresh_token = (
                state.next_id("fake-zalo-access-"),
                state.next_id("fake-zalo-refresh-"),
            )
            state.access_tokens = {access}  # the old one stops working, as after an expiry
        answer = {
            "access_token": access,
            "refresh_token": state.refresh_token,
            "expires_in": "90000",
        }
        return await record(request, "zalo_oauth", body, JSONResponse(answer))

    async def messages(request: Request) -> Response:
        body = await body_of(request)
        # The page token travels in a header, never in the (logged) URL.
        if not _bearer(request, PAGE_TOKEN):
            return await record(
                request, "messenger", body, _meta_error(190, None, "Invalid OAuth access token.")
            )
        if not isinstance(body, dict) or not body.get("recipient", {}).get("id"):
            return await record(
                request,
                "messenger",
                body,
                _meta_error(100, None, "(#100) param recipient must be non-empty."),
            )
        kind = body.get("messaging_type")
        if kind not in ("RESPONSE", "UPDATE", "MESSAGE_TAG") or (
            kind == "MESSAGE_TAG" and body.get("tag") != "HUMAN_AGENT"
        ):
            return await record(
                request, "messenger", body, _meta_error(100, None, "(#100) invalid messaging_type")
            )
        if not _messenger_message_ok(body.get("message")):
            return await record(
                request, "messenger", body, _meta_error(100, None, "(#100) Invalid message")
            )
        psid = str(body["recipient"]["id"])
        script = state.scripted(psid)
        if script is not None:
            return await record(request, "messenger", body, _scripted_answer(script, "meta"))
        answer = {"recipient_id": psid, "message_id": state.next_id("m_fake")}
        return await record(request, "messenger", body, JSONResponse(answer))

    async def comments(request: Request) -> Response:
        body = await body_of(request)
        # The page token travels in a header, never in the (logged) URL.
        if not _bearer(request, PAGE_TOKEN):
            return await record(
                request, "fb_comment", body, _meta_error(190, None, "Invalid OAuth access token.")
            )
        comment = request.path_params["object_id"]
        if not isinstance(body, dict) or not body.get("message"):
            return await record(
                request, "fb_comment", body, _meta_error(100, None, "(#100) message")
            )
        script = state.scripted(comment)
        if script is not None:
            return await record(request, "fb_comment", body, _scripted_answer(script, "meta"))
        answer = {"id": f"{comment}_{state.next_id('reply')}"}
        return await record(request, "fb_comment", body, JSONResponse(answer))

    async def sms(request: Request) -> Response:
        body = await body_of(request)
        if request.headers.get("authorization") != f"Bearer {SMS_TOKEN}":
            return await record(
                request,
                "sms",
                body,
                JSONResponse({"error": {"code": "unauthorized"}}, status_code=401),
            )
        to = str((body or {}).get("to", "")) if isinstance(body, dict) else ""
        if not E164_VN.match(to):
            return await record(
                request,
                "sms",
                body,
                JSONResponse({"error": {"code": "invalid_number"}}, status_code=400),
            )
        script = state.scripted(to)
        if script is not None:
            return await record(request, "sms", body, _scripted_answer(script, "sms"))
        answer = {"id": state.next_id("sms"), "status": "queued"}
        return await record(request, "sms", body, JSONResponse(answer, status_code=202))

    async def script(request: Request) -> Response:
        body = await request.json()
        with state.lock:
            state.scripts.setdefault(str(body["address"]), []).extend(body["responses"])
        return JSONResponse({"ok": True})

    async def expire(_: Request) -> Response:
        with state.lock:
            state.access_tokens = set()
        return JSONResponse({"ok": True})

    async def received(request: Request) -> Response:
        if request.method == "DELETE":
            with state.lock:
                state.received.clear()
            return JSONResponse({"ok": True})
        text = request.query_params.get("text")
        with state.lock:
            found = list(state.received)
        if text:
            found = [r for r in found if text in json.dumps(r["body"], ensure_ascii=False)]
        return JSONResponse(found)

    return Starlette(
        routes=[
            Route("/zalo/v3.0/oa/message/cs", zalo_cs, methods=["POST"]),
            Route("/zns/message/template", zns, methods=["POST"]),
            Route("/oauth/v4/oa/access_token", oauth, methods=["POST"]),
            Route("/graph/v21.0/{page_id}/messages", messages, methods=["POST"]),
            Route("/graph/v21.0/{object_id}/comments", comments, methods=["POST"]),
            Route("/sms/send", sms, methods=["POST"]),
            Route("/_script", script, methods=["POST"]),
            Route("/_expire", expire, methods=["POST"]),
            Route("/_received", received, methods=["GET", "DELETE"]),
        ]
    )


def notifier_env(url: str, *, zns_template: str = "fake-template-1") -> dict[str, str]:
    """The notifier's settings that point every provider at the fake server at `url`."""
    p = "HOIAM_NOTIFIER_"
    return {
        f"{p}ZALO_API_BASE": f"{url}/zalo",
        f"{p}ZNS_API_BASE": f"{url}/zns",
        f"{p}ZALO_OAUTH_BASE": f"{url}/oauth",
        f"{p}ZALO_APP_ID": APP_ID,
        f"{p}ZALO_SECRET_KEY": SECRET_KEY,
        f"{p}ZALO_ACCESS_TOKEN": ACCESS_TOKEN,
        f"{p}ZALO_REFRESH_TOKEN": REFRESH_TOKEN,
        f"{p}ZALO_ACCESS_TOKEN_EXPIRES_AT": "2099-01-01T00:00:00+00:00",
        f"{p}ZALO_ZNS_TEMPLATE_ID": zns_template,
        f"{p}GRAPH_API_BASE": f"{url}/graph/v21.0",
        f"{p}FACEBOOK_PAGE_ID": "me",
        f"{p}FACEBOOK_PAGE_TOKEN": PAGE_TOKEN,
        f"{p}SMS_API_URL": f"{url}/sms/send",
        f"{p}SMS_API_TOKEN": SMS_TOKEN,
    }


class FakeProviders:
    """The fake server in a background thread, for tests: `with FakeProviders(port) as fake:`."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.state = State()
        config = uvicorn.Config(
            make_app(self.state), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> "FakeProviders":
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake provider server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def script(self, address: str, *responses: dict[str, Any]) -> None:
        with self.state.lock:
            self.state.scripts.setdefault(address, []).extend(responses)

    def expire_zalo_token(self) -> None:
        with self.state.lock:
            self.state.access_tokens = set()

    def received(
        self, provider: str | None = None, *, accepted: bool | None = None
    ) -> list[dict[str, Any]]:
        with self.state.lock:
            found = list(self.state.received)
        return [
            r
            for r in found
            if (provider is None or r["provider"] == provider)
            and (accepted is None or r["accepted"] is accepted)
        ]

    async def wait_for(
        self, provider: str, count: int, *, within: float = 60, accepted: bool = True
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = self.received(provider, accepted=accepted)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.1)
        raise AssertionError(
            f"{count} {provider} request(s) expected within {within}s, got "
            f"{self.received(provider)}"
        )


async def fetch_received(url: str, text: str | None = None) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get(f"{url}/_received", params={"text": text} if text else None)
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()
        return found


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Zalo OA / ZNS / Meta Graph / SMS providers")
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args()
    print(f"fake providers on http://127.0.0.1:{args.port}", flush=True)
    uvicorn.run(make_app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
