"""A real SMTP server (aiosmtpd) on loopback that keeps every message it is given."""

import asyncio
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class Recorder:
    """aiosmtpd handler: accepts every message and keeps it parsed, in arrival order."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.peers: list[object] = []
        """The client address of each message's session, to tell sessions apart."""
        self.refuse_next: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.append(session.peer)
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "451 4.3.0 try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 2.0.0 OK queued"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if str(m["To"]) == address]

    def about(self, tracking_code: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["X-HoiAm-Tracking-Code"] == tracking_code]

    async def wait_for(
        self, tracking_code: str, count: int, within: float = 60
    ) -> list[EmailMessage]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = self.about(tracking_code)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.2)
        raise AssertionError(
            f"{count} message(s) about {tracking_code} expected within {within}s, "
            f"got {len(self.about(tracking_code))}"
        )


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.recorder = Recorder()
        self._controller = Controller(self.recorder, hostname="127.0.0.1", port=port)

    def __enter__(self) -> "SmtpServer":
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()
