"""Demo helpers: what the citizen received, by email (mail catcher) and by Zalo/Messenger/SMS (the
fake providers), for a tracking code; `deploy/local/demo.py` calls these."""

import asyncio
import os
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

import httpx

FAKE_URL = os.environ.get(
    "HOIAM_DEMO_FAKE_PROVIDERS_URL",
    f"http://127.0.0.1:{os.environ.get('HOIAM_FAKE_PROVIDERS_PORT', '8790')}",
)
STATE = Path(os.environ.get("HOIAM_STATE_DIR", Path(__file__).resolve().parents[2] / ".local"))
MAIL_DIR = STATE / "mail"


async def received_by_providers(
    fake_url: str = FAKE_URL, tracking_code: str | None = None
) -> list[dict[str, Any]]:
    """Every request the fake Zalo/ZNS/Messenger/comment/SMS server accepted, oldest first;
    with `tracking_code`, only those whose body mentions it. Each entry has `provider`
    (zalo_cs, zns, messenger, fb_comment, sms, zalo_oauth), `path`, `headers`, `body`, `answer`."""
    async with httpx.AsyncClient(timeout=5) as client:
        params = {"text": tracking_code} if tracking_code else None
        response = await client.get(f"{fake_url}/_received", params=params)
        response.raise_for_status()
        found = cast(list[dict[str, Any]], response.json())
    return [r for r in found if r.get("accepted")]


def emails_about(tracking_code: str, mail_dir: Path = MAIL_DIR) -> list[dict[str, str]]:
    """The mail catcher's .eml files about `tracking_code`, oldest first, as plain fields."""
    found = []
    for path in sorted(mail_dir.glob(f"*-{tracking_code}-*.eml")):
        message = cast(EmailMessage, message_from_bytes(path.read_bytes(), policy=policy.default))
        plain = message.get_body(("plain",))
        found.append(
            {
                "file": str(path),
                "to": str(message["To"]),
                "subject": str(message["Subject"]),
                "message_id": str(message["Message-ID"] or "").strip(),
                "in_reply_to": str(message["In-Reply-To"] or "").strip(),
                "text": plain.get_content() if plain is not None else "",
            }
        )
    return found


def text_of(request: dict[str, Any]) -> str:
    """The words the person sees in a provider request (CS/Messenger text, comment, SMS, ZNS)."""
    body = request.get("body") or {}
    if request["provider"] in ("zalo_cs", "messenger"):
        return str(body.get("message", {}).get("text", ""))
    if request["provider"] == "fb_comment":
        return str(body.get("message", ""))
    if request["provider"] == "sms":
        return str(body.get("text", ""))
    if request["provider"] == "zns":
        return f"[ZNS {body.get('template_id')}] {body.get('template_data')}"
    return ""


async def wait_for_answer(
    tracking_code: str,
    needle: str,
    *,
    fake_url: str = FAKE_URL,
    mail_dir: Path = MAIL_DIR,
    within: float = 60,
) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """Until an email or a provider request about `tracking_code` contains `needle` (e.g. a
    phrase of the answer); returns (emails, provider requests) about the code."""
    deadline = time.monotonic() + within
    while True:
        emails = emails_about(tracking_code, mail_dir)
        requests = await received_by_providers(fake_url, tracking_code)
        if any(needle in e["text"] for e in emails) or any(needle in text_of(r) for r in requests):
            return emails, requests
        if time.monotonic() > deadline:
            raise SystemExit(
                f"demo: the answer for {tracking_code} did not reach the citizen in {within:.0f}s;"
                " see .local/logs/notifier.log"
            )
        await asyncio.sleep(0.5)


def describe(
    tracking_code: str, emails: list[dict[str, str]], requests: list[dict[str, Any]]
) -> str:
    """A few lines for the demo's output: every message the citizen got about the code."""
    lines = [f"{tracking_code}: what the citizen received"]
    for email in emails:
        thread = f" (in reply to {email['in_reply_to']})" if email["in_reply_to"] else ""
        lines.append(f"  email → {email['to']}: {email['subject']}{thread}")
        lines.append(f"          {email['file']}")
    for request in requests:
        to = (
            (request.get("body") or {}).get("recipient")
            or (request.get("body") or {}).get("phone")
            or (request.get("body") or {}).get("to")
            or request["path"]
        )
        first = text_of(request).strip().splitlines()
        lines.append(f"  {request['provider']} → {to}: {' / '.join(first[:3])[:160]}")
    return "\n".join(lines)


async def show_answer(
    tracking_code: str, needle: str, *, fake_url: str = FAKE_URL, mail_dir: Path = MAIL_DIR
) -> None:
    """Wait for the answer to reach the citizen, then print what reached them and where."""
    emails, requests = await wait_for_answer(
        tracking_code, needle, fake_url=fake_url, mail_dir=mail_dir
    )
    print(describe(tracking_code, emails, requests))


if __name__ == "__main__":
    import sys

    code = sys.argv[1] if len(sys.argv) > 1 else None
    for entry in asyncio.run(received_by_providers(FAKE_URL, code)):
        print(entry["provider"], entry["path"], text_of(entry)[:120])
