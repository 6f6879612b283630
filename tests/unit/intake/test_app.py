"""Intake's wiring: what `build` returns, the clock it stamps with, and a start without a secret."""

import os
import subprocess
import sys
from datetime import datetime

import pytest
from pydantic import SecretStr, ValidationError

from fakes import intake_world
from hoiam_intake.domain.channels.calls import CallRecord
from hoiam_intake.erasure import open_raw
from hoiam_intake.settings import START_REFUSED, IntakeSettings, load_settings
from hoiam_shared.events import OperatorTaskOpened, RawFeedbackAccepted
from hoiam_shared.topics import INTAKE_RAW
from support.clock import TestClock
from support.intake_samples import ZALO_APP, sent_at, zalo_signed, zalo_text
from support.stack import REPO

OPERATOR = {"authorization": "Bearer op-token"}
NOON = datetime(2026, 3, 2, 12, 0)  # naive: Việt Nam time


def test_build_lists_the_normaliser_and_the_task_list_as_subscriptions() -> None:
    world = intake_world(kafka_topic_prefix="w.")
    subscription, tasks = world.parts.wiring.subscriptions
    assert subscription.topic == world.settings.topics.name(INTAKE_RAW) == "w.intake.raw.v1"
    assert subscription.event is RawFeedbackAccepted
    assert subscription.handle is world.parts.normalise
    assert tasks.topic == "w.operator.tasks.v1"
    assert tasks.event is OperatorTaskOpened
    assert tasks.handle is world.parts.record_task
    [flush_loop] = world.parts.wiring.background  # gathered chat conversations
    assert flush_loop.__name__ == "flush_gatherings"
    assert world.parts.poller is None


def test_the_imap_poller_is_a_background_loop_when_a_mailbox_is_set() -> None:
    world = intake_world(imap_host="imap.example.vn", imap_user="hopthu")
    assert world.parts.poller is not None
    assert world.parts.poller.run_forever in list(world.parts.wiring.background)
    assert world.parts.rules.default_mailbox == "hopthu"


async def test_a_submission_is_stamped_by_the_service_clock() -> None:
    clock = TestClock.frozen(NOON)
    world = intake_world(clock=clock)
    async with world.http() as client:
        answer = await client.post(
            "/v1/intake/web", json={"text": "Cống ấp 3 bị nghẹt", "consent": True}
        )
    assert answer.status_code == 202
    [raw] = world.published.of(RawFeedbackAccepted)
    assert raw.received_at == clock()
    assert raw.occurred_at == clock()


async def test_a_keyed_call_without_a_time_started_when_the_service_clock_says() -> None:
    clock = TestClock.frozen(NOON)
    world = intake_world(clock=clock, operator_token=SecretStr("op-token"))
    async with world.http() as client:
        answer = await client.post(
            "/v1/intake/calls/manual",
            json={"call_id": "k-1", "caller": "0912345678", "text": "Mất nước hai ngày"},
            headers=OPERATOR,
        )
    assert answer.status_code == 202
    [sealed] = world.published.of(RawFeedbackAccepted)
    raw = await open_raw(sealed, world.vault)
    assert raw is not None
    assert CallRecord.model_validate_json(raw.payload).started_at == clock()


async def test_open311_answers_in_georeport_shape() -> None:
    world = intake_world()
    async with world.http() as client:
        answer = await client.post(
            "/v1/open311/requests",
            data={"service_code": "roads", "address_string": "Ấp 3", "description": "Ổ gà lớn"},
        )
    assert answer.status_code == 201
    [receipt] = answer.json()
    assert set(receipt) == {"service_request_id", "service_notice", "account_id", "id",
                            "tracking_code"}  # fmt: skip
    assert receipt["service_request_id"] == receipt["tracking_code"]
    assert receipt["account_id"] is None


async def test_a_verified_zalo_event_is_answered_received() -> None:
    world = intake_world(zalo_app_id=ZALO_APP, zalo_oa_secret=SecretStr("oa"))
    body, headers = zalo_signed(sent_at(zalo_text(), world.clock()), secret="oa")
    async with world.http() as client:
        answer = await client.post("/webhooks/zalo", content=body, headers=headers)
    assert (answer.status_code, answer.json()) == (200, {"received": True})
    assert len(world.published.of(RawFeedbackAccepted)) == 1


def test_the_id_secret_has_no_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOIAM_INTAKE_ID_SECRET", raising=False)
    with pytest.raises(ValidationError, match="id_secret"):
        IntakeSettings()
    with pytest.raises(SystemExit, match="HOIAM_INTAKE_ID_SECRET is not set"):
        load_settings()
    monkeypatch.setenv("HOIAM_INTAKE_ID_SECRET", "")
    with pytest.raises(SystemExit, match="HOIAM_INTAKE_ID_SECRET is not set"):
        load_settings()


def test_without_its_id_secret_intake_refuses_to_start_in_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOIAM_")}
    started = subprocess.run(
        [sys.executable, "-m", "uvicorn", "--factory", "hoiam_intake.app:create_app",
         "--host", "127.0.0.1", "--port", "0"],
        env=env, cwd=REPO, capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert started.returncode != 0
    printed = (started.stdout + started.stderr).decode().strip()
    assert printed == START_REFUSED
