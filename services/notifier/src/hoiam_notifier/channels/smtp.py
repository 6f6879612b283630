"""Email through SMTP (aiosmtplib): plain text plus HTML, threaded, one Message-ID per delivery."""

from datetime import datetime
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import aiosmtplib

from hoiam_notifier.channels.errors import ErrorKind, Verdict, classify_smtp
from hoiam_notifier.channels.port import Outgoing, SendError
from hoiam_notifier.domain.notifications import message_id, msg_id
from hoiam_shared.clock import Clock


def encoded_header(name: str, value: str) -> str:
    """`value` as RFC 2047 encoded-words folded at 76 columns, ready for `set_raw`.

    Python 3.12's own folding of a long non-ASCII header can leave a space between two
    encoded-words, where readers must drop it ("kiến nghị" arrives as "kiếnnghị");
    `email.header.Header` splits inside the encoded text, so every space survives. Lines stay
    under 78 columns, so the SMTP policy's generator does not fold them again.
    """
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=name).encode(maxlinelen=76)


def build_email(
    outgoing: Outgoing, *, sender: str, mail_domain: str, written_at: datetime
) -> EmailMessage:
    """Plain text plus HTML; a citizen's answer threads under their own message."""
    notification, target = outgoing.notification, outgoing.target
    message = EmailMessage()
    message["From"] = sender
    message["To"] = target.address
    # The texts flatten subjects already; a break here would end the header block early.
    subject = " ".join(notification.subject.splitlines())
    message.set_raw("Subject", encoded_header("Subject", subject))
    message["Date"] = format_datetime(written_at)
    message["Message-ID"] = message_id(outgoing.delivery_id, mail_domain)
    message["X-HoiAm-Tracking-Code"] = notification.tracking_code
    # Bracketed here too: a notification planned before ids were bracketed may still be queued.
    in_reply_to = msg_id(notification.in_reply_to)
    if in_reply_to:
        references = [ref for ref in map(msg_id, notification.references) if ref]
        message["In-Reply-To"] = in_reply_to
        message["References"] = " ".join(references or [in_reply_to])
    message.set_content(notification.text)
    message.add_alternative(notification.html, subtype="html")
    return message


class SmtpSender:
    """One SMTP session per message; a refused mailbox fails, a busy or absent server retries."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str | None,
        password: str | None,
        starttls: bool,
        timeout: float,
        mail_from: str,
        mail_domain: str,
        clock: Clock,
    ) -> None:
        self._options: dict[str, Any] = {
            "hostname": host,
            "port": port,
            "username": username,
            "password": password,
            "start_tls": starttls,
            "timeout": timeout,
        }
        self._from = mail_from
        self._domain = mail_domain
        self._clock = clock

    async def send(self, outgoing: Outgoing) -> str:
        message = build_email(
            outgoing, sender=self._from, mail_domain=self._domain, written_at=self._clock()
        )
        try:
            _, answer = await aiosmtplib.send(message, **self._options)
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [r.code for r in error.recipients]
            verdict = classify_smtp(max(codes) if codes else 550)
            raise SendError(verdict, answer=str(error)) from error
        except aiosmtplib.SMTPResponseException as error:
            raise SendError(
                classify_smtp(error.code), answer=f"{error.code} {error.message}"
            ) from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise SendError(
                Verdict(ErrorKind.RETRY, "mail server unreachable"), answer=str(error)
            ) from error
        return str(message["Message-ID"]).strip() or answer
