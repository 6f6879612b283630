"""The IMAP poller against a real Dovecot: high-water mark, restart mid-mailbox, UIDVALIDITY."""

from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from fakes import RecordingPublisher, intake_settings, vault_for
from hoiam_intake.app import build_on_mongo
from hoiam_intake.erasure import open_raw
from hoiam_intake.imap import ImapPoller, MailboxState, MongoMailboxState
from hoiam_shared.events import RawFeedbackAccepted
from support.clock import TestClock
from support.intake_dovecot import Dovecot, message, running_dovecot

type Mongo = AsyncMongoClient[dict[str, Any]]
type Database = AsyncDatabase[dict[str, Any]]


class Recorder(RecordingPublisher):
    """What the poller put on `intake.raw`, in order: raw records and nothing else (sealed
    with the keys of its `vault`)."""

    def __init__(self) -> None:
        super().__init__()
        self.vault = vault_for(TestClock.shifted())

    @property
    def raw(self) -> list[RawFeedbackAccepted]:
        raw = self.of(RawFeedbackAccepted)
        assert len(raw) == len(self.published), "the poller published something not raw"
        return raw


class CrashAfter:
    """Mailbox marks that die (like a killed process) after `n` successful writes."""

    def __init__(self, inner: MailboxState, n: int) -> None:
        self.inner, self.left = inner, n

    async def get(self, mailbox: str) -> tuple[int, int] | None:
        return await self.inner.get(mailbox)

    async def set(self, mailbox: str, uidvalidity: int, uid: int) -> None:
        if self.left == 0:
            raise ConnectionError("killed between publish and mark")
        self.left -= 1
        await self.inner.set(mailbox, uidvalidity, uid)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


def poller(dovecot: Dovecot, db: Database, state: MailboxState, out: Recorder,
           batch: int = 50) -> ImapPoller:  # fmt: skip
    """The poller as intake's `build` wires it, on the real store and Dovecot."""
    settings = intake_settings(
        imap_host="127.0.0.1", imap_port=dovecot.port, imap_tls=False, imap_user=dovecot.user,
        imap_password=SecretStr(dovecot.password), imap_batch=batch,
    )  # fmt: skip
    parts = build_on_mongo(
        settings, db, mailbox_state=state, publisher=out, clock=TestClock.shifted(),
        registry=CollectorRegistry(), vault=out.vault,
    )  # fmt: skip
    assert parts.poller is not None
    return parts.poller


async def test_a_restart_mid_mailbox_misses_nothing_and_takes_nothing_twice(
    dovecot: Dovecot, mongo: Mongo, prefix: str
) -> None:
    db = mongo[f"{prefix}_intake"]
    marks, out = MongoMailboxState(db), Recorder()
    await dovecot.append(*(message(n) for n in range(1, 6)), message(6, message_id=False))

    # The first process takes two messages, publishes the third and dies before its mark.
    first = poller(dovecot, db, CrashAfter(marks, 2), out)
    with pytest.raises(ConnectionError):
        await first.poll_once()
    assert len(out.raw) == 3
    mark = await marks.get(first.mailbox_key)
    assert mark is not None
    assert mark[1] == 2

    # A fresh process resumes from the stored mark; the overlap is one message.
    second = poller(dovecot, db, marks, out, batch=2)
    assert await second.poll_once() == 2
    assert await second.poll_once() == 2
    assert await second.poll_once() == 0  # "UID n:*" still matches the newest: not taken again
    await dovecot.append(message(7))
    assert await second.poll_once() == 1

    refs = [r.source_ref for r in out.raw]
    assert len(refs) == 8  # 7 messages + the one published again after the crash
    assert len(set(refs)) == 7  # …which is the same message, so the same item
    assert refs.count("imap-3@dan.example.vn") == 2
    assert sum(r.item_id == out.raw[2].item_id for r in out.raw) == 2
    no_id = [r for r in out.raw if r.source_ref and r.source_ref.startswith("imap:")]
    assert len(no_id) == 1  # a message without Message-ID is keyed by UIDVALIDITY:UID
    opened = await open_raw(out.raw[0], out.vault)
    assert opened is not None
    assert b"Ph\xe1\xba\xa3n \xc3\xa1nh s\xe1\xbb\x91 1" in opened.payload


async def test_a_new_uidvalidity_starts_over(dovecot: Dovecot, mongo: Mongo, prefix: str) -> None:
    db = mongo[f"{prefix}_intake"]
    marks, out = MongoMailboxState(db), Recorder()
    await dovecot.append(message(1), message(2))
    imap = poller(dovecot, db, marks, out)
    await marks.set(imap.mailbox_key, 1, 99)  # a mark from a mailbox that was rebuilt
    assert await imap.poll_once() == 2
    mark = await marks.get(imap.mailbox_key)
    assert mark is not None
    assert mark[0] != 1


async def test_a_wrong_password_is_an_error_not_a_crash(dovecot: Dovecot, mongo: Mongo,
                                                        prefix: str) -> None:  # fmt: skip
    db = mongo[f"{prefix}_intake"]
    dovecot.password = "wrong"
    imap = poller(dovecot, db, MongoMailboxState(db), Recorder())
    with pytest.raises(Exception, match="login refused"):
        await imap.poll_once()
