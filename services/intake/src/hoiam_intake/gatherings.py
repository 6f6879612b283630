"""Where chat conversations being gathered, and each citizen's matters, are kept (fake: tests).

Gatherings are written by compare-and-set on their version, so the normaliser and the flush
loop (or two intake processes) never overwrite each other's messages; they live in MongoDB, so
a gathering still open when intake stops is published after it starts again.
"""

from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime
from typing import Protocol

from pymongo.asynchronous.database import AsyncDatabase

from hoiam_intake.domain.conversations import Gathering
from hoiam_intake.domain.matters import Matter
from hoiam_shared.mongo import Document, DuplicateKeyError

RECENT_MATTERS = 50
"""At most this many of a citizen's latest matters are compared with a new text."""


class ConversationStore(Protocol):
    async def prepare(self) -> None: ...

    async def gathering(self, key: str) -> Gathering | None: ...

    async def save_gathering(self, gathering: Gathering, *, expected: int | None) -> bool:
        """Store `gathering` if the stored one still has version `expected` (None: there is
        none yet); False if another writer got there first."""
        ...

    async def unpublished(self) -> list[Gathering]:
        """Every gathering still open or closing, for the flush loop."""
        ...

    async def add_matter(self, matter: Matter) -> None:
        """Keep what an item said (once per item)."""
        ...

    async def matters(self, citizen_ids: Sequence[str], *, since: datetime) -> list[Matter]:
        """The latest matters of these citizens since `since`."""
        ...


class MongoConversationStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._gatherings = db["gatherings"]
        self._matters = db["matters"]

    async def prepare(self) -> None:
        await self._gatherings.create_index("state")
        await self._matters.create_index([("citizen_id", 1), ("at", -1)])

    async def gathering(self, key: str) -> Gathering | None:
        found = await self._gatherings.find_one({"_id": key})
        return Gathering.model_validate(found["gathering"]) if found else None

    async def save_gathering(self, gathering: Gathering, *, expected: int | None) -> bool:
        document: Document = {
            "state": gathering.state,
            "version": gathering.version,
            "gathering": gathering.model_dump(mode="json"),
        }
        if expected is None:
            try:
                await self._gatherings.insert_one({"_id": gathering.key, **document})
            except DuplicateKeyError:
                return False
            return True
        done = await self._gatherings.replace_one(
            {"_id": gathering.key, "version": expected}, document
        )
        return done.modified_count == 1

    async def unpublished(self) -> list[Gathering]:
        found: list[Gathering] = []
        for state in ("open", "closing"):  # equality lookups: FerretDB scans for `$in`
            async for document in self._gatherings.find({"state": state}):
                found.append(Gathering.model_validate(document["gathering"]))
        return found

    async def add_matter(self, matter: Matter) -> None:
        document: Document = {
            "citizen_id": matter.citizen_id,
            "at": matter.at,
            "matter": matter.model_dump(mode="json"),
        }
        with suppress(DuplicateKeyError):  # a redelivered item: first write wins
            await self._matters.insert_one(
                {"_id": f"{matter.item_id}|{matter.citizen_id}", **document}
            )

    async def matters(self, citizen_ids: Sequence[str], *, since: datetime) -> list[Matter]:
        found: list[Matter] = []
        for citizen_id in dict.fromkeys(citizen_ids):
            cursor = (
                self._matters.find({"citizen_id": citizen_id, "at": {"$gte": since}})
                .sort("at", -1)
                .limit(RECENT_MATTERS)
            )
            found += [Matter.model_validate(d["matter"]) async for d in cursor]
        return found
