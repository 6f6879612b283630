"""Sends voter feedback through every channel of the running pipeline and follows it to the answer.

What it shows, in order: one item per channel accepted by intake (email in windows-1258, an
Asterisk call log with a missed call, Zalo OA, Messenger, a Page comment, the web form, Open311);
where the router sent each one and why; a routing preview of a pre-2025 address; then a body
resolving two items, and the answer reaching each citizen on the channel they wrote from: a reply
in their email thread, and a Zalo OA message (the local fake Zalo server records it); a council
session with one voters' meeting's real minutes committed (its page in the console); last, the
console's demo accounts and its address.
"""

import asyncio
import os
import sys
import time
from typing import Any

import demo_console
import demo_intake
import demo_notifier
import demo_router
import demo_sessions
import httpx

INTAKE = os.environ.get("HOIAM_DEMO_INTAKE_URL", "http://127.0.0.1:8001")
ROUTER = os.environ.get("HOIAM_DEMO_ROUTER_URL", "http://127.0.0.1:8002")
# The same local-only defaults as deploy/local/services.sh gives the services.
SECRET = os.environ.get("HOIAM_DEMO_SECRET", "local-demo-only")
ZALO_APP_ID = os.environ.get("HOIAM_DEMO_ZALO_APP_ID", "1234567890123456789")
AUTH = {"Authorization": f"Bearer {SECRET}"}

ANSWERS = {
    "email": "Ngày 02/12 xã đã cho nạo vét cống và nâng nền đoạn đường liên ấp Phú Thọ.",
    "zalo": "Ngày 03/12 đã thay cầu khỉ ấp Tân Thành bằng cầu sắt tạm, cấm xe trên 1 tấn.",
}


async def wait_routed(client: httpx.AsyncClient, item_id: str) -> dict[str, Any]:
    """The router's view of an item, once it has decided (60 s at most)."""
    deadline = time.monotonic() + 60
    while True:
        answer = await client.get(f"/v1/items/{item_id}", headers=AUTH)
        if answer.status_code == 200:
            view: dict[str, Any] = answer.json()
            return view
        if time.monotonic() > deadline:
            raise SystemExit(f"demo: item {item_id} not routed in 60 s; see .local/logs/router.log")
        await asyncio.sleep(0.3)


async def make_answerable(client: httpx.AsyncClient, view: dict[str, Any]) -> dict[str, Any]:
    """A triaged item needs an operator's decision before a body can answer it: take the
    router's best candidate, as an operator in the console would."""
    if view["status"] != "triage":
        return view
    routing = view["routing"]
    candidates = routing.get("candidates") or []
    body_id = candidates[0]["id"] if candidates else "86-ubnd-tinh"
    category = routing["category"]["code"]
    print(f"    (operator decides the triaged {view['tracking_code']}: {category} → {body_id})")
    answer = await client.post(
        f"/v1/triage/{view['item_id']}/decide",
        json={"category": category, "body_id": body_id, "actor": "demo"},
        headers=AUTH,
    )
    answer.raise_for_status()
    return await wait_routed(client, view["item_id"])


def show_route(channel: str, view: dict[str, Any]) -> None:
    routing = view["routing"]
    body = view["body"]
    where = f"→ {body['name']} (hạn {view['due_on']})" if body else "→ TRIAGE (chờ cán bộ)"
    location = routing.get("location") or {}
    place = ", ".join(
        part["name"] for part in (location.get("commune"), location.get("province")) if part
    )
    print(f"{view['tracking_code']}  {channel:<8} [{routing['category']['name']}] {where}")
    if place:
        print(
            f"    nơi: {place}"
            + (f" (trước 2025: {location['legacy']})" if location.get("legacy") else "")
        )
    print(f"    vì: {'; '.join(routing['reasons'][:4])}")


async def show_answer(channel: str, code: str, answer: str) -> None:
    """Wait until the answer reached the citizen, then print every message about the item and
    on which of them the answer itself travelled."""
    emails, requests = await demo_notifier.wait_for_answer(code, answer)
    print(demo_notifier.describe(code, emails, requests))
    ways = [f"email to {e['to']}" for e in emails if answer in e["text"]]
    ways += [r["provider"] for r in requests if answer in demo_notifier.text_of(r)]
    print(f"  → the {channel} citizen got the answer «{answer}» by {', '.join(ways)}")


async def main() -> int:
    sent = await demo_intake.send_every_channel(
        INTAKE,
        zalo_app_id=ZALO_APP_ID,
        zalo_secret=SECRET,
        facebook_app_secret=SECRET,
        operator_token=SECRET,
    )
    print(f"demo: intake accepted {len(sent)} submissions from every channel:")
    for entry in sent:
        what = entry.tracking_code if entry.kind == "item" else "call-back task for operators"
        print(f"    {entry.channel:<8} {what:<14} {entry.note}")

    # (channel, item id, tracking code) of every item; call-back tasks are not items.
    items = [
        (entry.channel, entry.id, entry.tracking_code)
        for entry in sent
        if entry.kind == "item" and entry.id and entry.tracking_code
    ]
    print(f"\ndemo: where the router sent the {len(items)} items, and why:\n")
    async with httpx.AsyncClient(base_url=ROUTER, timeout=15) as router:
        views = {}
        for channel, item_id, _ in items:
            views[item_id] = await wait_routed(router, item_id)
            show_route(channel, views[item_id])

        old = "ấp Phú Thọ, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"
        preview = await demo_router.preview(
            ROUTER, "Đường dây hạ thế võng sát mặt đường, mất điện liên tục.", old, token=SECRET
        )
        body = preview["body"]["name"] if preview["body"] else "TRIAGE"
        commune = preview["commune"]["name"] if preview["commune"] else "?"
        print(f"\ndemo: preview of a pre-2025 address «{old}»:")
        print(f"    → {preview['province']['name']}, {commune}; {preview['category']} → {body}")

        print("\ndemo: a body answers two items; each citizen gets it where they wrote from:\n")
        for channel, answer in ANSWERS.items():
            item_id, code = next((i, c) for ch, i, c in items if ch == channel)
            view = await make_answerable(router, views[item_id])
            await demo_router.resolve(ROUTER, view["item_id"], answer, SECRET)
            await show_answer(channel, code, answer)
            print()

    session_url, meeting = await demo_sessions.show_meeting(
        INTAKE, SECRET, console=demo_console.CONSOLE_URL
    )
    counts = meeting["counts"]
    print(
        f"demo: a voters' meeting's real minutes became {counts['petitions']} petitions and "
        f"{counts['opinions']} opinions (meeting channel); the session: {session_url}"
    )
    for item in meeting["items"][:3]:
        print(f"    {item['tracking_code']}  {item['kind']:<8} {item['text'][:70]}")
    print()

    accounts = await demo_console.make_demo_accounts(ROUTER, SECRET)
    print(f"demo: the console {demo_console.CONSOLE_URL} — password {demo_console.PASSWORD!r}:")
    for username, what in accounts:
        print(f"    {username:<13} {what}")
    print()
    print(
        "demo: running — console http://127.0.0.1:8004 · intake http://127.0.0.1:8001/docs · router http://127.0.0.1:8002/docs"
        " · notifier http://127.0.0.1:8003/metrics · fake Zalo/Meta/SMS"
        f" {demo_notifier.FAKE_URL}/_received · mail in {demo_notifier.MAIL_DIR}"
        " · Kafka 127.0.0.1:9092 · MongoDB (FerretDB) 127.0.0.1:27017 · stop with `make down`"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
