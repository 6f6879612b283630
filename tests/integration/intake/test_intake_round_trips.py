"""The normaliser's store round trips per item, counted on the real FerretDB (docs/operations.md).

A counting command listener sits on the client the stores use, so every command intake's
normaliser sends is seen; the figures are printed (run with `-s`) and held to a ceiling, so a
change that adds a lookup per item fails here before it shows in `make bench`.
"""

import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from pymongo import AsyncMongoClient, monitoring

from fakes import RecordingPublisher, intake_settings, vault_for
from hoiam_intake.app import IntakeParts, build_on_mongo
from hoiam_intake.store import NAMESAKES, IntakeStore, MongoIntakeStore
from hoiam_shared.events import Channel, FeedbackMessageAdded, FeedbackReceived
from support.clock import TestClock
from support.intake_samples import raw_record
from support.stack import Stack

SECRET = "round-trips"
AT = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
ITEMS = 20


class Commands(monitoring.CommandListener):
    """Every command sent, by name, from the moment `counting` is set."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        self.counting = False

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.counting:
            name = event.command_name
            self.seen[f"{name} {event.command.get(name)}"] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def take(self) -> Counter[str]:
        seen, self.seen = self.seen, Counter()
        return seen


class Normaliser:
    """Intake's normaliser on FerretDB, publishing to a recorder, its commands counted."""

    def __init__(
        self, parts: IntakeParts, store: IntakeStore, commands: Commands, out: RecordingPublisher
    ) -> None:
        self.parts = parts
        self.store = store
        self.commands = commands
        self.out = out

    async def web(self, n: int, *, phone: str, text: str, name: str | None = None) -> None:
        body = {"name": name or f"Người gửi {phone}", "phone": phone, "text": text}
        payload = json.dumps(body, ensure_ascii=False).encode()
        raw = raw_record(Channel.WEB, payload, secret=SECRET, at=AT, ref=f"form-{n}")
        await self.parts.normalise(raw)

    def per_item(self, label: str, items: int) -> float:
        seen = self.commands.take()
        figure = sum(seen.values()) / items
        print(f"{label}: {figure:.2f} commands per item {dict(sorted(seen.items()))}")
        return figure


@pytest.fixture
async def normaliser(stack: Stack, prefix: str) -> AsyncIterator[Normaliser]:
    commands = Commands()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        stack.mongo_url, tz_aware=True, serverSelectionTimeoutMS=10_000, event_listeners=[commands]
    )
    out = RecordingPublisher()
    settings = intake_settings(id_secret=SecretStr(SECRET), duplicate_window_hours=72)
    db = client[f"{prefix}_intake"]
    parts = build_on_mongo(
        settings,
        db,
        publisher=out,
        clock=TestClock.frozen(AT),
        registry=CollectorRegistry(),
        vault=vault_for(TestClock.frozen(AT)),  # in memory: its keys are not intake's commands
    )
    await parts.wiring.prepare_store()
    commands.counting = True
    try:
        yield Normaliser(parts, MongoIntakeStore(db), commands, out)
    finally:
        await client.close()


async def test_a_new_citizens_web_item_costs_few_round_trips(normaliser: Normaliser) -> None:
    for n in range(ITEMS):
        await normaliser.web(n, phone=f"09{n:08d}", text=f"Đường số {n} ngập nước sau mưa")
    new = normaliser.per_item("new citizen, one phone", ITEMS)
    assert len(normaliser.out.of(FeedbackReceived)) == ITEMS
    assert new <= 5

    before = len(normaliser.out.published)
    for n in range(ITEMS):  # redelivered: the same items, republished as they were
        await normaliser.web(n, phone=f"09{n:08d}", text=f"Đường số {n} ngập nước sau mưa")
    again = normaliser.per_item("redelivered", ITEMS)
    republished = normaliser.out.published[before:]
    assert [e for _, e in republished] == [e for _, e in normaliser.out.published[:before]]
    assert again <= 8


async def test_a_returning_citizens_items_cost_few_round_trips(normaliser: Normaliser) -> None:
    for n in range(ITEMS):
        await normaliser.web(n, phone=f"09{n:08d}", text=f"Cột điện số {n} nghiêng sắp đổ")
    normaliser.per_item("new citizen, one phone", ITEMS)
    for n in range(ITEMS):  # the same people, another matter each
        await normaliser.web(ITEMS + n, phone=f"09{n:08d}", text="Rác thải không ai thu gom")
    returning = normaliser.per_item("returning citizen, a new matter", ITEMS)
    assert len(normaliser.out.of(FeedbackReceived)) == 2 * ITEMS
    assert returning <= 7

    for n in range(ITEMS):  # the same matter once more: a message on the item, not an item
        await normaliser.web(2 * ITEMS + n, phone=f"09{n:08d}", text="Rác thải không ai thu gom")
    resent = normaliser.per_item("returning citizen, the same matter", ITEMS)
    assert len(normaliser.out.of(FeedbackReceived)) == 2 * ITEMS
    assert [m.kind for m in normaliser.out.of(FeedbackMessageAdded)] == ["resent"] * ITEMS
    assert resent <= 7


async def test_namesakes_are_suggested_in_one_round_trip(normaliser: Normaliser) -> None:
    for n in range(ITEMS):
        await normaliser.web(n, phone=f"09{n:08d}", text=f"Cầu số {n} hỏng", name="Trần Thị Bích")
    namesakes = normaliser.per_item("new citizens of one name", ITEMS)
    normaliser.commands.counting = False
    suggested = await normaliser.store.suggestions(limit=1000)
    # Each newcomer is suggested with the (at most NAMESAKES) namesakes already seen.
    expected = sum(min(n, NAMESAKES) for n in range(ITEMS))
    assert len(suggested) == expected
    assert {s.reason for s in suggested} == {"same_name"}
    assert namesakes <= 6
