"""Email through SMTP (aiosmtplib): plain text plus HTML, threaded, one Message-ID per delivery."""

import asyncio
import contextlib
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
    """Sends over a few kept SMTP sessions (`connections`), each reused message after message;
    a refused mailbox fails, a busy or absent server retries.

    A session that failed in any way is closed and the next send opens a new one, so a message
    never goes out on a session in an unknown state. A kept session the server has closed while
    idle (its timeout) is noticed on the next send, which reconnects once and sends again: the
    server had not taken the message (it answers only after the whole DATA).
    """

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
        connections: int = 4,
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
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots = asyncio.Semaphore(connections)

    async def _session(self) -> tuple[aiosmtplib.SMTP, bool]:
        """An idle kept session (True) or a new connected one (False)."""
        while self._idle:
            session = self._idle.pop()
            if session.is_connected:
                return session, True
        session = aiosmtplib.SMTP(**self._options)
        await session.connect()
        return session, False

    async def _deliver(self, message: EmailMessage) -> str:
        session, kept = await self._session()
        try:
            _, answer = await session.send_message(message)
        except aiosmtplib.SMTPServerDisconnected:
            session.close()
            if not kept:
                raise
            session = aiosmtplib.SMTP(**self._options)  # the server closed it while idle
            await session.connect()
            try:
                _, answer = await session.send_message(message)
            except BaseException:
                session.close()
                raise
        except BaseException:
            session.close()
            raise
        self._idle.append(session)
        return answer

    async def close(self) -> None:
        while self._idle:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await self._idle.pop().quit()

    async def send(self, outgoing: Outgoing) -> str:
        message = build_email(
            outgoing, sender=self._from, mail_domain=self._domain, written_at=self._clock()
        )
        try:
            async with self._slots:
                answer = await self._deliver(message)
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
