"""One realistic Vietnamese submission through every intake channel, with valid signatures.

`deploy/local/demo.py` calls `send_every_channel` and prints what was accepted; the intake e2e
tests call it too, so the demo cannot drift from what is tested.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import quopri
import time
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

_TONES = "\u0300\u0301\u0303\u0309\u0323"


@dataclass(frozen=True)
class Sent:
    """What a channel accepted: an item (id, tracking code) or a call-back task."""

    channel: str
    kind: str  # item | call_back
    id: str | None
    tracking_code: str | None
    note: str


def _ids(answer: httpx.Response) -> tuple[str, str]:
    """The item id and tracking code of an accepted submission (other fields are not needed)."""
    found = answer.json()
    return str(found["id"]), str(found["tracking_code"])


def _cp1258(text: str) -> bytes:
    """windows-1258 as Windows writes it: base letters with their shape, tones as combining."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out += (base + "".join(c for c in parts if c in _TONES)).encode("cp1258")
    return bytes(out)


def _email(run: str) -> bytes:
    body = (
        "Kính gửi Ủy ban MTTQ tỉnh,\r\n\r\nĐoạn đường liên ấp Phú Thọ, xã Phú Cần bị ngập sâu "
        "sau mưa, học sinh đi học rất khó khăn. Đề nghị các cơ quan xem xét nâng cấp.\r\n\r\n"
        "Trân trọng,\r\nNguyễn Văn An"
    )
    subject = base64.b64encode(_cp1258("Phản ánh đường ngập ở ấp Phú Thọ")).decode()
    name = base64.b64encode(_cp1258("Nguyễn Văn An")).decode()
    head = (
        f"From: =?windows-1258?B?{name}?= <an.nguyen.demo@example.vn>\r\n"
        "To: hopthu@mttq.example.vn\r\n"
        f"Subject: =?windows-1258?B?{subject}?=\r\n"
        f"Message-ID: <demo-{run}@mail.example.vn>\r\n"
        "Date: Fri, 27 Nov 2026 09:30:00 +0700\r\nMIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="windows-1258"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    )
    return head.encode() + quopri.encodestring(_cp1258(body))


def _call_log(run: str) -> str:
    return (
        f'"","0912345678","1900","from-trunk","""Lê Thị Hồng"" <0912345678>","SIP/trunk-1",'
        f'"SIP/101-2","Dial","SIP/101","2026-11-27 09:30:00","2026-11-27 09:30:04",'
        f'"2026-11-27 09:34:04",244,240,"ANSWERED","DOCUMENTATION","{run}.1",'
        f'"Mất điện ấp Long Hòa từ tối qua"\n'
        f'"","01683456789","1900","from-trunk","""Đặng Văn Hùng"" <01683456789>","SIP/trunk-3",'
        f'"","Queue","hotline","2026-11-27 10:00:00","","2026-11-27 10:01:00",60,0,"NO ANSWER",'
        f'"DOCUMENTATION","{run}.2",""\n'
    )


def zalo_signature(body: bytes, *, app_id: str, timestamp: str, secret: str) -> str:
    digest = hashlib.sha256(app_id.encode() + body + timestamp.encode() + secret.encode())
    return f"mac={digest.hexdigest()}"


def facebook_signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def _wait_item(
    client: httpx.AsyncClient, channel: str, source_ref: str, headers: dict[str, str]
) -> dict[str, Any]:
    """Webhooks answer before normalising; the item appears moments later."""
    deadline = time.monotonic() + 60
    while True:
        answer = await client.get(f"/v1/feedback/by-source/{channel}/{source_ref}", headers=headers)
        if answer.status_code == 200:
            item: dict[str, Any] = answer.json()
            return item
        if time.monotonic() > deadline:
            raise RuntimeError(f"{channel} {source_ref} not normalised: {answer.text}")
        await asyncio.sleep(0.3)


async def send_every_channel(
    intake_url: str,
    *,
    zalo_app_id: str,
    zalo_secret: str,
    facebook_app_secret: str,
    operator_token: str | None = None,
    zalo_oa_id: str = "579745863508352884",
    facebook_page_id: str = "106540352242922",
    sent_at: float | None = None,
) -> list[Sent]:
    """Send one item per channel; return what each accepted (webhook items once normalised).

    `sent_at` (epoch seconds) is when the providers sign their webhooks, the wall clock unless
    the intake reads another: intake refuses webhooks stamped far from its own time.
    """
    provider_now = time.time() if sent_at is None else sent_at
    run = uuid.uuid4().hex[:10]
    auth = {"authorization": f"Bearer {operator_token}"} if operator_token else {}
    sent: list[Sent] = []
    async with httpx.AsyncClient(base_url=intake_url, timeout=30) as client:

        async def post(path: str, **kwargs: Any) -> httpx.Response:
            answer = await client.post(path, **kwargs)
            if answer.status_code >= 300:
                raise RuntimeError(f"{path}: {answer.status_code} {answer.text}")
            return answer

        web = await post("/v1/intake/web", json={
            "name": "Phạm Thu Trang", "email": "trang.pham.demo@example.vn",
            "address": "Phường 1, TP Vĩnh Long",
            "text": "Bãi rác tạm gần chợ phường 1 bốc mùi hôi, nước thải chảy ra đường.",
            "consent": True,
        })  # fmt: skip
        sent.append(Sent("web", "item", *_ids(web), note="web form"))

        mail = await post(
            "/v1/intake/email", content=_email(run), headers={"content-type": "message/rfc822"}
        )
        sent.append(Sent("email", "item", *_ids(mail), note="windows-1258, quoted-printable"))

        log = await post(
            "/v1/intake/calls", params={"format": "asterisk-cdr"}, content=_call_log(run),
            headers={"content-type": "text/csv"} | auth,
        )  # fmt: skip
        for call in log.json()["calls"]:
            kind = call["kind"]
            sent.append(Sent("phone", kind, call["id"] if kind == "item" else None,
                             call["tracking_code"] if kind == "item" else None,
                             note=f"Asterisk CDR {call['call_id']}"))  # fmt: skip

        manual = await post("/v1/intake/calls/manual", headers=auth, json={
            "call_id": f"op-{run}", "caller": "0294 3855 123", "name": "Võ Văn Tài",
            "address": "ấp 3, xã Long Hữu", "text": "Nước máy yếu và đục mấy tuần nay.",
        })  # fmt: skip
        sent.append(Sent("phone", "item", *_ids(manual), note="keyed in by an operator"))

        timestamp = str(int(provider_now * 1000))
        zalo_event = {
            "app_id": zalo_app_id, "user_id_by_app": "552177279717587730",
            "event_name": "user_send_text", "timestamp": timestamp,
            "sender": {"id": f"84{run}"}, "recipient": {"id": zalo_oa_id},
            "message": {"text": "Cây cầu khỉ ở ấp Tân Thành đã mục, học sinh đi học nguy hiểm.",
                        "msg_id": f"zmsg-{run}"},
        }  # fmt: skip
        body = json.dumps(zalo_event, ensure_ascii=False).encode()
        signature = zalo_signature(
            body, app_id=zalo_app_id, timestamp=timestamp, secret=zalo_secret
        )
        await post("/webhooks/zalo", content=body, headers={
            "content-type": "application/json", "x-zevent-signature": signature})  # fmt: skip

        now = int(provider_now)
        light = "Đèn tín hiệu ngã tư chợ Long Hồ hỏng ba ngày nay."
        bill = "Đề nghị kiểm tra hóa đơn tiền điện tháng 11 tăng bất thường."
        messenger = {"object": "page", "entry": [{"id": facebook_page_id, "time": now * 1000,
            "messaging": [{"sender": {"id": f"69{run}"}, "recipient": {"id": facebook_page_id},
                           "timestamp": now * 1000, "message": {"mid": f"m_{run}",
                           "text": light}}]}]}  # fmt: skip
        comment = {"object": "page", "entry": [{"id": facebook_page_id, "time": now,
            "changes": [{"field": "feed", "value": {
                "from": {"id": f"42{run}", "name": "Trần Thị Bé"}, "item": "comment",
                "verb": "add", "comment_id": f"{facebook_page_id}_1_{run}",
                "post_id": f"{facebook_page_id}_1", "created_time": now,
                "message": bill}}]}]}  # fmt: skip
        for payload in (messenger, comment):
            raw = json.dumps(payload, ensure_ascii=False).encode()
            await post("/webhooks/facebook", content=raw, headers={
                "content-type": "application/json",
                "x-hub-signature-256": facebook_signature(raw, facebook_app_secret)})  # fmt: skip

        open311 = await post("/v1/open311/requests", data={
            "service_code": "giao-thong", "description": "Ổ gà lớn trên quốc lộ 53 đoạn qua "
            "xã Long Hồ, nhiều xe máy té ngã.", "address_string": "Quốc lộ 53, xã Long Hồ",
            "lat": "10.2", "long": "105.95", "first_name": "Hải", "last_name": "Lý",
            "phone": "0903123456",
        })  # fmt: skip
        [request] = open311.json()
        sent.append(Sent("open311", "item", request["id"], request["tracking_code"],
                         note="GeoReport v2 form POST"))  # fmt: skip

        for channel, ref, note in (
            ("zalo", f"zmsg-{run}", "Zalo OA user_send_text"),
            ("facebook", f"m_{run}", "Messenger message"),
            ("facebook", f"{facebook_page_id}_1_{run}", "Page feed comment"),
        ):
            item = await _wait_item(client, channel, ref, auth)
            sent.append(Sent(channel, "item", item["item_id"], item["tracking_code"], note=note))
    return sent
