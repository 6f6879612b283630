"""The read model's subscribers: every event the console shows becomes changes of item records
(`domain.readmodel`), applied once each; nothing is published."""

from dataclasses import dataclass

from hoiam_console.domain.readmodel import changes_of
from hoiam_console.ports import ReadModel
from hoiam_shared.events import Event


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
