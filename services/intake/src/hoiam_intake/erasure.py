"""Erasing a citizen on their verified request (PDPL 2025): crypto-shred, then tell every service.

The operator's request is kept (who, how it was verified, which request), the citizen's data keys
are destroyed at once, so every sealed byte of theirs on Kafka is unreadable before the 202, and
`CitizenErased` goes out for every service to mask its own store (`hoiam_shared.erasure`). Each
step is idempotent: the same request again destroys nothing more and republishes the same event.
"""

from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Protocol
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Path, status
from pydantic import BaseModel, ConfigDict, Field
from pymongo.asynchronous.database import AsyncDatabase

from hoiam_intake.attachments import AttachmentStore
from hoiam_intake.domain import keys
from hoiam_intake.domain.outcomes import CallBack, Followup, NewItem, Outcome, Reachability
from hoiam_shared.clock import Clock
from hoiam_shared.events import CitizenErased, RawFeedbackAccepted
from hoiam_shared.identity import Actor
from hoiam_shared.kafka import EventPublisher
from hoiam_shared.mongo import Document, insert_once
from hoiam_shared.sealing import citizen_key_id, contact_keys
from hoiam_shared.topics import CITIZEN_ERASURES, Topics
from hoiam_shared.vault import Vault, sealed_box

_CONTACT_IDS = ("phone:", "email:", "zalo:", "facebook:")


async def open_raw(raw: RawFeedbackAccepted, vault: Vault) -> RawFeedbackAccepted | None:
    """The raw record with its payload as it arrived, or None when its key was destroyed."""
    if raw.sealed_with is None:
        return raw  # written before sealing existed
    plain = await vault.open(sealed_box(raw.sealed_with, raw.payload))
    if plain is None:
        return None
    return raw.model_copy(update={"payload": plain, "sealed_with": None})


def _senders(outcome: Outcome) -> list[str]:
    match outcome:
        case NewItem(item=item):
            return contact_keys(item.citizen.contacts)
        case Followup(message=message, fallback=fallback):
            found = contact_keys(message.citizen.contacts) if message.citizen else []
            return found + (contact_keys(fallback.citizen.contacts) if fallback else [])
        case Reachability(event=event):
            return [f"{event.channel.value}:{event.address}"]
        case CallBack(task=task):
            return [f"phone:{task.phone}"] if task.phone else []
        case _:
            return []


async def bind_raw_key(key_id: str, outcomes: Iterable[Outcome], vault: Vault) -> None:
    """Bind a raw record's key to every sender its outcomes name, before anything is stored:
    an erasure of any of them then destroys it."""
    senders = list(dict.fromkeys(k for outcome in outcomes for k in _senders(outcome)))
    if senders:
        await vault.bind(key_id, contacts=senders)


class ErasureLog(Protocol):
    """The citizens' contact bindings (read) and the erasures asked for (first write wins)."""

    async def contacts_of(self, citizen_id: str) -> list[str]:
        """The contact keys (`email:…`) bound to that citizen record."""
        ...

    async def items_of(self, citizen_id: str) -> list[str]:
        """The ids of the items of that citizen record."""
        ...

    async def record(self, erased: CitizenErased) -> CitizenErased:
        """Keep the erasure of `erased.citizen_id` unless one is kept; return the kept one."""
        ...

    async def find(self, citizen_id: str) -> CitizenErased | None: ...


class MongoErasureLog:
    """Contact bindings are intake's `contacts` collection; erasures its `erasures`."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._contacts = db["contacts"]
        self._erasures = db["erasures"]
        self._items = db["items"]

    async def contacts_of(self, citizen_id: str) -> list[str]:
        found = self._contacts.find({"citizen_id": citizen_id}, {"_id": 1})
        return [str(d["_id"]) async for d in found if str(d["_id"]).startswith(_CONTACT_IDS)]

    async def items_of(self, citizen_id: str) -> list[str]:
        found = self._items.find({"event.citizen.citizen_id": citizen_id}, {"_id": 1})
        return [str(d["_id"]) async for d in found]

    async def record(self, erased: CitizenErased) -> CitizenErased:
        stored, _ = await insert_once(
            self._erasures, erased.citizen_id, {"event": erased.model_dump(mode="json")}
        )
        return CitizenErased.model_validate((stored or {})["event"])

    async def find(self, citizen_id: str) -> CitizenErased | None:
        found = await self._erasures.find_one({"_id": citizen_id})
        return CitizenErased.model_validate(found["event"]) if found else None


class EraseCitizen(BaseModel):
    """An operator's erasure order: how the citizen's request was verified, and its reference."""

    model_config = ConfigDict(extra="forbid")

    verified_by: str = Field(
        min_length=3,
        max_length=2_000,
        description='How the request was verified, e.g. "CCCD checked at the commune Front".',
    )
    request_ref: str | None = Field(default=None, max_length=200)


class Erasure(BaseModel):
    """What the erasure endpoint answers (202): the event every service honours."""

    citizen_id: str
    event_id: str
    erased_at: str
    keys_destroyed: int = Field(description="Data keys destroyed by this call (0 on a repeat).")


class Eraser:
    """Record → destroy the keys → publish, in that order (a crash anywhere is retried whole)."""

    def __init__(
        self,
        *,
        log: ErasureLog,
        vault: Vault,
        publisher: EventPublisher,
        topics: Topics,
        clock: Clock,
        attachments: AttachmentStore,
    ) -> None:
        self._log = log
        self._vault = vault
        self._attachments = attachments
        self._publisher = publisher
        self._topics = topics
        self._clock = clock

    async def erase(
        self, citizen_id: str, order: EraseCitizen, *, actor: str
    ) -> tuple[CitizenErased, int] | None:
        """The erasure and the keys destroyed; None when intake knows no such citizen."""
        contacts = await self._log.contacts_of(citizen_id)
        if not contacts and await self._log.find(citizen_id) is None:
            return None
        at = self._clock()
        erased = await self._log.record(
            CitizenErased(
                event_id=keys.derived_uuid("erasure", citizen_id),
                correlation_id=keys.derived_uuid("citizen", citizen_id),
                citizen_id=citizen_id,
                verified_by=order.verified_by,
                request_ref=order.request_ref,
                actor=actor,
                erased_at=at,
                occurred_at=at,
            )
        )
        # Fields sealed before a citizen record existed, and tasks about their items, are under
        # the items' own keys (`hoiam_shared.sealing.citizen_key_id`).
        item_ids = [UUID(i) for i in await self._log.items_of(citizen_id)]
        items = [citizen_key_id(None, i) for i in item_ids]
        destroyed = await self._vault.destroy(
            citizen_id=citizen_id, contacts=contacts, key_ids=items
        )
        # Photos are bytes no text mask can read, and they can show the person: deleted with
        # the keys (a photo another item also carries stays for that item).
        await self._attachments.forget(item_ids=item_ids)
        await self._publisher.publish(
            self._topics.name(CITIZEN_ERASURES), erased, key=erased.citizen_id
        )
        return erased, destroyed


def build_erasure_router(*, eraser: Eraser, operator: Callable[..., Awaitable[Actor]]) -> APIRouter:
    """`POST /v1/citizens/{citizen_id}/erasure`, for operators (person token or machine)."""
    router = APIRouter()

    @router.post(
        "/v1/citizens/{citizen_id}/erasure",
        tags=["operator"],
        summary="Erase a citizen on their verified request: their data keys are destroyed now, "
        "every service masks its store; petitions, routes and answers stay, anonymous",
        status_code=status.HTTP_202_ACCEPTED,
        responses={404: {"description": "No such citizen"}},
    )
    async def erase_citizen(
        citizen_id: Annotated[str, Path(min_length=1, max_length=200)],
        order: EraseCitizen,
        who: Annotated[Actor, Depends(operator)],
    ) -> Erasure:
        done = await eraser.erase(citizen_id, order, actor=who.actor)
        if done is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no citizen {citizen_id}")
        erased, destroyed = done
        return Erasure(
            citizen_id=erased.citizen_id,
            event_id=str(erased.event_id),
            erased_at=erased.erased_at.isoformat(),
            keys_destroyed=destroyed,
        )

    return router
