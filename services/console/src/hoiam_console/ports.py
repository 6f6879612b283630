"""The console's ports: small Protocols its stores and upstream services are used through."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from hoiam_console.domain.accounts import Account
from hoiam_console.domain.compiling import Adjusted, LockEvent
from hoiam_console.domain.public import Rating
from hoiam_console.domain.publication import ArchiveEntry, ArchivePage, ArchiveQuery, Facet
from hoiam_console.domain.readmodel import Change, ItemRecord
from hoiam_console.domain.results import Evaluation
from hoiam_console.domain.sessions import Session
from hoiam_shared.events import Status


class AccountStore(Protocol):
    async def get(self, username: str) -> Account | None: ...

    async def add(self, account: Account) -> bool:
        """False when the username is taken (nothing is overwritten)."""
        ...

    async def all(self) -> list[Account]: ...

    async def set_password(self, username: str, password_hash: str) -> bool: ...


class SessionStore(Protocol):
    async def put(self, session: Session) -> None: ...

    async def get(self, token_hash: str) -> Session | None: ...

    async def delete(self, token_hash: str) -> None: ...


class FailureLog(Protocol):
    """Failed sign-ins, by key (``user:<name>``, ``ip:<address>``)."""

    async def add(self, key: str, at: datetime) -> None: ...

    async def since(self, key: str, since: datetime) -> list[datetime]: ...


class ReadModel(Protocol):
    async def apply(self, change: Change) -> bool:
        """Apply once; False when this event was already applied to this item."""
        ...

    async def get(self, item_id: UUID) -> ItemRecord | None: ...

    async def by_tracking_code(self, tracking_code: str) -> ItemRecord | None: ...

    async def find(
        self,
        *,
        body_id: str | None = None,
        province_code: str | None = None,
        commune_codes: Sequence[str] | None = None,
        statuses: Sequence[Status] | None = None,
        limit: int = 200,
    ) -> list[ItemRecord]:
        """Newest first. `province_code` also matches items placed in no province."""
        ...

    async def of_session(self, session_id: str) -> list[ItemRecord]:
        """Every item of a voters' meeting of that council session (`origin.session_id`)."""
        ...

    async def find_requests(
        self,
        *,
        received_from: datetime,
        received_to: datetime,
        category_codes: Sequence[str] | None = None,
        statuses: Sequence[Status] | None = None,
        published_only: bool = False,
        skip: int = 0,
        limit: int = 100,
    ) -> list[ItemRecord]:
        """Items received in [from, to], newest first, a page of them (Open311's `GET
        requests`); `published_only`: only those whose citizen consented to publication."""
        ...

    async def prepare(self) -> None: ...


class RatingStore(Protocol):
    """Ratings, one per item: `claim` is the atomic check that a second one cannot pass."""

    async def claim(self, rating: Rating) -> bool:
        """Keep `rating`; False when its item was rated already (nothing is overwritten)."""
        ...

    async def release(self, item_id: UUID) -> None:
        """Forget a claim whose event could not be published (the citizen may try again)."""
        ...

    async def all(self) -> list[Rating]: ...


class SessionItems(Protocol):
    """The read model's items of one council session (`origin.session_id`)."""

    async def of_session(self, session_id: str) -> list[ItemRecord]: ...


class CompilationStore(Protocol):
    """A session's compilation log: adjustments, locks and evaluations, each append-only and
    numbered per session; `add_*` inserts under (session, seq) and is False when that number is
    taken (a concurrent writer won it: read again and retry), so nothing is updated in place."""

    async def adjustments(self, session_id: str) -> list[Adjusted]: ...

    async def add_adjustment(self, session_id: str, adjusted: Adjusted) -> bool: ...

    async def lock_events(self, session_id: str) -> list[LockEvent]: ...

    async def add_lock_event(self, session_id: str, event: LockEvent) -> bool: ...

    async def evaluations(self, session_id: str) -> list[Evaluation]: ...

    async def add_evaluation(self, session_id: str, evaluation: Evaluation) -> bool: ...

    async def prepare(self) -> None: ...


class ArchiveStore(Protocol):
    """The public archive of published answers, one entry per publication (the last event of
    it wins; a withdrawn one stays as a tombstone the public never sees)."""

    async def put(self, entry: ArchiveEntry) -> bool:
        """Keep `entry` unless this publication has it or a later one already (False)."""
        ...

    async def get(self, publication_id: str) -> ArchiveEntry | None:
        """The live entry (None when unknown or withdrawn)."""
        ...

    async def of_items(self, item_ids: Sequence[UUID]) -> dict[UUID, ArchiveEntry]:
        """The live entries of these items."""
        ...

    async def search(self, query: ArchiveQuery) -> ArchivePage: ...

    async def facets(self) -> tuple[list[Facet], list[str]]:
        """The fields (categories) and the sessions live entries have, for the filters."""
        ...

    async def prepare(self) -> None: ...
