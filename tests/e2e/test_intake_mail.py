"""Mail into a real intake process: the IMAP poller killed mid-mailbox, and the mail import."""

import asyncio
import json
import mailbox
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from hoiam_shared.events import FeedbackReceived
from hoiam_shared.topics import FEEDBACK_RECEIVED
from support.intake import Intake, opened, read_all, running_intake
from support.intake_dovecot import Dovecot, message, running_dovecot
from support.stack import Stack, remove_test_leftovers

type Mongo = AsyncMongoClient[dict[str, Any]]


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


@pytest.fixture(scope="module")
def intake(
    stack: Stack, dovecot: Dovecot, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Intake]:
    prefix = f"m{uuid.uuid4().hex[:10]}"
    settings = {
        "imap_host": "127.0.0.1", "imap_port": str(dovecot.port), "imap_tls": "false",
        "imap_user": dovecot.user, "imap_password": dovecot.password,
        "imap_poll_seconds": "0.5", "imap_batch": "1",
    }  # fmt: skip
    with running_intake(stack, prefix, tmp_path_factory.mktemp("mail-logs"), **settings) as it:
        yield it
    asyncio.run(remove_test_leftovers(stack, prefix))


async def events_from(stack: Stack, intake: Intake) -> list[FeedbackReceived]:
    records = await read_all(stack, intake.topic(FEEDBACK_RECEIVED), want=10_000, within=2)
    return [
        await opened(stack, intake, FeedbackReceived.model_validate_json(r.value)) for r in records
    ]


async def test_the_poller_killed_mid_mailbox_misses_nothing_and_doubles_nothing(
    stack: Stack, intake: Intake, dovecot: Dovecot, mongo: Mongo
) -> None:
    await dovecot.append(*(message(n) for n in range(1, 7)))
    marks = mongo[f"{intake.prefix}_intake"]["mailboxes"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        mark = await marks.find_one({})
        if mark and int(mark["uid"]) >= 2:
            break
        await asyncio.sleep(0.05)
    assert mark is not None
    intake.restart(kill=True)  # SIGKILL: no shutdown hook, no last mark written
    taken_before_kill = int(mark["uid"])
    assert taken_before_kill < 6, "the kill came after the whole mailbox; not mid-mailbox"
    await dovecot.append(message(7), message(8, message_id=False))

    wanted = {f"imap-{n}@dan.example.vn" for n in range(1, 8)}
    seen: list[FeedbackReceived] = []
    refs: set[str | None] = set()
    for _ in range(20):
        seen = [e for e in await events_from(stack, intake) if e.source_ref]
        refs = {e.source_ref for e in seen}
        if wanted <= refs and any(r and r.startswith("imap:") for r in refs):
            break
        await asyncio.sleep(0.5)
    assert wanted <= refs, f"missed {wanted - refs} (killed after UID {taken_before_kill})"
    assert len({e.item_id for e in seen}) == 8
    assert len({e.event_id for e in seen}) == 8  # a re-fetched message is the same event again
    assert all(e.text.normalised.startswith("Phản ánh số") for e in seen)


async def test_mail_import_of_eml_and_mbox_is_idempotent(
    stack: Stack, intake: Intake, tmp_path: Path
) -> None:
    run = uuid.uuid4().hex[:8]
    eml = tmp_path / "one.eml"
    eml.write_bytes(message(100).replace(b"imap-100@", f"eml-{run}@".encode()))
    box = mailbox.mbox(tmp_path / "archive.mbox")
    for n in (101, 102, 103):
        box.add(message(n).replace(f"imap-{n}@".encode(), f"mbox-{run}-{n}@".encode()))
    box.flush()
    box.close()

    def run_import() -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-m", "hoiam_intake.mailimport", str(eml),
             str(tmp_path / "archive.mbox"), "--url", intake.url],
            capture_output=True, check=False, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr.decode() + done.stdout.decode()
        summary: dict[str, Any] = json.loads(done.stdout)
        return summary

    assert run_import() == {"accepted": 4, "duplicates": 0, "failed": []}
    assert run_import() == {"accepted": 0, "duplicates": 4, "failed": []}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        mine = [e for e in await events_from(stack, intake) if run in (e.source_ref or "")]
        if len({e.item_id for e in mine}) == 4:
            break
    assert len({e.item_id for e in mine}) == 4
    assert len({e.event_id for e in mine}) == 4
