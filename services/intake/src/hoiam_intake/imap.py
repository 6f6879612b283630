"""IMAP poller: fetch new mail by UID above a stored high-water mark, raw first, then advance.

Each round: select the mailbox, read its UIDVALIDITY, fetch UIDs above the mark (BODY.PEEK[],
so the mailbox's \\Seen flags stay the staff's), put each message on `intake.raw`, and only then
store the new mark. A crash between the publish and the mark re-fetches that message on restart,
and its Message-ID (or, without one, UIDVALIDITY:UID) makes it the same item again: nothing
missed, nothing doubled. A changed UIDVALIDITY means the UIDs were renumbered: start from zero.
"""

import asyncio
import contextlib
import logging
import re
from typing import Protocol

import aioimaplib  # type: ignore[import-untyped]
from pymongo.asynchronous.database import AsyncDatabase

from hoiam_intake.accepting import Acceptor
from hoiam_intake.domain.channels.email import EMAIL_CONTENT_TYPE, message_ids
from hoiam_intake.metrics import IntakeMetrics
from hoiam_intake.settings import IntakeSettings
from hoiam_shared.events import Channel
from hoiam_shared.kafka import TRANSIENT_ERRORS, RecordTooLargeError
from hoiam_shared.mongo import Document

log = logging.getLogger(__name__)

_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_FETCHED = re.compile(rb"UID (\d+)")
SET_ASIDE_FLAGS = "(\\Flagged HoiAmTooLarge)"
"""What a mail intake cannot take gets in the mailbox: flagged for the staff, and a keyword that
says why (a search for it lists every such mail)."""
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(.+?)\r?$", re.IGNORECASE | re.MULTILINE)


class MailboxState(Protocol):
    async def get(self, mailbox: str) -> tuple[int, int] | None:
        """(UIDVALIDITY, highest UID taken) for `mailbox`, if any."""
        ...

    async def set(self, mailbox: str, uidvalidity: int, uid: int) -> None: ...


class MongoMailboxState:
    """One small document per mailbox; an update in place is fine at one write per message."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._marks = db["mailboxes"]

    async def get(self, mailbox: str) -> tuple[int, int] | None:
        found = await self._marks.find_one({"_id": mailbox})
        return (int(str(found["uidvalidity"])), int(str(found["uid"]))) if found else None

    async def set(self, mailbox: str, uidvalidity: int, uid: int) -> None:
        await self._marks.replace_one(
            {"_id": mailbox}, {"uidvalidity": uidvalidity, "uid": uid}, upsert=True
        )


class ImapError(RuntimeError):
    """The IMAP server refused a command."""


def _source_ref(message: bytes, uidvalidity: int, uid: int) -> str:
    head = message.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    found = _MESSAGE_ID.search(head)
    ids = message_ids(found.group(1).decode("ascii", "replace")) if found else ()
    return ids[0] if ids else f"imap:{uidvalidity}:{uid}"


class ImapPoller:
    def __init__(
        self,
        *,
        settings: IntakeSettings,
        acceptor: Acceptor,
        state: MailboxState,
        metrics: IntakeMetrics,
    ) -> None:
        self._s = settings
        self._acceptor = acceptor
        self._state = state
        self._metrics = metrics
        self.mailbox_key = f"{settings.imap_user}@{settings.imap_host}/{settings.imap_mailbox}"

    async def run_forever(self) -> None:
        while True:
            try:
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except (*TRANSIENT_ERRORS, aioimaplib.AioImapException, ImapError, OSError) as error:
                log.warning("IMAP round failed; retrying", extra={"error": repr(error)})
            await asyncio.sleep(self._s.imap_poll_seconds)

    async def _connect(self) -> aioimaplib.IMAP4:
        host, port = str(self._s.imap_host), self._s.imap_port
        client = (
            aioimaplib.IMAP4_SSL(host=host, port=port, timeout=30)
            if self._s.imap_tls
            else aioimaplib.IMAP4(host=host, port=port, timeout=30)
        )
        await client.wait_hello_from_server()
        answer = await client.login(self._s.imap_user, self._s.imap_password.get_secret_value())
        if answer.result != "OK":
            raise ImapError(f"login refused: {answer.lines[-1:]!r}")
        return client

    async def poll_once(self) -> int:
        """One round; returns how many messages it put on `intake.raw` (a mail too large is
        flagged in the mailbox and passed over, `_set_aside`)."""
        client = await self._connect()
        try:
            selected = await client.select(self._s.imap_mailbox)
            if selected.result != "OK":
                raise ImapError(f"cannot select {self._s.imap_mailbox}: {selected.lines!r}")
            found = next((m for line in selected.lines if (m := _UIDVALIDITY.search(line))), None)
            if found is None:
                raise ImapError("the server sent no UIDVALIDITY")
            uidvalidity = int(found.group(1))
            mark = await self._state.get(self.mailbox_key)
            last = mark[1] if mark and mark[0] == uidvalidity else 0
            searched = await client.uid_search(f"UID {last + 1}:*")
            if searched.result != "OK":
                raise ImapError(f"UID SEARCH refused: {searched.lines!r}")
            uids = sorted(
                {int(t) for line in searched.lines[:-1] for t in line.split() if t.isdigit()}
            )
            # "n:*" always matches the newest message, even below n: keep only what is new.
            uids = [u for u in uids if u > last][: self._s.imap_batch]
            taken = 0
            for uid in uids:
                message = await self._fetch(client, uid)
                ref = _source_ref(message, uidvalidity, uid)
                try:
                    await self._take(message, ref)
                    taken += 1
                except RecordTooLargeError as error:
                    # Bad input, not an outage: the mail stays in the mailbox, flagged for the
                    # staff, and the poller goes on past it instead of retrying it forever.
                    await self._set_aside(client, uid, ref, error)
                await self._state.set(self.mailbox_key, uidvalidity, uid)
            return taken
        finally:
            with contextlib.suppress(aioimaplib.AioImapException, OSError, TimeoutError):
                await client.logout()

    async def _take(self, message: bytes, ref: str) -> None:
        limit = self._s.body_limit("email")
        if len(message) > limit:
            raise RecordTooLargeError(f"{len(message)} bytes, over the email limit of {limit}")
        await self._acceptor.accept(Channel.EMAIL, message, EMAIL_CONTENT_TYPE, ref)
        self._metrics.mail_fetched.inc()

    async def _set_aside(
        self, client: aioimaplib.IMAP4, uid: int, ref: str, error: RecordTooLargeError
    ) -> None:
        flagged = await client.uid("store", str(uid), "+FLAGS", SET_ASIDE_FLAGS)
        log.error(
            "mail too large for intake: left in the mailbox, flagged",
            extra={
                "mailbox": self.mailbox_key,
                "uid": uid,
                "source_ref": ref,
                "error": str(error),
                "flagged": flagged.result == "OK",
            },
        )
        self._metrics.mail_set_aside.labels("too_large").inc()

    async def _fetch(self, client: aioimaplib.IMAP4, uid: int) -> bytes:
        answer = await client.uid("fetch", str(uid), "(UID BODY.PEEK[])")
        if answer.result != "OK":
            raise ImapError(f"UID FETCH {uid} refused: {answer.lines!r}")
        lines = answer.lines
        for index, line in enumerate(lines[:-1]):
            if isinstance(line, bytes | bytearray) and b"FETCH" in line and line.endswith(b"}"):
                body = lines[index + 1]
                if isinstance(body, bytes | bytearray):
                    return bytes(body)
        raise ImapError(f"UID FETCH {uid} returned no message")
