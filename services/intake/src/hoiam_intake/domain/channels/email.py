"""Email (RFC 5322/MIME) → the citizen's text, contacts and thread; auto-replies told apart.

Parsed with the standard library (`email`, policy=default: RFC 2047 headers decoded, QP and
base64 undone). The body is text/plain when there is one, else HTML turned into text; every
charset is decoded as declared (windows-1258 included) and legacy TCVN3/VNI text is repaired.
"""

import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

from hoiam_intake.domain.items import (
    InvalidContactError,
    feedback_item,
    normalise_email,
    normalise_text,
)
from hoiam_intake.domain.legacy import decode_declared, repair_legacy
from hoiam_intake.domain.outcomes import Dropped, NewItem, Outcome
from hoiam_intake.domain.rules import Rules
from hoiam_shared.events import (
    Attachment,
    Channel,
    Citizen,
    Contacts,
    Origin,
    OriginKind,
    RawFeedbackAccepted,
)
from hoiam_shared.ids import TRACKING_CODE_RE

EMAIL_CONTENT_TYPE = "message/rfc822"
EMPTY_BODY = "(Thư không có nội dung; xem tệp đính kèm.)"
_MSGID = re.compile(r"<([^<>\s]+)>")
_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"}


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML body, one line per block; scripts and styles dropped."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    return normalise_text("".join(parser.parts))


def message_ids(value: str | None) -> tuple[str, ...]:
    """Message-IDs in a header (``<a@b> <c@d>``), without brackets, in order."""
    if not value:
        return ()
    found = _MSGID.findall(value)
    return tuple(found) if found else tuple(value.split())


@dataclass(frozen=True, slots=True)
class ParsedEmail:
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    from_name: str | None
    from_address: str | None
    recipient: str | None
    subject: str | None
    text: str
    legacy_encoding: str | None
    attachments: tuple[Attachment, ...]
    not_feedback: str | None


def _header(message: Message, name: str) -> str | None:
    try:
        value = message.get(name)
    except Exception:  # a malformed header is read as absent, never fatal
        return None
    return str(value).strip() if value is not None else None


def _not_feedback(message: Message, from_address: str | None) -> str | None:
    """Why this message is machine-sent (RFC 3834, RFC 3464 and common practice), or None."""
    auto = (_header(message, "Auto-Submitted") or "no").lower()
    if auto != "no":
        return "auto_submitted"
    if message.get_content_type() == "multipart/report":
        return "bounce"
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return "auto_reply"
    precedence = (_header(message, "Precedence") or "").lower()
    # Not `list`: a citizen's message relayed by a mailing list or forum is still their words.
    if precedence in ("auto_reply", "bulk", "junk"):
        return f"precedence_{precedence}"
    local = (from_address or "").split("@")[0].lower()
    if local in ("mailer-daemon", "postmaster"):
        return "bounce"
    return None


def _decode_part(part: Message) -> tuple[str, str | None]:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    return decode_declared(data, part.get_content_charset())


def _body(message: EmailMessage) -> tuple[str, str | None]:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return "", None
    text, legacy = _decode_part(body)
    if body.get_content_type() == "text/html":
        text = html_to_text(text)
    return text, legacy


def _attachments(message: EmailMessage) -> tuple[Attachment, ...]:
    found = []
    for part in message.iter_attachments() if message.is_multipart() else ():
        payload = part.get_payload(decode=True)
        found.append(
            Attachment(
                filename=part.get_filename(),
                content_type=part.get_content_type(),
                size=len(payload) if isinstance(payload, bytes) else 0,
            )
        )
    return tuple(found)


def _first_address(message: Message, *names: str) -> tuple[str | None, str | None]:
    for name in names:
        value = _header(message, name)
        if not value:
            continue
        for display, address in getaddresses([value]):
            if address and "@" in address:
                return (display or None), address
    return None, None


def read_email(data: bytes) -> ParsedEmail:
    """Parse one raw message; raises `ValueError` for bytes that are not an email at all."""
    if not data.strip():
        raise ValueError("empty message")
    message = BytesParser(policy=policy.default).parsebytes(data)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise ValueError("no email headers")
    from_name, from_address = _first_address(message, "From", "Sender", "Reply-To")
    _, recipient = _first_address(message, "Delivered-To", "X-Original-To", "To")
    subject = _header(message, "Subject")
    if subject:
        subject = normalise_text(repair_legacy(subject)[0]) or None
    if from_name:
        from_name = normalise_text(repair_legacy(from_name)[0]) or None
    try:
        text, legacy = _body(message)
        attachments = _attachments(message)
    except (LookupError, AttributeError, TypeError) as error:
        raise ValueError(f"unreadable MIME structure: {error}") from error
    ids = message_ids(_header(message, "Message-ID"))
    return ParsedEmail(
        message_id=ids[0] if ids else None,
        in_reply_to=message_ids(_header(message, "In-Reply-To")),
        references=message_ids(_header(message, "References")),
        from_name=from_name,
        from_address=from_address,
        recipient=recipient.lower() if recipient else None,
        subject=subject,
        text=text,
        legacy_encoding=legacy,
        attachments=attachments,
        not_feedback=_not_feedback(message, from_address),
    )


def _sender_email(address: str | None) -> str | None:
    """The sender's address as a contact; None when there is none or it is no address (a mail
    is still feedback without a way to answer it by email)."""
    try:
        return normalise_email(address) if address else None
    except InvalidContactError:
        return None


def email_outcome(raw: RawFeedbackAccepted, rules: Rules) -> Outcome:
    mail = read_email(raw.payload)
    if mail.not_feedback:
        return Dropped(mail.not_feedback)
    email = _sender_email(mail.from_address)
    # Without a Message-ID the poller's UIDVALIDITY:UID (or nothing) is the source reference.
    source_ref = mail.message_id or raw.source_ref
    account = mail.recipient or rules.default_mailbox
    original = mail.text if mail.text.strip() else (mail.subject or EMPTY_BODY)
    thread = mail.references[0] if mail.references else mail.message_id
    item = feedback_item(
        raw,
        rules,
        source_ref=source_ref,
        citizen=Citizen(
            name=mail.from_name,
            contacts=Contacts(email=email),
            preferred_channel=Channel.EMAIL if email else Channel.WEB,
            last_inbound_at=raw.received_at if email else None,
        ),
        text=original,
        subject=mail.subject,
        attachments=mail.attachments,
        origin=Origin(
            kind=OriginKind.EMAIL,
            account_id=account,
            message_id=mail.message_id,
            thread_id=thread,
            references=mail.references,
        ),
    )
    return NewItem(
        item,
        reply_code=_quoted_code(mail.subject),
        reply_refs=_thread(mail.in_reply_to, mail.references),
    )


def _quoted_code(subject: str | None) -> str | None:
    code = TRACKING_CODE_RE.search(subject or "")
    return code.group(0) if code else None


def _thread(in_reply_to: tuple[str, ...], references: tuple[str, ...]) -> tuple[str, ...]:
    """The Message-IDs a message answers, the nearest first."""
    return tuple(dict.fromkeys(in_reply_to + tuple(reversed(references))))


@dataclass(frozen=True, slots=True)
class ReplyHints:
    """What says an email may answer a known item: a quoted tracking code, the thread, and who
    sent it (a reply joins an item only from one of its citizen's contacts)."""

    code: str | None
    refs: tuple[str, ...]
    sender: str | None


def reply_hints(message: Message) -> ReplyHints:
    """The reply hints of a message's headers, read as `email_outcome` reads them, so the HTTP
    answer to a reply names the item the normaliser will attach it to."""
    _, address = _first_address(message, "From", "Sender", "Reply-To")
    return ReplyHints(
        code=_quoted_code(_header(message, "Subject")),
        refs=_thread(
            message_ids(_header(message, "In-Reply-To")),
            message_ids(_header(message, "References")),
        ),
        sender=_sender_email(address),
    )
