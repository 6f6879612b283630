"""The console with its public pages, built with fakes: a recording publisher, in-memory
ratings and archive, the in-process limiter on the test clock."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from hoiam_console.app import ConsoleParts, build, mount_static
from hoiam_console.domain.public import Rating
from hoiam_console.domain.publication import (
    ArchiveEntry,
    ArchivePage,
    ArchiveQuery,
    Facet,
    matches,
    newest_first,
)
from hoiam_console.limits import InProcessLimiter
from hoiam_console.public import PublicDeps
from hoiam_console.public_upstream import Filed, PhotoFile, PlaceOption
from hoiam_console.settings import ConsoleSettings
from hoiam_console.upstream import UpstreamError
from hoiam_shared.events import Citizen, Contacts, Event, FeedbackReceived, Status
from support.clock import TestClock
from support.console import (
    DEMO_ACCOUNTS,
    TIEU_CAN_BODY,
    FakeUpstream,
    InMemoryAccounts,
    InMemoryFailures,
    InMemoryReadModel,
    InMemorySessions,
    cheap_passwords,
    received,
    routed,
    status_changed,
)

NAME = "Trần Thị Bích Ngọc"
EMAIL = "bichngoc.tran1987@gmail.com"
PHONE = "+84918234567"
TEXT = (
    "Tôi là Trần Thị Bích Ngọc, nhà số 12 ấp Phú Thọ, điện thoại 0918 234 567. Đường liên ấp "
    "có ổ gà sâu, xe máy té ngã nhiều lần."
)
ANSWER = "UBND xã đã vá ổ gà trên đường liên ấp Phú Thọ ngày 05/12/2026."


TIEU_CAN_PLACE = PlaceOption(
    code="29341", name="Xã Tiểu Cần", province_code="86", province_name="Tỉnh Vĩnh Long"
)


@dataclass
class FakePublicUpstream:
    """Intake's web form and the router's places, as they answer; records what was filed."""

    filed: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    refuse: UpstreamError | None = None
    places_down: bool = False
    photos: dict[str, list[PhotoFile]] = field(default_factory=dict)

    async def provinces(self) -> list[PlaceOption]:
        if self.places_down:
            raise UpstreamError(503, "router unreachable")
        return [PlaceOption(code="86", name="Tỉnh Vĩnh Long")]

    async def communes(self, province_code: str) -> list[PlaceOption]:
        return [TIEU_CAN_PLACE] if province_code == "86" else []

    async def search_places(self, query: str, province_code: str | None) -> list[PlaceOption]:
        if "phu can" in query.lower() or "phú cần" in query.lower():
            return [TIEU_CAN_PLACE.model_copy(update={"via": "Xã Phú Cần, Huyện Tiểu Cần"})]
        return []

    async def file(
        self,
        submission: dict[str, Any],
        *,
        idempotency_key: str,
        photos: Sequence[PhotoFile] = (),
    ) -> Filed:
        self.photos[idempotency_key] = list(photos)
        if self.refuse is not None:
            raise self.refuse
        for _earlier, key in self.filed:
            if key == idempotency_key:
                return Filed(tracking_code=f"HA-{len(self.filed):04d}-TEST", already_sent=True)
        self.filed.append((submission, idempotency_key))
        return Filed(tracking_code=f"HA-{len(self.filed):04d}-TEST")


class InMemoryRatings:
    def __init__(self) -> None:
        self.ratings: dict[UUID, Rating] = {}

    async def claim(self, rating: Rating) -> bool:
        if rating.item_id in self.ratings:
            return False
        self.ratings[rating.item_id] = rating
        return True

    async def release(self, item_id: UUID) -> None:
        self.ratings.pop(item_id, None)

    async def all(self) -> list[Rating]:
        return list(self.ratings.values())


class InMemoryArchive:
    """The archive's rules (`matches`, `newest_first`, the last event wins) on a dict; the
    contract suite holds the Mongo store to the same answers."""

    def __init__(self) -> None:
        self.entries: dict[str, ArchiveEntry] = {}

    async def prepare(self) -> None:
        return None

    async def put(self, entry: ArchiveEntry) -> bool:
        known = self.entries.get(entry.publication_id)
        if known is not None and known.order >= entry.order:
            return False
        self.entries[entry.publication_id] = entry
        return True

    async def get(self, publication_id: str) -> ArchiveEntry | None:
        found = self.entries.get(publication_id)
        return found if found is not None and not found.withdrawn else None

    async def of_items(self, item_ids: Sequence[UUID]) -> dict[UUID, ArchiveEntry]:
        wanted = set(item_ids)
        return {
            e.item_id: e for e in self.entries.values() if e.item_id in wanted and not e.withdrawn
        }

    async def search(self, query: ArchiveQuery) -> ArchivePage:
        found = newest_first([e for e in self.entries.values() if matches(e, query)])
        return ArchivePage(
            entries=tuple(found[query.skip : query.skip + query.page_size]),
            total=len(found),
            page=query.page,
            page_size=query.page_size,
        )

    async def facets(self) -> tuple[list[Facet], list[str]]:
        live = [e for e in self.entries.values() if not e.withdrawn]
        categories = {e.category_code: e.category_name or e.category_code for e in live
                      if e.category_code}  # fmt: skip
        return (
            [Facet(code=c, name=n) for c, n in sorted(categories.items(), key=lambda x: x[1])],
            sorted({e.session_id for e in live if e.session_id}, reverse=True),
        )


@dataclass
class RecordingPublisher:
    published: list[tuple[str, Event]] = field(default_factory=list)
    fail: bool = False

    async def publish(self, topic: str, event: Event, *, key: UUID | str) -> None:
        if self.fail:
            raise ConnectionError("broker unreachable")
        self.published.append((topic, event))


@dataclass
class PublicConsole:
    parts: ConsoleParts
    app: FastAPI
    read_model: InMemoryReadModel
    ratings: InMemoryRatings
    publisher: RecordingPublisher
    clock: TestClock
    registry: CollectorRegistry
    upstream: FakePublicUpstream
    archive: InMemoryArchive = field(default_factory=InMemoryArchive)

    async def project(self, *events: Event) -> None:
        for event in events:
            await self.parts.project(event)


def public_console_parts(
    clock: TestClock,
    *,
    lookups_allowed: int = 1000,
    read_model: InMemoryReadModel | None = None,
    ratings: InMemoryRatings | None = None,
    publisher: RecordingPublisher | None = None,
    registry: CollectorRegistry | None = None,
    upstream: FakePublicUpstream | None = None,
    archive: InMemoryArchive | None = None,
) -> ConsoleParts:
    """The console and its public pages, built on fakes (no account made)."""
    return build(
        ConsoleSettings(person_token_secret=None),
        accounts=InMemoryAccounts(),
        sessions=InMemorySessions(),
        failures=InMemoryFailures(),
        read_model=read_model or InMemoryReadModel(),
        upstream=FakeUpstream(),
        publisher=publisher or RecordingPublisher(),
        passwords=cheap_passwords(),
        clock=clock,
        registry=registry or CollectorRegistry(),
        public=PublicDeps(
            lookups=InProcessLimiter(
                allowed=lookups_allowed, window=timedelta(minutes=10), clock=clock
            ),
            ratings=ratings or InMemoryRatings(),
            upstream=upstream or FakePublicUpstream(),
        ),
        archive=archive or InMemoryArchive(),
    )


async def make_public_console(*, lookups_allowed: int = 1000) -> PublicConsole:
    clock = TestClock.frozen(datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    read_model, ratings, publisher = InMemoryReadModel(), InMemoryRatings(), RecordingPublisher()
    registry = CollectorRegistry()
    upstream = FakePublicUpstream()
    archive = InMemoryArchive()
    parts = public_console_parts(
        clock,
        upstream=upstream,
        archive=archive,
        lookups_allowed=lookups_allowed,
        read_model=read_model,
        ratings=ratings,
        publisher=publisher,
        registry=registry,
    )
    for request in DEMO_ACCOUNTS:
        await parts.actions.add_account(request, created_by="admin:test")
    app = FastAPI()
    for router in parts.wiring.routers:
        app.include_router(router)
    mount_static(app)
    return PublicConsole(
        parts, app, read_model, ratings, publisher, clock, registry, upstream, archive
    )


def citizen_item(*, publication_consent: bool = False) -> FeedbackReceived:
    """An item with real-looking personal data: a name, an email, a phone, in the text too."""
    item = received(TEXT, at=datetime(2026, 11, 30, 2, 15, tzinfo=UTC))
    citizen = Citizen(
        name=NAME,
        contacts=Contacts(email=EMAIL, phone=PHONE),
        preferred_channel=item.citizen.preferred_channel,
        consent=True,
        publication_consent=publication_consent,
    )
    return item.model_copy(update={"citizen": citizen})


async def resolved_item(console: PublicConsole, **options: Any) -> FeedbackReceived:
    """An item routed to xã Tiểu Cần and resolved with an answer, projected into the console."""
    item = citizen_item(**options)
    at = datetime(2026, 11, 30, 2, 20, tzinfo=UTC)
    await console.project(
        item,
        routed(item, body=TIEU_CAN_BODY, at=at),
        status_changed(item, Status.RESOLVED, at=at + timedelta(days=3), answer=ANSWER),
    )
    return item
