"""The vault of citizens' data keys: personal data on Kafka is sealed with a key erasure destroys.

Kafka records are immutable and `intake.raw` keeps them for ever, so a citizen's bytes cannot be
deleted there; they are encrypted instead (AES-256-GCM) with a data key of their own, held in one
small collection (`citizen_keys`) every service reaches through this module. Erasing a citizen
deletes their keys: every copy of the sealed bytes (topics, dead letters, backups) becomes noise
at once (crypto-shredding, docs/erasure.md).

A key is created insert-first before the first byte it seals is written, so nothing accepted can
be unreadable by mistake; a key found missing therefore means "erased", and readers go on with
the person shown as `ERASED` (never a crash, never a dead letter).
"""

import base64
import hashlib
import hmac
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from hoiam_shared.clock import Clock
from hoiam_shared.events import Sealed
from hoiam_shared.mongo import Document, insert_once
from hoiam_shared.settings import ServiceSettings

ERASED = "[đã xoá]"
"""What a reader shows in place of an erased person's name (Vietnamese first: "erased")."""

KEY_BYTES = 32
NONCE_BYTES = 12


@dataclass(frozen=True, slots=True)
class DataKey:
    """One data key and whom it belongs to (a citizen id, digests of their contact keys)."""

    key_id: str
    key: bytes
    citizen_id: str | None = None
    contacts: tuple[str, ...] = ()


class KeyStore(Protocol):
    """Where data keys live; `create` is insert-first: the stored key wins over a racing one."""

    async def create(self, key: DataKey, *, at: datetime) -> DataKey: ...

    async def get(self, key_id: str) -> DataKey | None: ...

    async def bind(self, key_id: str, *, citizen_id: str | None, contacts: Iterable[str]) -> None:
        """Say whose key it is, once intake knows (the raw record's sender)."""
        ...

    async def destroy(
        self, *, citizen_id: str, contacts: Iterable[str], key_ids: Iterable[str] = ()
    ) -> int:
        """Delete every key of that citizen (by id, by any of the contacts' digests, and the
        keys named, such as their items' own)."""
        ...


class MongoKeyStore:
    """Data keys in the `citizen_keys` collection of the vault's database."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._keys: AsyncCollection[Document] = db["citizen_keys"]

    async def prepare(self) -> None:
        await self._keys.create_index("citizen_id")
        await self._keys.create_index("contacts")

    async def create(self, key: DataKey, *, at: datetime) -> DataKey:
        stored, _ = await insert_once(
            self._keys,
            key.key_id,
            {
                "key": key.key,
                "citizen_id": key.citizen_id,
                "contacts": list(key.contacts),
                "created_at": at,
            },
        )
        return _key_of(stored) if stored is not None else key

    async def get(self, key_id: str) -> DataKey | None:
        found = await self._keys.find_one({"_id": key_id})
        return _key_of(found) if found is not None else None

    async def bind(self, key_id: str, *, citizen_id: str | None, contacts: Iterable[str]) -> None:
        change: Document = {"$addToSet": {"contacts": {"$each": list(contacts)}}}
        if citizen_id is not None:
            change["$set"] = {"citizen_id": citizen_id}
        await self._keys.update_one({"_id": key_id}, change)

    async def destroy(
        self, *, citizen_id: str, contacts: Iterable[str], key_ids: Iterable[str] = ()
    ) -> int:
        whose: list[Document] = [{"citizen_id": citizen_id}]
        digests = list(contacts)
        if digests:
            whose.append({"contacts": {"$in": digests}})
        named = list(key_ids)
        if named:
            whose.append({"_id": {"$in": named}})
        result = await self._keys.delete_many({"$or": whose})
        return result.deleted_count


def _key_of(document: Document) -> DataKey:
    contacts = document.get("contacts") or []
    citizen_id = document.get("citizen_id")
    return DataKey(
        key_id=str(document["_id"]),
        key=bytes(document["key"]),  # type: ignore[call-overload]
        citizen_id=citizen_id if isinstance(citizen_id, str) else None,
        contacts=tuple(str(c) for c in contacts) if isinstance(contacts, list) else (),
    )


def sealed_box(key_id: str, box: bytes) -> Sealed:
    """A `Sealed` of raw box bytes (its field is base64 on the wire, so it is given as such)."""
    return Sealed(key_id=key_id, box=base64.b64encode(box))


class Vault:
    """Seals and opens bytes with data keys, caching keys for `ttl_seconds` (erasure evicts).

    The cache makes a sealed field cost one lookup per key and TTL, not one per record; an
    erasure clears it in every process that reads `citizen.erasures`, and the TTL bounds how
    long a process that missed it could still open a destroyed key's bytes.
    """

    def __init__(
        self,
        keys: KeyStore,
        *,
        secret: bytes,
        clock: Clock,
        ttl_seconds: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if len(secret) < 16:
            raise ValueError("the vault secret must be at least 16 bytes")
        self._keys = keys
        self._secret = secret
        self._clock = clock
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._cache: dict[str, tuple[float, DataKey]] = {}

    def digest(self, contact_key: str) -> str:
        """A contact key (`email:a@b.vn`, `phone:+84…`) as the vault stores it: an HMAC, so the
        vault itself holds no address, yet finds a person's keys by their contacts."""
        return hmac.new(self._secret, contact_key.encode(), hashlib.sha256).hexdigest()

    async def _key(self, key_id: str) -> DataKey | None:
        cached = self._cache.get(key_id)
        if cached is not None and cached[0] > self._monotonic():
            return cached[1]
        found = await self._keys.get(key_id)
        if found is not None:
            self._cache[key_id] = (self._monotonic() + self._ttl, found)
        return found

    async def seal(
        self,
        key_id: str,
        plaintext: bytes,
        *,
        citizen_id: str | None = None,
        contacts: Iterable[str] = (),
    ) -> Sealed:
        """Encrypt under `key_id`, creating that key (insert-first) when it does not exist yet.

        `contacts` are contact keys (not digests): the new key is bound to them at once.
        """
        key = await self._key(key_id)
        if key is None:
            fresh = DataKey(
                key_id=key_id,
                key=AESGCM.generate_key(bit_length=KEY_BYTES * 8),
                citizen_id=citizen_id,
                contacts=tuple(self.digest(c) for c in contacts),
            )
            key = await self._keys.create(fresh, at=self._clock())
            self._cache[key_id] = (self._monotonic() + self._ttl, key)
        nonce = os.urandom(NONCE_BYTES)
        box = nonce + AESGCM(key.key).encrypt(nonce, plaintext, key_id.encode())
        return sealed_box(key_id, box)

    async def open(self, sealed: Sealed) -> bytes | None:
        """The plaintext, or None when its key was destroyed (the person was erased).

        A box that does not open under an existing key is tampering or a bug, not an erasure:
        that raises `ValueError`, so the record goes to the dead-letter topic with the cause.
        """
        key = await self._key(sealed.key_id)
        if key is None:
            return None
        nonce, body = sealed.box[:NONCE_BYTES], sealed.box[NONCE_BYTES:]
        try:
            return AESGCM(key.key).decrypt(nonce, body, sealed.key_id.encode())
        except InvalidTag as error:
            raise ValueError(f"sealed bytes under {sealed.key_id} do not open") from error

    async def bind(
        self, key_id: str, *, citizen_id: str | None = None, contacts: Iterable[str] = ()
    ) -> None:
        """Bind an existing key to a citizen and contact keys, once the sender is known."""
        self._cache.pop(key_id, None)
        await self._keys.bind(
            key_id, citizen_id=citizen_id, contacts=[self.digest(c) for c in contacts]
        )

    async def destroy(
        self, *, citizen_id: str, contacts: Iterable[str] = (), key_ids: Iterable[str] = ()
    ) -> int:
        """Crypto-shred a citizen: delete every key bound to them (and `key_ids`); how many."""
        self.evict()
        return await self._keys.destroy(
            citizen_id=citizen_id, contacts=[self.digest(c) for c in contacts], key_ids=key_ids
        )

    def evict(self) -> None:
        """Forget every cached key (on any erasure: they are rare, and a miss is one lookup)."""
        self._cache.clear()


def make_vault(
    settings: ServiceSettings, client: AsyncMongoClient[Document], *, clock: Clock
) -> tuple[Vault, MongoKeyStore]:
    """The service's vault on the shared vault database; refuses to start without a secret."""
    if settings.vault_secret is None or len(settings.vault_secret.get_secret_value()) < 16:
        raise SystemExit(
            "vault_secret is unset or shorter than 16 bytes (HOIAM_<SERVICE>_VAULT_SECRET): "
            "personal data cannot be sealed, so the service does not start"
        )
    keys = MongoKeyStore(client[settings.vault_database])
    vault = Vault(
        keys,
        secret=settings.vault_secret.get_secret_value().encode(),
        clock=clock,
        ttl_seconds=settings.vault_cache_seconds,
    )
    return vault, keys
