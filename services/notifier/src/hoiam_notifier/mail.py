"""Email out: the sender port, its SMTP adapter (aiosmtplib) and an in-memory fake."""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

import aiosmtplib

from hoiam_notifier.domain import Notification


class PermanentSendError(Exception):
    """The provider refused for good (bad address, rejected content): retrying will not help."""


class TransientSendError(ConnectionError):
    """The provider could not take it now (down, 4xx, timeout): retry later."""


class EmailSender(Protocol):
    async def send(self, message: EmailMessage) -> str:
        """Hand the message to the provider; returns the provider's answer (queue id)."""
        ...


def build_email(notification: Notification, *, sender: str, mail_domain: str) -> EmailMessage:
    if notification.address is None:
        raise ValueError("an email needs an address")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notification.address
    message["Subject"] = notification.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = notification.message_id(mail_domain)
    message["X-HoiAm-Tracking-Code"] = notification.tracking_code
    if notification.in_reply_to:
        # Threads the answer under the citizen's own message in their mail client.
        message["In-Reply-To"] = notification.in_reply_to
        message["References"] = notification.in_reply_to
    message.set_content(notification.text)
    message.add_alternative(notification.html, subtype="html")
    return message


class InMemoryEmailSender:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> str:
        self.sent.append(message)
        return f"memory-{len(self.sent)}"


class SmtpEmailSender:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str | None,
        password: str | None,
        starttls: bool,
        timeout: float,
    ) -> None:
        self._options = {
            "hostname": host,
            "port": port,
            "username": username,
            "password": password,
            "start_tls": starttls,
            "timeout": timeout,
        }

    async def send(self, message: EmailMessage) -> str:
        try:
            _, answer = await aiosmtplib.send(message, **self._options)  # type: ignore[arg-type]
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise PermanentSendError(str(error)) from error
        except aiosmtplib.SMTPResponseException as error:
            if error.code >= 500:
                raise PermanentSendError(f"{error.code} {error.message}") from error
            raise TransientSendError(f"{error.code} {error.message}") from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise TransientSendError(str(error)) from error
        return answer
