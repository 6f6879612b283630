"""The read model's subscribers: every event the console shows becomes changes of item records
(`domain.readmodel`), applied once each; published answers become archive entries. Nothing is
published here."""

from dataclasses import dataclass

from hoiam_console.domain.publication import ArchiveEntry
from hoiam_console.domain.readmodel import changes_of
from hoiam_console.ports import ArchiveStore, ReadModel
from hoiam_shared.events import AnswerPublished, Event


@dataclass(frozen=True, slots=True)
class ProjectEvent:
    """One subscriber's handler: decode happened already; load is the store's, decide is
    `changes_of`, save is `apply` (idempotent per item and event)."""

    read_model: ReadModel

    async def __call__(self, event: Event) -> int:
        applied = 0
        for change in changes_of(event):
            if await self.read_model.apply(change):
                applied += 1
        return applied


@dataclass(frozen=True, slots=True)
class ProjectAnswer:
    """`feedback.published.v1` into the archive: the store keeps the latest event of each
    publication, so a redelivery or an older copy changes nothing."""

    archive: ArchiveStore

    async def __call__(self, event: AnswerPublished) -> bool:
        return await self.archive.put(ArchiveEntry.of(event))
