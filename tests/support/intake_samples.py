"""Provider-format payloads for intake tests: emails, call logs, Zalo and Facebook webhooks.

Shapes follow the providers' documents: RFC 5322/MIME, Asterisk cdr_csv and queue_log, Zalo OA
webhook events (user_send_text, follow...), Meta Page webhooks (messaging, feed changes).
"""

import base64
import hashlib
import hmac
import json
import quopri
import unicodedata
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

from hoiam_intake.domain.items import accept_raw
from hoiam_intake.domain.keys import item_id_for, tracking_code_for
from hoiam_shared.events import Channel, RawFeedbackAccepted

TONES = "\u0300\u0301\u0303\u0309\u0323"

# The same Vietnamese sentence, as old systems stored it.
SENTENCE = "Đề nghị sửa chữa đường liên ấp, nước ngập sâu ảnh hưởng việc đi lại của người dân"


def to_cp1258(text: str) -> bytes:
    """windows-1258 as Windows writes it: precomposed shapes (â, ơ...) plus a combining tone."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
        tone = "".join(c for c in decomposed if c in TONES)
        out += (base + tone).encode("cp1258")
    return bytes(out)


_TCVN3_FROM = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
_TCVN3_TO = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ¡¢§£¤¥¦"


def to_tcvn3(text: str) -> bytes:
    """Text as a .VnTime document stores it (lower-case toned letters; capitals by case-fold)."""
    return text.translate(str.maketrans(_TCVN3_FROM, _TCVN3_TO)).encode("cp1252")


# VNI Windows as typed on a VNI keyboard: "Vieät Nam".
VNI_SENTENCE = (
    "ÑEÀ nghò söûa chöõa ñöôøng lieân aáp, nöôùc ngaäp saâu aûnh höôûng vieäc ñi laïi "
    "cuûa ngöôøi daân"
)
VNI_EXPECTED = "ĐỀ nghị sửa chữa đường liên ấp, nước ngập sâu ảnh hưởng việc đi lại của người dân"


def email(
    *,
    body: bytes,
    charset: str = "utf-8",
    encoding: str = "quoted-printable",
    subject: str = "=?utf-8?B?" + base64.b64encode("Phản ánh ngập nước".encode()).decode() + "?=",
    message_id: str = "<20261127.0930.abc@mail.example.vn>",
    sender: str = "=?utf-8?Q?Nguy=E1=BB=85n_V=C4=83n_An?= <an.nguyen@Example.VN>",
    extra: str = "",
    content_type: str = "text/plain",
) -> bytes:
    encoded = (
        quopri.encodestring(body) if encoding == "quoted-printable" else (base64.encodebytes(body))
    )
    head = (
        f"From: {sender}\r\nTo: hopthu@mttq-vinhlong.example.vn\r\nSubject: {subject}\r\n"
        f"Date: Fri, 27 Nov 2026 09:30:00 +0700\r\nMessage-ID: {message_id}\r\n{extra}"
        f'MIME-Version: 1.0\r\nContent-Type: {content_type}; charset="{charset}"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    )
    return head.encode() + encoded.replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")


def alternative_email(message_id: str = "<alt-1@mail.example.vn>") -> bytes:
    plain = quopri.encodestring("Cống thoát nước bị tắc ở tổ 5.".encode()).decode()
    html = base64.b64encode("<p>Cống <b>thoát nước</b> bị tắc</p>".encode()).decode()
    return (
        "From: Bình <binh@example.vn>\r\nTo: hopthu@mttq-vinhlong.example.vn\r\n"
        f"Subject: Cong thoat nuoc\r\nMessage-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="MIX"\r\n\r\n'
        '--MIX\r\nContent-Type: multipart/alternative; boundary="ALT"\r\n\r\n'
        '--ALT\r\nContent-Type: text/plain; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: quoted-printable\r\n\r\n{plain}\r\n"
        '--ALT\r\nContent-Type: text/html; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{html}\r\n--ALT--\r\n"
        '--MIX\r\nContent-Type: image/jpeg; name="cong.jpg"\r\n'
        'Content-Disposition: attachment; filename="cong.jpg"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{base64.b64encode(b'\xff\xd8\xff' + b'0' * 97).decode()}\r\n--MIX--\r\n"
    ).encode()


def html_only_email() -> bytes:
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>Đèn đường hỏng</p>"
        "<div>ở ấp&nbsp;Phú Thọ</div><script>alert(1)</script></body></html>"
    )
    return email(body=html.encode(), content_type="text/html", message_id="<html-1@example.vn>")


def bounce() -> bytes:
    return (
        b"From: Mail Delivery System <MAILER-DAEMON@mail.example.vn>\r\n"
        b"To: hopthu@mttq-vinhlong.example.vn\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <bounce-1@mail.example.vn>\r\nAuto-Submitted: auto-replied\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nThe mail system: user unknown.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mail.example.vn\r\n\r\nFinal-Recipient: rfc822; x@y.vn\r\n"
        b"Action: failed\r\nStatus: 5.1.1\r\n--B--\r\n"
    )


def auto_reply() -> bytes:
    return email(
        body="Tôi đang nghỉ phép đến 30/11.".encode(),
        message_id="<ooo-1@example.vn>",
        extra="Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n",
    )


CDR_LINES = (
    '"","0912345678","1900","from-trunk","""Nguyễn Văn An"" <0912345678>","SIP/trunk-0001",'
    '"SIP/101-0002","Dial","SIP/101","2026-11-27 09:30:00","2026-11-27 09:30:05",'
    '"2026-11-27 09:34:05",245,240,"ANSWERED","DOCUMENTATION","1732674600.1","Đường hỏng"\n'
    '"","01683456789","1900","from-trunk","""Lê Thị Hồng"" <01683456789>","SIP/trunk-0003",'
    '"","Queue","hotline","2026-11-27 10:00:00","","2026-11-27 10:01:00",60,0,"NO ANSWER",'
    '"DOCUMENTATION","1732676400.2",""\n'
    '"","0912345678","1900","from-trunk","x","SIP/trunk-0004","","Dial","","yesterday","",'
    '"",0,0,"BUSY","DOCUMENTATION","1732676500.3",""\n'
    "too,few,columns\n"
)

QUEUE_LOG = (
    "1732674600|1732674600.11|hotline|NONE|ENTERQUEUE||0912000111|1\n"
    "1732674605|1732674600.11|hotline|SIP/101|CONNECT|5|1732674601.12|3\n"
    "1732674840|1732674600.11|hotline|SIP/101|COMPLETECALLER|5|235|1\n"
    "1732676400|1732676400.21|hotline|NONE|ENTERQUEUE||0987654321|1\n"
    "1732676460|1732676400.21|hotline|NONE|ABANDON|1|1|60\n"
    "1732676500|1732676500.31|hotline|NONE|ENTERQUEUE||0977000222|1\n"
    "1732676800|1732676500.31|hotline|NONE|EXITWITHTIMEOUT|1|1|300\n"
    "1732676900|NONE|hotline|SIP/101|AGENTLOGIN|-\n"
    "garbage line\n"
)


ZALO_APP = "3482178216594085616"
ZALO_OA = "579745863508352884"


def zalo_text(
    *, text: str = "Xin chào, đường ấp 3 ngập nước", msg_id: str = "zmsg-1",
    app_id: str = ZALO_APP, user: str = "2512523625412515", oa: str = ZALO_OA,
) -> dict[str, Any]:  # fmt: skip
    return {
        "app_id": app_id,
        "user_id_by_app": "552177279717587730",
        "event_name": "user_send_text",
        "timestamp": "1732674600000",
        "sender": {"id": user},
        "recipient": {"id": oa},
        "message": {"text": text, "msg_id": msg_id},
    }


def zalo_image(app_id: str = "3482178216594085616") -> dict[str, Any]:
    return {
        "app_id": app_id,
        "event_name": "user_send_image",
        "timestamp": "1732674700000",
        "sender": {"id": "2512523625412515"},
        "recipient": {"id": "579745863508352884"},
        "message": {
            "msg_id": "zmsg-img-1",
            "text": "Ảnh ổ gà trước nhà",
            "attachments": [{"type": "image", "payload": {
                "thumbnail": "https://photo.zalo.example/t.jpg",
                "url": "https://photo.zalo.example/o.jpg"}}],
        },
    }  # fmt: skip


def zalo_follow(event: str = "follow", app_id: str = "3482178216594085616") -> dict[str, Any]:
    return {
        "oa_id": "579745863508352884",
        "follower": {"id": "2512523625412515"},
        "user_id_by_app": "552177279717587730",
        "event_name": event,
        "source": "oa_profile",
        "app_id": app_id,
        "timestamp": "1732674500000",
    }


def sent_at(event: dict[str, Any], moment: datetime) -> dict[str, Any]:
    """`event` (a Zalo event or a Meta webhook) as the provider would send it at `moment`: the
    providers' own timestamps, which intake holds against its clock (milliseconds for Zalo and
    Messenger entries, seconds for feed entries, as each sample has them)."""
    event = json.loads(json.dumps(event))
    ms = int(moment.timestamp() * 1000)
    if "timestamp" in event:
        event["timestamp"] = str(ms)
    for entry in event.get("entry") or []:
        entry["time"] = ms if int(entry.get("time", ms)) > 10**11 else ms // 1000
    return event


def zalo_signed(event: dict[str, Any], *, secret: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(event, ensure_ascii=False).encode()
    mac = hashlib.sha256(
        event["app_id"].encode() + body + event["timestamp"].encode() + secret.encode()
    ).hexdigest()
    return body, {"content-type": "application/json", "x-zevent-signature": f"mac={mac}"}


def facebook_message(
    *, mid: str = "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP",
    text: str = "Chào trang, cầu Mỹ Thuận 2 kẹt xe nghiêm trọng", echo: bool = False,
) -> dict[str, Any]:  # fmt: skip
    message: dict[str, Any] = {"mid": mid, "text": text}
    if echo:
        message["is_echo"] = True
        message["app_id"] = 1517776481860111
    return {
        "object": "page",
        "entry": [{
            "id": "106540352242922", "time": 1732674600123,
            "messaging": [{
                "sender": {"id": "6783461945034225"}, "recipient": {"id": "106540352242922"},
                "timestamp": 1732674600000, "message": message,
            }],
        }],
    }  # fmt: skip


def facebook_comment(
    *, verb: str = "add", comment_id: str = "106540352242922_111_222",
    message: str = "Đề nghị xem xét lại giá điện tháng 11",
) -> dict[str, Any]:  # fmt: skip
    return {
        "object": "page",
        "entry": [{
            "id": "106540352242922", "time": 1732674600,
            "changes": [{"field": "feed", "value": {
                "from": {"id": "24242424242", "name": "Trần Thị Bé"},
                "post": {"status_type": "added_photos", "is_published": True,
                         "updated_time": "2026-11-27T02:30:00+0000",
                         "permalink_url": "https://www.facebook.com/x/posts/111", "id": "x_111"},
                "message": message, "post_id": "106540352242922_111",
                "comment_id": comment_id, "created_time": 1732674600,
                "item": "comment", "parent_id": "106540352242922_111", "verb": verb,
            }}],
        }],
    }  # fmt: skip


def facebook_signed(body_json: dict[str, Any], *, secret: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(body_json, ensure_ascii=False).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {"content-type": "application/json", "x-hub-signature-256": signature}


def email_with_attachment(
    *, text: str, attachment: int, message_id: str = "<scan-1@mail.example.vn>"
) -> bytes:
    """A citizen's mail with a scanned document of `attachment` bytes (base64 in the mail)."""
    mail = EmailMessage()
    mail["From"] = "Trần Thị Bích <bich.tran@example.vn>"
    mail["To"] = "hopthu@mttq-vinhlong.example.vn"
    mail["Subject"] = "Đơn kiến nghị kèm bản scan"
    mail["Message-ID"] = message_id
    mail.set_content(text)
    # Incompressible like a real scan, and the same bytes on every run.
    scan = hashlib.shake_256(message_id.encode()).digest(attachment)
    mail.add_attachment(scan, maintype="application", subtype="pdf", filename="don-kien-nghi.pdf")
    return mail.as_bytes(policy=SMTP)


def raw_record(
    channel: Channel,
    payload: bytes,
    *,
    secret: str,
    at: datetime,
    ref: str | None = None,
    content_type: str = "application/json",
) -> RawFeedbackAccepted:
    """The raw record intake's door writes for `payload`, with the ids it derives from `ref`
    (without one, from the payload itself, so the same bytes are the same record)."""
    item_id = item_id_for(channel, ref or payload.hex(), secret=secret)
    return accept_raw(
        item_id=item_id, tracking_code=tracking_code_for(item_id, secret=secret), channel=channel,
        payload=payload, content_type=content_type, received_at=at, source_ref=ref,
    )  # fmt: skip
